"""HTML -> plain text, for initdesk's plain ``content`` field and for ticket bodies.

Blocks are separated by blank lines, list items are ``- item`` (``1. item`` in ordered
lists, indented when nested), table cells are joined with `` | ``, entities are
unescaped and tags dropped. The output only ever replaces a tag with a few characters,
which is why the HTML stays the longer field (the contract's display rule).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "details", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "main", "nav", "p", "section", "summary", "table",
})
_HIDDEN = frozenset({"script", "style", "template", "head", "title"})
_SPACE = re.compile(r"\s+")


def html_to_text(html: str, *, compact: bool = False) -> str:
    """The readable text of ``html``.

    ``compact`` drops list markers, indentation and blank lines, so that every tag turns
    into at most one character: the text is then strictly shorter than any HTML that
    has a tag in it.
    """
    parser = _TextParser(compact)
    parser.feed(html)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    def __init__(self, compact: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.compact = compact
        self.parts: list[str] = []
        self.newlines = 0  # line breaks owed before the next text
        self.prefix = ""  # list marker owed before the next text
        self.lists: list[int | None] = []  # None: <ul>; a number: the next <ol> item
        self.cells = 0
        self.pre = 0
        self.hidden = 0

    # -- output -------------------------------------------------------------------------

    def text(self) -> str:
        lines = "".join(self.parts).split("\n")
        return "\n".join(line.rstrip() for line in lines).strip()

    def _break(self, count: int) -> None:
        self.newlines = max(self.newlines, 1 if self.compact else count)

    def _emit(self, data: str) -> None:
        if self.newlines and self.parts:
            self.parts.append("\n" * self.newlines)
        if self.newlines or not self.parts:
            data = data if self.pre else data.lstrip()
            data = self.prefix + data
            self.prefix = ""
        self.newlines = 0
        if data:
            self.parts.append(data)

    # -- parser callbacks ---------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in ("ul", "ol"):
            self._break(1 if self.lists else 2)
            self.lists.append(_list_start(attrs) if tag == "ol" else None)
        elif tag == "li":
            self._break(1)
            self.prefix = self._marker()
        elif tag == "tr":
            self._break(1)
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                if self.parts:
                    self.parts[-1] = self.parts[-1].rstrip(" ")
                self._emit(" " if self.compact else " | ")
            self.cells += 1
        elif tag == "br":
            self._emit("\n")
        elif tag == "pre":
            self._break(2)
            self.pre += 1
        elif tag == "input" and ("type", "checkbox") in attrs and not self.compact:
            checked = any(name == "checked" for name, _ in attrs)
            self.prefix += "[x] " if checked else "[ ] "
        elif tag in _BLOCKS:
            self._break(2)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._break(1 if self.lists else 2)
        elif tag in ("li", "tr"):
            self._break(1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            if self.parts:
                self.parts[-1] = self.parts[-1].rstrip("\n")
            self._break(2)
        elif tag in _BLOCKS:
            self._break(2)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if not self.pre:
            data = _SPACE.sub(" ", data)
            if data == " " and (self.newlines or not self.parts):
                return
        self._emit(data)

    def _marker(self) -> str:
        if self.compact:
            return ""
        indent = "  " * (len(self.lists) - 1)
        if not self.lists or self.lists[-1] is None:
            return f"{indent}- "
        number = self.lists[-1]
        self.lists[-1] = number + 1
        return f"{indent}{number}. "


def _list_start(attrs: list[tuple[str, str | None]]) -> int:
    for name, value in attrs:
        if name == "start" and value and value.strip().isdigit():
            return int(value)
    return 1
