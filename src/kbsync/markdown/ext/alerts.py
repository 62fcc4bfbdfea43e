"""``alerts``: GitHub's ``> [!NOTE]`` (TIP, IMPORTANT, WARNING, CAUTION) as a callout
titled with its kind, the marker line gone (GitHub shows it that way)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kbsync.markdown.callouts import ALERT_KINDS, as_callout, callout, closing, title_tokens
from kbsync.markdown.extension import Extension

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

    from kbsync.markdown.writer import Writer

_ALERT_LINE = re.compile(r"\[!([A-Za-z]+)\][ \t]*$")
_USED = re.compile(r"^[ \t]{0,3}>[ \t]*\[![A-Za-z]+\][ \t]*$", re.MULTILINE)


def _setup(md: MarkdownIt) -> None:
    md.core.ruler.before("inline", "kb_alerts", _alerts_as_callouts)


def _alerts_as_callouts(state: StateCore) -> None:
    if "[!" not in state.src:
        return
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.type != "blockquote_open" or index + 1 >= len(tokens) \
                or tokens[index].type != "paragraph_open" or "[!" not in tokens[index + 1].content:
            continue
        inline = tokens[index + 1]
        first, _, rest = inline.content.partition("\n")
        found = _ALERT_LINE.match(first)
        if found is None or found.group(1).lower() not in ALERT_KINDS:
            continue
        kind = found.group(1).lower()
        as_callout(tokens, index - 1, closing(tokens, index - 1, "blockquote_close"), kind)
        if rest.strip():
            inline.content = rest
            if inline.map:
                inline.map = [inline.map[0] + 1, inline.map[1]]
        else:
            del tokens[index:index + 3]  # the paragraph held the marker only
        tokens[index:index] = title_tokens(ALERT_KINDS[kind], token.level)


def _write(writer: Writer, node: Tag, parent_tags: set[str]) -> str | None:
    """``> [!NOTE]`` when the callout is one an alert says: a kind GitHub has, titled
    with it."""
    from bs4.element import Tag

    from kbsync.markdown.html_tree import first_tag

    found = callout(node) if not writer.in_inline(node) else None
    if found is None:
        return None
    kind, title = found
    if title is None or first_tag(title) or title.get_text() != ALERT_KINDS.get(kind):
        return None
    kids = list(node.children)
    kids = kids[kids.index(title) + 1:]
    body = writer.blocks(kids, parent_tags | {"div"})
    first = next((kid for kid in kids if isinstance(kid, Tag) or str(kid).strip()), None)
    lazy = isinstance(first, Tag) and first.name == "p" and not first.attrs
    lines = [f"[!{kind.upper()}]", *([] if lazy or not body else [""]),
             *(body.split("\n") if body else [])]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return writer.sep(node) + quoted + writer.sep(node)


def _uses(markdown: str) -> bool:
    return "[!" in markdown and _USED.search(markdown) is not None


EXTENSION = Extension("alerts", "GitHub alerts: `> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, "
                      "`[!WARNING]`, `[!CAUTION]`", True, _setup, write=_write,
                      writes=frozenset({"div"}), uses=_uses)
