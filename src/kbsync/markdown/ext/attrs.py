"""``attrs``: ``{#id .class key=value}`` attribute syntax, with markdown-it-attrs' rules,
and kramdown's spelling of it (``{: .class}``).

Where attributes go (render): after links, images, code spans and ``[spans]`` (the
mdit-py-plugins attrs plugin); after a heading's text, with or without a space before
the brace (``## Title {#id}``, ``## Title{#id}``); on a line of their own before a block
(``{.lead}`` or kramdown's ``{: .lead}``), and on the line right after a table or a
paragraph (``{.table-regular}``, kramdown's ``{: .lead}``). ``\\{`` keeps a literal brace.

Write back: an element's attributes that Markdown's own syntax does not hold come back
in this syntax when it can say them exactly (else the element stays raw HTML); a heading's
id only when it is not the one the heading-id scheme makes anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kbsync.markdown.extension import Extension
from kbsync.markdown.heading_ids import HeadingIds

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

__all__ = ["EXTENSION", "attribute_pairs", "attributes", "attributes_text",
           "explicit_heading_ids", "uses_kramdown"]

_BlockRule = Callable[["StateBlock", int, int, bool], bool]
#: A brace group that ends a heading's last text (after a space or not).
_TRAILING_ATTRS = re.compile(r"[ \t]*(\{[^{}\n]*\})[ \t]*$")
_KRAMDOWN_LINE = re.compile(r"\{:[ \t]*([^{}\n]*)\}[ \t]*$")
_KRAMDOWN_USED = re.compile(r"^[ \t]{0,3}\{:[^{}\n]*\}[ \t]*$", re.MULTILINE)


def _setup(md: MarkdownIt) -> None:
    from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin

    md.use(attrs_plugin, spans=True)
    md.use(attrs_block_plugin)
    md.block.ruler.at("attr", _nonempty_attrs_block(_block_rule(md, "attr")))
    md.block.ruler.before("attr", "kb_kramdown_attr", _kramdown_block)
    md.core.ruler.before("inline", "kb_trailing_attrs", _trailing_line_attrs)
    md.core.ruler.after("inline", "kb_heading_attrs", _heading_attrs)


def attributes(text: str) -> dict[str, str] | None:
    """``{#id .class key=value}`` spelled exactly (nothing after the ``}``), or None;
    kramdown's ``{: ...}`` reads the same."""
    from mdit_py_plugins.attrs.parse import ParseError
    from mdit_py_plugins.attrs.parse import parse as parse_attrs

    if text.startswith("{:"):
        text = "{" + text[2:].lstrip(" \t")
    try:
        end, attrs = parse_attrs(text)
    except ParseError:
        return None
    if end != len(text) - 1 or not attrs:
        return None
    return {str(k): str(v) for k, v in attrs.items()}


def merge_attrs(token: Token, attrs: dict[str, str]) -> None:
    """``attrs`` onto ``token``: classes added to its own, the rest replacing."""
    if "class" in attrs and token.attrGet("class"):
        attrs = {**attrs, "class": f"{token.attrGet('class')} {attrs['class']}"}
    for name, value in attrs.items():
        token.attrSet(name, value)


def _block_rule(md: MarkdownIt, name: str) -> _BlockRule:
    for rule in md.block.ruler.__rules__:
        if rule.name == name:
            return rule.fn
    raise LookupError(name)


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]].rstrip()


def _nonempty_attrs_block(rule: _BlockRule) -> _BlockRule:
    """The plugin's block-attributes rule, except for a line of ``{}`` (no attributes),
    which stays text instead of vanishing."""

    def attrs_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        line = _line(state, start)
        if not line.startswith("{") or line.startswith("{:") or not line.endswith("}") \
                or not attributes(line):
            return False
        return bool(rule(state, start, end, silent))

    return attrs_block


def _kramdown_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """kramdown's block attributes, ``{: #id .class}`` on a line before a block."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    line = _line(state, start)
    attrs = attributes(line) if _KRAMDOWN_LINE.fullmatch(line) else None
    if attrs is None:
        return False
    if not silent:
        token = state.push("attrs_block", "", 0)
        token.attrs = dict(attrs)
        token.map = [start, start + 1]
        state.line = start + 1
    return True


def _heading_attrs(state: StateCore) -> None:
    """``## Title {#id}`` and ``## Title{#id}``: attributes that end a heading's text go on
    the heading (markdown-it-attrs' rule). Runs on the parsed inline tokens: a brace the
    plugin gave a link or code span is gone already, and an escaped ``\\{`` is a token of
    its own, so neither is taken."""
    if "{" not in state.src:  # most bodies: nothing to look for
        return
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        kids = tokens[index + 1].children
        last = kids[-1] if kids else None
        if last is None or last.type != "text" or "{" not in last.content:
            continue
        found = _TRAILING_ATTRS.search(last.content)
        attrs = attributes(found.group(1)) if found else None
        if found is None or attrs is None:
            continue
        last.content = last.content[:found.start()]
        if not last.content and kids:
            kids.pop()
        merge_attrs(token, attrs)


def _trailing_line_attrs(state: StateCore) -> None:
    """Attributes on the line right after a table (markdown-it-attrs' place for them: the
    table parsed them as a last row of one cell) or a paragraph (kramdown's ``{: .x}``,
    which CommonMark reads as the paragraph's last line): they go on that block."""
    if "{" not in state.src:
        return
    _paragraph_attrs(state.tokens)
    _table_attrs(state)


def _paragraph_attrs(tokens: list[Token]) -> None:
    for index, token in enumerate(tokens):
        if token.type != "paragraph_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        head, sep, last = inline.content.rpartition("\n")
        if not sep or not last.startswith("{:"):
            continue
        attrs = attributes(last.strip()) if _KRAMDOWN_LINE.fullmatch(last.strip()) else None
        if attrs is not None:
            inline.content = head
            merge_attrs(token, attrs)


def _table_attrs(state: StateCore) -> None:
    tokens = state.tokens
    opened: list[int] = []
    index = 0
    while index < len(tokens):
        kind = tokens[index].type
        index += 1
        if kind == "table_open":
            opened.append(index - 1)
        elif kind == "table_close":
            opening, close = opened.pop(), index - 1
            row = _last_row(tokens, close)
            attrs = _row_attrs(tokens, row, close, state.src) if row is not None else None
            if row is None or attrs is None:
                continue
            del tokens[row:close - 1]  # tr_open .. tr_close; tbody_close follows
            index = row + 2  # past the table_close
            if tokens[row - 1].type == "tbody_open":  # that was the only row
                del tokens[row - 1:row + 1]
                index = row
            merge_attrs(tokens[opening], attrs)


def _last_row(tokens: Sequence[Token], table_close: int) -> int | None:
    """The index of the last body row's ``tr_open`` of the table ending at ``table_close``."""
    if tokens[table_close - 1].type != "tbody_close":
        return None
    for index in range(table_close - 2, -1, -1):
        if tokens[index].type == "tr_open":
            return index
        if tokens[index].type == "tbody_open":
            return None
    return None


def _row_attrs(tokens: Sequence[Token], row_start: int, table_close: int,
               src: str) -> dict[str, str] | None:
    cells = [t for t in tokens[row_start:table_close] if t.type == "inline"]
    if not cells or any(cell.content for cell in cells[1:]):
        return None
    text = cells[0].content.strip()
    row = tokens[row_start]
    if not text.startswith("{") or not row.map:
        return None
    line = src.split("\n", row.map[0] + 1)[row.map[0]].strip()
    return attributes(text) if line == text else None  # a line without a | of its own


# -- write back --------------------------------------------------------------------------------

_SIMPLE = re.compile(r"[\w:-]+")
#: Where each element's attributes go in Markdown, and which ones its own syntax holds.
BLOCK_ATTRS = {"p": frozenset(), "ul": frozenset(), "ol": frozenset({"start"}),
               "blockquote": frozenset(), "table": frozenset(), "hr": frozenset()}
INLINE_ATTRS = {"a": frozenset({"href", "title"}), "img": frozenset({"src", "alt", "title"}),
                "code": frozenset(), "span": frozenset()}
ATTRS_AT_END = re.compile(r"(\{[^{}\n]*\})[ \t]*$")
#: A line of attributes, which the renderer reads as syntax: text that would be one is escaped.
ATTRS_LINE = re.compile(r"[ \t]*(\{)[^\n]*\}[ \t]*$")


def attributes_text(pairs: list[tuple[str, str]], *, kramdown: bool = False) -> str | None:
    """``{#id key=value .class}`` that the attrs plugin reads back as exactly ``pairs``,
    or None when its syntax cannot say them (a ``"`` in a value, an ``on...`` handler the
    plugin drops...). "" for no attributes. ``kramdown``: spelled ``{: ...}``."""
    if not pairs:
        return ""
    parts: list[str] = []
    classes = ""
    for name, value in pairs:
        if not _SIMPLE.fullmatch(name) or name.lower().startswith("on"):
            return None
        if name == "class":
            classes = value
        elif name == "id" and _SIMPLE.fullmatch(value):
            parts.append(f"#{value}")
        elif _SIMPLE.fullmatch(value):
            parts.append(f"{name}={value}")
        else:
            parts.append(f'{name}="{value}"')
    if classes:
        names = classes.split(" ")
        parts += ([f".{c}" for c in names] if all(_SIMPLE.fullmatch(c) for c in names)
                  else [f'class="{classes}"'])
    text = "{" + " ".join(parts) + "}"
    from mdit_py_plugins.attrs.parse import ParseError
    from mdit_py_plugins.attrs.parse import parse as parse_attrs

    try:
        end, read = parse_attrs(text)
    except ParseError:
        return None
    if end != len(text) - 1 or {str(k): str(v) for k, v in read.items()} != dict(pairs):
        return None
    return "{: " + text[1:] if kramdown else text


def attribute_pairs(tag: Tag, skip: frozenset[str]) -> list[tuple[str, str]]:
    """``tag``'s attributes but ``skip``, and but the class the task-list plugin gives."""
    from kbsync.markdown.html_tree import attr

    pairs = [(name, attr(tag, name) or "") for name in tag.attrs if name not in skip]
    if tag.name in ("ul", "ol"):
        pairs = [(n, v) for n, v in pairs if (n, v) != ("class", "contains-task-list")]
    return pairs


def escape_trailing_attrs(text: str) -> str:
    """Text that ends a heading and ends in something the renderer would read as its
    attributes: the brace escaped."""
    found = ATTRS_AT_END.search(text)
    if found is None or (found.start(1) and text[found.start(1) - 1] == "\\"):
        return text
    return text[:found.start(1)] + "\\" + text[found.start(1):]


def explicit_heading_ids(tags: Sequence[Tag], scheme: HeadingIds) -> set[int]:
    """The headings (by ``id()``) whose id the renderer would not make by itself.

    The renderer keeps written ids and numbers repeated slugs around them, so a heading
    whose id looks automatic may still need it written: the simulation repeats until
    every heading left automatic gets exactly its id (each round takes every heading that
    does not, so a body of many repeated ids takes a few rounds, not one per heading).
    """
    from kbsync.markdown.html_tree import HEADINGS, attr

    slug = scheme.slug
    headings = [h for h in tags if h.name in HEADINGS]
    if slug is None:
        return {id(h) for h in headings if attr(h, "id")}
    info = [(id(h), attr(h, "id") or "", slug(h.get_text())) for h in headings]
    explicit = {key for key, hid, made in info
                if hid and hid != made and not scheme.is_numbered(hid, made)}
    while True:
        taken = {hid for key, hid, _ in info if key in explicit}
        clashes = {key for key, hid, made in info if key not in explicit
                   and scheme.unique(made, taken) != hid and hid}
        if not clashes:
            return explicit
        explicit |= clashes


_ATTACHED = re.compile(r"^#{1,6}[ \t].*[^\s\\]\{[^{}\n]*\}[ \t]*$", re.MULTILINE)


def attached_to_headings(markdown: str) -> bool:
    """Whether a file writes a heading's attributes right after its text (``## T{#x}``)."""
    return _ATTACHED.search(markdown) is not None


def uses_kramdown(markdown: str) -> bool:
    """Whether a file writes its block attributes kramdown's way, ``{: .x}``."""
    return "{:" in markdown and _KRAMDOWN_USED.search(markdown) is not None


EXTENSION = Extension("attrs", "`{#id .class key=value}` attribute syntax (and kramdown's "
                      "`{: .class}`)", True, _setup, line_rules=(ATTRS_LINE,))
