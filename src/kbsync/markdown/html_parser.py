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

from collections import Counter
from typing import Any

from bs4 import BeautifulSoup
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder

__all__ = ["RAW", "parse_html"]

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
_P_SCOPE = frozenset({"button", "table", "td", "th", "caption", "object", "template",
                      "html", "li", "dd", "dt", "blockquote", "div"})


class _Counted:
    """bs4's list of void elements closed already, as a multiset."""

    def __init__(self, names: Any = ()) -> None:
        self._counts = Counter(names)

    def append(self, name: str) -> None:
        self._counts[name] += 1

    def remove(self, name: str) -> None:
        self._counts[name] -= 1

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._counts[name] > 0


class _Parser(BeautifulSoupHTMLParser):
    _closing = False
    closed: set[int]  # the elements an end tag in the source closed (by id)

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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]],
                        handle_empty_element: bool = True) -> None:
        self._end_implied(tag)
        super().handle_starttag(tag, attrs, handle_empty_element=handle_empty_element)

    def _end_implied(self, tag: str) -> None:
        ends, stops = _IMPLIED.get(tag, (frozenset(), frozenset()))
        if tag in _BLOCK_STARTS:
            ends, stops = frozenset({"p"}), _P_SCOPE
        if not ends:
            return
        soup = self.soup
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
        ended = next((t for t in reversed(soup.tagStack) if t.name == tag), None)
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


class _Builder(HTMLParserTreeBuilder):
    closed: set[int]

    def feed(self, markup: Any, *_: Any) -> None:
        args, kwargs = self.parser_args
        assert self.soup is not None  # BeautifulSoup sets it before it feeds
        parser = _Parser(self.soup, *args, **kwargs)
        parser.closed = self.closed
        parser.feed(markup)
        parser.close()


def parse_html(html: str, preserve_whitespace_tags: Any) -> tuple[BeautifulSoup, set[int]]:
    """The tree of ``html`` (``preserve_whitespace_tags`` as bs4 takes it), and the ids of
    its elements the source closed with an end tag: an element the source left open is
    written back without one, as it was."""
    builder = _Builder(store_line_numbers=True,
                       preserve_whitespace_tags=preserve_whitespace_tags)
    builder.closed = set()
    return BeautifulSoup(html, builder=builder), builder.closed
