"""Edits to the knowledge base's files that keep it valid: renaming a heading rewrites
the anchors linking to it, moving files rewrites the relative links to them (and theirs),
and pinning ``slug:`` keeps a moved article's public URL.

The edits are plain data (file, range, new text), computed from the check's parses and
the texts being checked, and applied by whoever asked (an editor applies them to its
buffers and files). Links are rewritten by ``markdown.relocate``, the rule ``pull`` uses
when it moves files, and respelled the way they were written.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from kbsync.engine.links import Links
from kbsync.local.fields import name_slug
from kbsync.local.tree import ARTICLE_SUFFIX
from kbsync.markdown import Heading, MarkdownRenderer
from kbsync.markdown.heading_ids import HeadingIds
from kbsync.markdown.relocate import Relocator, relocate_links, respelled
from kbsync.pull.writer import pin_slug

__all__ = ["Edit", "SlugChange", "heading_text_columns", "move_edits", "rename_heading",
           "slug_changes", "text_edits"]

#: The text of an ATX heading: after the ``#`` marks, before closing marks or ``{attrs}``.
_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]*\{[^{}]*\})?(?:[ \t]+#+)?[ \t]*$")
#: A setext heading's text line (its underline follows it).
_SETEXT = re.compile(r"^ {0,3}(?P<text>\S.*?)(?:[ \t]*\{[^{}]*\})?[ \t]*$")

ReadText = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text of ``path`` from (line, column) to (end_line, end_column), all
    1-based, the end excluded, with ``text``."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True, slots=True)
class SlugChange:
    """A move would give an article without ``slug:`` a new slug: a new public URL."""

    key: str
    old: str
    new: str


def heading_text_columns(line: str) -> tuple[int, int] | None:
    """The columns (1-based, end excluded) of a heading's text on its line."""
    found = _ATX.match(line) or _SETEXT.match(line)
    if found is None or not found.group("text"):
        return None
    return found.start("text") + 1, found.end("text") + 1


def rename_heading(links: Links, key: str, heading: Heading, text: str, line: str,
                   scheme: HeadingIds, renderer: MarkdownRenderer) -> list[Edit]:
    """The heading's text on ``line`` becomes ``text``; every link to an id that changes
    with it (its own, or a later repeat's number) follows. Links whose destination the
    parse could not place (reference links) are left: validate then names them."""
    columns = heading_text_columns(line)
    if columns is None:
        return []
    edits = [Edit(key, heading.line, columns[0], heading.line, columns[1], text)]
    outline = links.outline(key)
    read = renderer.parse(f"# {text}\n").outline
    new_text = read[0].text if read else text
    texts = [new_text if h == heading else h.text for h in outline]
    ids = scheme.ids(texts, [h.id if h.written else None for h in outline])
    renamed = {old.id: new for old, new in zip(outline, ids, strict=True)
               if old.id is not None and new is not None and old.id != new}
    for use in links.to(key):
        new_id = _renamed(use.anchor, renamed)
        link = use.link
        if new_id is not None and link.target_column:
            edits.append(Edit(use.source, link.line, link.target_column, link.line,
                              link.target_end, respelled(link.written, fragment=new_id)))
    return edits


def _renamed(anchor: str | None, renamed: Mapping[str, str]) -> str | None:
    if anchor is None:
        return None
    return next((new for old, new in renamed.items() if anchor in (old, unquote(old))), None)


def move_edits(links: Links, read: ReadText, files: Mapping[str, str],
               folders: Mapping[str, str], pins: Mapping[str, str] | None = None
               ) -> list[Edit]:
    """The link edits for moving ``files`` (old key -> new) and ``folders`` (old folder
    -> new): in every article linking into what moves, and in the moved articles (their
    own relative links start elsewhere now). ``pins``: articles (old key -> slug) that
    keep their slug, written into their front matter. Each edit is on the file where it
    is before the move."""
    moved = Relocator(files, folders)
    pins = pins or {}
    sources = {use.source for old in files for use in links.to(old)}
    sources |= {use.source for old in folders for use in links.under(old)}
    sources |= {a.key for a in links.checked.tree.articles if moved(a.key) != a.key}
    edits: list[Edit] = []
    for source in sorted(sources | set(pins)):
        text = read(source)
        if text is None:
            continue
        new = relocate_links(text, source, moved(source), moved)
        if source in pins:
            new = pin_slug(new, pins[source])
        edits += text_edits(source, text, new)
    return edits


def slug_changes(links: Links, files: Mapping[str, str],
                 folders: Mapping[str, str]) -> list[SlugChange]:
    """The moved articles whose slug comes from their file name and would change."""
    moved = Relocator(files, folders)
    changes = []
    for article in links.checked.tree.articles:
        new_key = moved(article.key)
        if new_key == article.key or "slug" in article.lines:
            continue
        stem = posixpath.basename(new_key).removesuffix(ARTICLE_SUFFIX)
        new = name_slug(stem)
        if new != article.slug:
            changes.append(SlugChange(article.key, article.slug, new))
    return changes


def text_edits(path: str, old: str, new: str) -> list[Edit]:
    """``old`` -> ``new`` as edits of whole lines, one per changed run of lines."""
    before = old.splitlines(keepends=True)
    after = new.splitlines(keepends=True)
    edits = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, first, last, start, stop in matcher.get_opcodes():
        if tag != "equal":
            end_line, end_column = _after(before, last)
            edits.append(Edit(path, first + 1, 1, end_line, end_column,
                              "".join(after[start:stop])))
    return edits


def _after(lines: list[str], index: int) -> tuple[int, int]:
    """The position just after the first ``index`` lines."""
    if index < len(lines) or not lines or lines[-1].endswith(("\n", "\r")):
        return index + 1, 1
    return len(lines), len(lines[-1]) + 1
