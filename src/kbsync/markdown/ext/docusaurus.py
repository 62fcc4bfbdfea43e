"""``docusaurus``: Docusaurus admonitions, ``:::note`` (``:::tip Title``, ``:::tip[Title]``)
... ``:::``, as a callout; the title defaults to the kind. Off by default, like MkDocs'
admonitions: GitHub shows the colons as text. Nested ones take more colons (``::::``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kbsync.markdown.callouts import as_callout, callout, callout_kind, closing, title_tokens
from kbsync.markdown.extension import Extension

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

    from kbsync.markdown.writer import Writer

_OPENING = re.compile(r"[ \t]*([A-Za-z][\w-]*)(?:\[(.*)\]|[ \t]+(.*?))?[ \t]*")
#: A line the plugin reads as a container fence: text that would be one is escaped.
_FENCE_LINE = re.compile(r"[ \t]*(:)::")
_USED = re.compile(r"^[ \t]{0,3}:::+[ \t]*[A-Za-z]", re.MULTILINE)
_BRACKETS = re.compile(r"^[ \t]{0,3}:::+[A-Za-z][\w-]*\[", re.MULTILINE)
_NAME = "kb_docusaurus"


def _setup(md: MarkdownIt) -> None:
    from mdit_py_plugins.container import container_plugin

    md.use(container_plugin, _NAME, validate=lambda params, *_: bool(
        _OPENING.fullmatch(params)))
    md.core.ruler.before("inline", "kb_docusaurus", _containers_as_callouts)


def _containers_as_callouts(state: StateCore) -> None:
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.type != f"container_{_NAME}_open":
            continue
        found = _OPENING.fullmatch(token.info)
        assert found is not None  # the plugin let only these in
        kind = callout_kind(found.group(1))
        title = found.group(2) if found.group(2) is not None else found.group(3)
        token.attrs = {}
        as_callout(tokens, index - 1, closing(tokens, index - 1, f"container_{_NAME}_close"),
                   kind)
        tokens[index:index] = title_tokens(title or kind.title(), token.level)


def _write(writer: Writer, node: Tag, parent_tags: set[str]) -> str | None:
    found = callout(node) if not writer.in_inline(node) else None
    if found is None:
        return None
    kind, title = found
    if title is None:
        return None
    body, shown = writer.callout_parts(node, title, parent_tags)
    if shown is None or "]" in shown:
        return None
    fence = ":" * max(3, 1 + max((len(m) for m in re.findall(r"^ *(:{3,})", body, re.M)),
                                 default=0))
    if shown == kind.title():
        opening = f"{fence}{kind}"
    elif writer.like is not None and _BRACKETS.search(writer.like):
        opening = f"{fence}{kind}[{shown}]"
    else:
        opening = f"{fence}{kind} {shown}"
    text = opening + ("\n\n" + body if body else "") + f"\n\n{fence}"
    return writer.sep(node) + text + writer.sep(node)


def _uses(markdown: str) -> bool:
    return ":::" in markdown and _USED.search(markdown) is not None


EXTENSION = Extension("docusaurus", "Docusaurus admonitions: `:::note Title` ... `:::` "
                      "(off by default)", False, _setup, line_rules=(_FENCE_LINE,),
                      write=_write, writes=frozenset({"div"}), uses=_uses)
