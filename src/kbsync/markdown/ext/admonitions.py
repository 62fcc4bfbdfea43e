"""``admonitions``: MkDocs' ``!!! note "Title"`` (and ``???``) + an indented body, as a
callout; the title defaults to the kind, ``""`` means none. Off by default: a paragraph
starting with ``!!!`` is ordinary emphasis in many help articles."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kbsync.markdown.callouts import CALLOUT_CLASS, as_callout, callout, callout_kind, closing
from kbsync.markdown.extension import Extension

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

    from kbsync.markdown.writer import Writer

#: A line the plugin reads as an admonition: text that would be one is escaped.
_ADMONITION_LINE = re.compile(r"[ \t]*([!?])(?:!!|\?\?)")
_USED = re.compile(r"^(?:!!!|\?\?\?)[ \t]+\w", re.MULTILINE)


def _setup(md: MarkdownIt) -> None:
    from mdit_py_plugins.admon import admon_plugin

    md.use(admon_plugin)
    md.core.ruler.before("inline", "kb_admonitions", _admonitions_as_callouts)


def _admonitions_as_callouts(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "admonition_open":
            continue
        kind = callout_kind(str(token.meta.get("tag") or ""))
        token.attrs = {}
        as_callout(tokens, index, closing(tokens, index, "admonition_close"), kind)
        title = tokens[index + 1]
        if title.type == "admonition_title_open":
            title.type, tokens[index + 3].type = "callout_title_open", "callout_title_close"
            title.attrSet("class", f"{CALLOUT_CLASS}-title")
            text = tokens[index + 2]
            if len(text.content) > 1 and text.content[0] == text.content[-1] == '"':
                text.content = text.content[1:-1]  # older plugins keep the quotes


def _write(writer: Writer, node: Tag, parent_tags: set[str]) -> str | None:
    found = callout(node) if not writer.in_inline(node) else None
    if found is None:
        return None
    kind, title = found
    body, shown = writer.callout_parts(node, title, parent_tags)
    if shown is None or "\n\n\n" in body:  # two blank lines end an admonition
        return None
    heading = ' ""' if title is None else "" if shown == kind.title() else f' "{shown}"'
    indented = "\n".join(f"    {line}" if line else "" for line in body.split("\n"))
    text = f"!!! {kind}{heading}" + ("\n" + indented if body else "")
    return writer.sep(node) + text + writer.sep(node)


def _uses(markdown: str) -> bool:
    return ("!!!" in markdown or "???" in markdown) and _USED.search(markdown) is not None


EXTENSION = Extension("admonitions", 'MkDocs admonitions: `!!! note "Title"` + an indented '
                      "body (off by default)", False, _setup, line_rules=(_ADMONITION_LINE,),
                      write=_write, writes=frozenset({"div"}), uses=_uses)
