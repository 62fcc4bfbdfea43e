"""bs4's ``html.parser`` tree, read the way a browser reads the HTML, in linear time.

Three differences from bs4's own builder, each one what initdesk's readers see:

- omitted end tags are implied as HTML5 implies them: ``<li>a<li>b`` is two items, a
  block start tag ends an open ``<p>``, ``<tr>``/``<td>``/``<dt>``/``<dd>``/``<option>``
  end their open siblings (html.parser nests them instead);
- ``<!-->`` and ``<!--->`` are empty comments, an unclosed ``<!--`` runs to the end, and
  a start tag that never ends (``<div id="x"`` and no ``>``) is kept as it was written,
  not turned into visible text (Markdown passes all of them through as HTML);
- bs4 remembers each void element written without ``/`` (``<br>``, ``<img>``) in a list
  it searches at every end tag: quadratic in the number of ``<br>`` s, which made a 10 MB
  web-editor body take minutes. A counter answers the same question at once.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from bs4 import BeautifulSoup
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder

__all__ = ["RAW", "Parsed", "parse_html"]

#: A comment whose data starts with this is HTML source kept as written (what follows).
RAW = "\x00kbsync-raw\x00"
_ABRUPT_COMMENTS = ("<!-->", "<!--->")

_BLOCK_STARTS = frozenset((
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "ul"))
#: For a start tag: the open elements it ends, and the elements the search stops at.
_IMPLIED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu", "table", "td", "th"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl", "table", "td", "th"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl", "table", "td", "th"})),
    "tr": (frozenset({"tr"}), frozenset({"table"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "optgroup"})),
}
_P = frozenset({"p"})
_P_SCOPE = frozenset({"button", "table", "td", "th", "caption", "object", "template",
                      "html", "li", "dd", "dt", "blockquote", "div"})


_ENDS_SOMETHING = frozenset(_IMPLIED) | _BLOCK_STARTS


class _Counted(dict[str, int]):
    """bs4's list of void elements closed already, as a multiset (``in`` stays C-fast)."""

    def __init__(self, names: Any = ()) -> None:
        super().__init__()
        for name in names:
            self.append(name)

    def append(self, name: str) -> None:
        self[name] = self.get(name, 0) + 1

    def remove(self, name: str) -> None:
        left = self[name] - 1
        if left:
            self[name] = left
        else:
            del self[name]


class _Parser(BeautifulSoupHTMLParser):
    _closing = False
    closed: set[int]  # the elements an end tag in the source closed (by id)
    found: list[bool]  # [True] once a comment, declaration or kept source is in the tree

    def handle_comment(self, data: str) -> None:
        self.found[0] = True
        super().handle_comment(data)

    def handle_decl(self, data: str) -> None:
        self.found[0] = True
        super().handle_decl(data)

    def unknown_decl(self, data: str) -> None:
        self.found[0] = True
        super().unknown_decl(data)

    def handle_pi(self, data: str) -> None:
        self.found[0] = True
        super().handle_pi(data)

    @property  # type: ignore[override]
    def already_closed_empty_element(self) -> _Counted:
        return self._closed_voids

    @already_closed_empty_element.setter
    def already_closed_empty_element(self, names: Any) -> None:
        self._closed_voids = _Counted(names)

    def close(self) -> None:
        self._closing = True
        super().close()
        if self.cdata_elem is not None and self.rawdata:
            # an unclosed <style> or <script> holds the rest (html.parser drops it)
            self.handle_data(self.rawdata)
            self.rawdata = ""

    def _end_implied(self, tag: str) -> None:
        soup = self.soup
        counts = soup.open_tag_counter
        if tag in _IMPLIED:
            ends, stops = _IMPLIED[tag]
            if not any(counts.get(name) for name in ends):
                return
        elif counts.get("p"):
            ends, stops = _P, _P_SCOPE
        else:
            return  # the usual case: no <p> open for a block to end
        for open_tag in reversed(soup.tagStack[1:]):
            if open_tag.name in ends:
                soup.endData()  # the text before this tag belongs to the element it ends
                soup._popToTag(open_tag.name)
                return
            if open_tag.name in stops:
                return

    def parse_comment(self, i: int, report: bool = True) -> int:
        rawdata = self.rawdata
        for abrupt in _ABRUPT_COMMENTS:
            if rawdata.startswith(abrupt, i):
                if report:
                    self.handle_comment(RAW + abrupt)
                return i + len(abrupt)
        end = int(super().parse_comment(i, report))
        if end < 0 and self._closing:  # runs to the end of the body
            self.handle_comment(RAW + rawdata[i:])
            return len(rawdata)
        return end

    def parse_pi(self, i: int) -> int:
        """``<?php ... ?>`` runs to ``?>`` (what Markdown's raw block reads), not to the
        first ``>``; kept as written."""
        end = self.rawdata.find("?>", i + 2)
        if end < 0:
            return int(super().parse_pi(i))
        self.handle_comment(RAW + self.rawdata[i:end + 2])
        return end + 2

    def handle_endtag(self, tag: str, check_already_closed: bool = True) -> None:
        """An end tag nothing is open for: a browser ignores it, Markdown keeps it."""
        soup = self.soup
        if not soup.open_tag_counter.get(tag) and tag not in ("p", "br") and \
                not (check_already_closed and tag in self.already_closed_empty_element):
            self.handle_comment(RAW + f"</{tag}>")
            return
        current = soup.currentTag
        ended = current if current is not None and current.name == tag else next(
            (t for t in reversed(soup.tagStack) if t.name == tag), None)
        super().handle_endtag(tag, check_already_closed)
        if ended is not None and check_already_closed:
            self.closed.add(id(ended))

    def parse_bogus_comment(self, i: int, report: int = 1) -> int:
        """``<!ELEMENT ...>``, ``<?...>`` read as comments: kept as written."""
        end = self.rawdata.find(">", i + 2)
        if end < 0:
            return -1
        if report:
            self.handle_comment(RAW + self.rawdata[i:end + 1])
        return end + 1

    def parse_starttag(self, i: int) -> int:
        rawdata = self.rawdata
        end = rawdata.find(">", i)
        if end >= 0 and rawdata.find("<", i + 1, end) < 0:
            return int(super().parse_starttag(i))  # the usual case: a tag that ends
        try:
            end = int(self.check_for_whole_start_tag(i))
        except AssertionError:  # pragma: no cover - older html.parser on odd input
            end = -1
        if end < 0 and self._closing:
            self.handle_comment(RAW + rawdata[i:])
            return len(rawdata)
        if end > i and not rawdata[i:end].rstrip().endswith(">"):
            self.handle_comment(RAW + rawdata[i:end])  # never ends: kept as written
            return end
        return int(super().parse_starttag(i))


class _ImpliedEnds(_Parser):
    """The parser for a body that leaves end tags out (most never do, and the check at
    every start tag is a fifth of the parse)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]],
                        handle_empty_element: bool = True) -> None:
        if tag in _ENDS_SOMETHING:
            self._end_implied(tag)
        super().handle_starttag(tag, attrs, handle_empty_element=handle_empty_element)


#: A start or end tag of an element whose end tag HTML lets a writer leave out.
_OMISSIBLE = re.compile(r"<(/?)(?:p|li|dt|dd|tr|td|th|option)[\s>]")
_UPPER_TAG = re.compile(r"</?[A-Z]")


def _omits_end_tags(html: str) -> bool:
    """Whether ``html`` may leave out an end tag: more such start tags than end tags, or
    tags in capitals (not counted)."""
    balance = 0
    for found in _OMISSIBLE.finditer(html):
        balance += -1 if found.group(1) else 1
    return balance > 0 or _UPPER_TAG.search(html) is not None


class _Builder(HTMLParserTreeBuilder):
    closed: set[int]
    found: list[bool]
    parser_class: type[_Parser] = _Parser

    def feed(self, markup: Any, *_: Any) -> None:
        args, kwargs = self.parser_args
        assert self.soup is not None  # BeautifulSoup sets it before it feeds
        parser = self.parser_class(self.soup, *args, **kwargs)
        parser.closed = self.closed
        parser.found = self.found
        parser.feed(markup)
        parser.close()


class Parsed(NamedTuple):
    soup: BeautifulSoup
    closed: set[int]  # the ids of the elements the source closed with an end tag
    has_comments: bool  # comments, declarations or source kept as written are in it


def parse_html(html: str, preserve_whitespace_tags: Any) -> Parsed:
    """The tree of ``html`` (``preserve_whitespace_tags`` as bs4 takes it), and which of
    its elements the source closed with an end tag: an element the source left open is
    written back without one, as it was."""
    builder = _Builder(store_line_numbers=True,
                       preserve_whitespace_tags=preserve_whitespace_tags)
    builder.closed = set()
    builder.found = [False]
    if _omits_end_tags(html):
        builder.parser_class = _ImpliedEnds
    soup = BeautifulSoup(html, builder=builder)
    return Parsed(soup, builder.closed, builder.found[0])
