"""The HTML side of the write-back: what kind each element is, and cheap walks of bs4's
tree (bs4's own searches, ``find_all`` and ``find_parent``, were half the time of
``init --from-remote``, so these use plain child and descendant iteration)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Tag


def names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# CommonMark HTML-block "type 6" names: such a tag at a line start begins a raw block.
TYPE6 = names(
    "address article aside base basefont blockquote body caption center col colgroup dd "
    "details dialog dir div dl dt fieldset figcaption figure footer form frame frameset "
    "h1 h2 h3 h4 h5 h6 head header hr html iframe legend li link main menu menuitem nav "
    "noframes ol optgroup option p param search section summary table tbody td tfoot th "
    "thead title tr track ul")


RAW_TEXT = frozenset({"script", "style", "textarea"})  # "type 1": blank lines allowed


BLOCK = TYPE6 | RAW_TEXT | names(
    "pre video audio picture canvas svg object noscript template math")


# Blocks whose content is inline: an element inside them is in an inline context.
LEAF_BLOCKS = names("p h1 h2 h3 h4 h5 h6 td th dt summary caption figcaption legend pre")


# Blocks Markdown itself writes: inside a raw block they end its leading raw part.
MD_BLOCKS = names("p ul ol pre blockquote table h1 h2 h3 h4 h5 h6 hr")


# Raw blocks that contain other blocks (unlike <summary> or <figcaption>).
CONTAINERS = names("address article aside center details dialog div dl fieldset figure "
                     "footer form header iframe main menu nav search section")


VOID = names("area base br col embed hr img input link meta param source track wbr")


HEADINGS = names("h1 h2 h3 h4 h5 h6")


class _EveryTag(frozenset[str]):
    """bs4 collapses whitespace-only strings outside these tags; ``<code>  </code>`` and
    ``*a*  *b*`` need theirs, and the converter's own rules decide what whitespace means."""

    def __contains__(self, item: object) -> bool:
        return True


EVERY_TAG = _EveryTag()


def attr(tag: Tag, name: str) -> str | None:
    """An attribute as one string (bs4 hands out multi-valued ones such as class as lists)."""
    value = tag.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else " ".join(value)


def classes(tag: PageElement | None) -> list[str]:
    return (attr(tag, "class") or "").split() if isinstance(tag, Tag) else []


def tags_below(node: Tag) -> Iterator[Tag]:
    """Every element below ``node`` in document order: ``find_all(True)`` without the
    filter machinery that made bs4's searches a third of the conversion time."""
    return (el for el in node.descendants if isinstance(el, Tag))


def first_tag(node: Tag, name: str | None = None) -> Tag | None:
    """The first element below ``node`` (named ``name``): bs4's ``find``, cheaper."""
    return next((el for el in tags_below(node) if name is None or el.name == name), None)


def rows(table: Tag) -> Iterator[Tag]:
    """The ``<tr>`` s of ``table`` itself, in order: not those of a table inside a cell.

    Walked with a stack: what a table holds may nest deeper than recursion allows."""
    stack = [kid for kid in reversed(table.contents) if isinstance(kid, Tag)]
    while stack:
        tag = stack.pop()
        if tag.name == "table":
            continue
        if tag.name == "tr":
            yield tag
        stack.extend(kid for kid in reversed(tag.contents) if isinstance(kid, Tag))


def nearest(tag: Tag, name: str) -> Tag | None:
    """The closest ancestor named ``name`` (bs4's ``find_parent`` costs far more)."""
    parent = tag.parent
    while parent is not None and parent.name != name:
        parent = parent.parent
    return parent


def is_block(el: PageElement | None) -> bool:
    return isinstance(el, Tag) and el.name in BLOCK


def first_content(tag: PageElement | None) -> PageElement | None:
    """The first child of ``tag`` that is not whitespace."""
    if not isinstance(tag, Tag):
        return None
    for kid in tag.children:
        if isinstance(kid, Tag) or str(kid).strip():
            return kid
    return None


def prev_content(el: Tag) -> PageElement | None:
    """The nearest earlier sibling that is not whitespace."""
    node = el.previous_sibling
    while node is not None and not isinstance(node, Tag) and not str(node).strip():
        node = node.previous_sibling
    return node


def next_content(el: Tag) -> PageElement | None:
    """The nearest later sibling that is not whitespace."""
    node = el.next_sibling
    while node is not None and not isinstance(node, Tag) and not str(node).strip():
        node = node.next_sibling
    return node


def has_content(el: Tag, *, before: bool) -> bool:
    """Whether text or an element other than <br> comes before (after) ``el`` in its block,
    looking out of inline elements (``a<em><br>b</em>`` has content on both sides)."""
    current: PageElement = el
    while True:
        node = current.previous_sibling if before else current.next_sibling
        while node is not None:
            if isinstance(node, Tag) and node.name != "br":
                return True
            if isinstance(node, NavigableString) and str(node).strip(" \t\n\xa0"):
                return True
            node = node.previous_sibling if before else node.next_sibling
        parent = current.parent
        if parent is None or isinstance(parent, BeautifulSoup) or is_block(parent):
            return False
        current = parent


#: What markdownify counts as a heading (a prefix match: ``h1`` ... and any ``h<digits>``).
HEADING_NAME = re.compile(r"h[0-9]+")


#: Blocks whose whitespace-only first and last children mean nothing.
TRIMMED = names("p blockquote article div section ol ul li dl dt dd table thead tbody tfoot "
                  "tr td th")


def drops_whitespace_inside(el: PageElement | None) -> bool:
    """markdownify's rule: whitespace just inside these blocks is dropped."""
    if not isinstance(el, Tag) or not el.name:
        return False
    return el.name in TRIMMED or HEADING_NAME.match(el.name) is not None


def drops_whitespace_outside(el: PageElement | None) -> bool:
    return drops_whitespace_inside(el) or (isinstance(el, Tag) and el.name == "pre")
