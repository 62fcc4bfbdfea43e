"""``tables``: GitHub pipe tables. Written back as a pipe table when every cell holds one
line of inline content (and there is no caption, no colspan...); raw HTML otherwise."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kbsync.markdown.extension import Extension

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it import MarkdownIt

    from kbsync.markdown.writer import Writer


def _setup(md: MarkdownIt) -> None:
    md.enable("table")


def _write(writer: Writer, node: Tag, parent_tags: set[str]) -> str | None:
    """A GFM pipe table, or None when a cell holds more than one line of text."""
    from bs4.element import Tag

    from kbsync.markdown.html_tree import first_tag, rows

    if node.name != "table":
        return None
    grid = [[c for c in tr.children if isinstance(c, Tag) and c.name in ("td", "th")]
            for tr in rows(node)]
    if "_inline" in parent_tags or not any(grid) or not all(
            simple_cell(cell) for row in grid for cell in row) or first_tag(node, "caption") \
            or not _header_row(node, grid):
        return None
    width = max(len(row) for row in grid)
    tags = parent_tags | {"table"}
    lines = [_row(writer, grid[0], width, tags),
             "| " + " | ".join(align(c) for c in [*grid[0], *([None] * (width - len(grid[0])))])
             + " |"]
    lines += [_row(writer, row, width, tags) for row in grid[1:]]
    return writer.sep(node) + writer.block_attributes(node) + "\n".join(lines) + writer.sep(node)


def _header_row(table: Tag, grid: list[list[Tag]]) -> bool:
    """A pipe table always has a header row: only a table whose first row is its header
    (in ``<thead>``, or all ``<th>``) can be written as one without changing it; a table
    written in HTML with a plain first row stays HTML."""
    from bs4.element import Tag

    from kbsync.markdown.html_tree import rows

    first = next(rows(table))
    parent = first.parent
    return (isinstance(parent, Tag) and parent.name == "thead") or all(
        cell.name == "th" for cell in grid[0])


def _row(writer: Writer, cells: list[Tag], width: int, tags: set[str]) -> str:
    texts = [_cell(writer, cell, tags) for cell in cells]
    texts += [""] * (width - len(texts))
    return "| " + " | ".join(texts) + " |"


def _cell(writer: Writer, cell: Tag, tags: set[str]) -> str:
    text = writer.children(cell, tags | {cell.name, "_inline"})
    return re.sub(r"\s*\n\s*", " ", text).strip(" \t")


def simple_cell(cell: Tag) -> bool:
    """A cell a pipe table can hold: inline content, at most one paragraph of it."""
    from kbsync.markdown.html_tree import BLOCK, attr, tags_below

    if cell.has_attr("colspan") and attr(cell, "colspan") != "1":
        return False
    if cell.has_attr("rowspan") and attr(cell, "rowspan") != "1":
        return False
    blocks = [t for t in tags_below(cell) if t.name in BLOCK]
    if any(t.name not in ("p", "div") for t in blocks):
        return False
    return len(blocks) <= 1


def align(cell: Tag | None) -> str:
    """The delimiter-row cell for a header cell's text-align (style or align attribute)."""
    from kbsync.markdown.html_tree import attr

    if cell is None:
        return "---"
    style = (attr(cell, "style") or "").replace(" ", "").lower()
    match = re.search(r"text-align:(left|right|center)", style)
    align_ = match.group(1) if match else (attr(cell, "align") or "").lower()
    return {"left": ":--", "right": "--:", "center": ":-:"}.get(align_, "---")


EXTENSION = Extension("tables", "GitHub pipe tables", True, _setup, write=_write,
                      writes=frozenset({"table"}))
