"""Completion: link targets (every article by relative path and title), the anchors of
a link's target under the configured heading-id scheme, images (files in the tree),
front-matter keys (``extra_keys`` too) and values, callout kinds after ``> [!``.

A link's items are the articles whose path or title holds what is typed so far, the
same folder first, at most :data:`MAX_ITEMS` of them (the list says it is incomplete, so
the editor asks again as the writer types): a knowledge base of thousands of articles
completes as fast as a small one.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from lsprotocol import types

from kbsync.local.assets import asset_type, linkable_files
from kbsync.local.tree import LocalArticle
from kbsync.lsp.describe import key_documentation, place
from kbsync.lsp.positions import Lines
from kbsync.lsp.session import Session
from kbsync.lsp.source import Typed, front_matter_lines, typed_link
from kbsync.markdown import resolve_relative
from kbsync.markdown.callouts import ALERT_KINDS
from kbsync.markdown.paths import encoded_link_path
from kbsync.model import STATUSES
from kbsync.schema.frontmatter import ARTICLE_KEYS, key_help

__all__ = ["MAX_ITEMS", "complete"]

MAX_ITEMS = 200
_CALLOUT = re.compile(r"^[ \t]{0,3}(?:>[ \t]*)+\[!(?P<typed>[A-Za-z]*)$")
_KEY_TYPED = re.compile(r"^(?P<typed>[A-Za-z_][\w-]*)?$")
_VALUE_TYPED = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:[ \t]*(?P<typed>\S*)$")
_NEEDS_QUOTING = re.compile(r"[\s()<>%#?\\]")


@dataclass(frozen=True, slots=True)
class _Target:
    """An article as a link from one folder writes it."""

    written: str
    article: LocalArticle
    near: int  # how many folders up the link climbs: the same folder's come first


def complete(session: Session, key: str, lines: Lines, line: int,
             column: int) -> types.CompletionList:
    before = lines.line(line)[:column - 1]
    front = front_matter_lines([lines.line(n) for n in range(1, len(lines.lines) + 1)])
    items: list[types.CompletionItem] = []
    incomplete = False
    if front is not None and front[0] <= line <= front[1]:
        items = _front_matter(session, before, lines, front)
    elif (callout := _CALLOUT.match(before)) is not None:
        items = _callouts(session, callout.group("typed"), lines, line, column)
    elif (typed := typed_link(before)) is not None:
        start = column - len(typed.text)
        items, incomplete = _link(session, key, typed, lines.range(line, start, line, column))
    return types.CompletionList(is_incomplete=incomplete, items=items)


# -- links -------------------------------------------------------------------------------

def _link(session: Session, key: str, typed: Typed,
          replace: types.Range) -> tuple[list[types.CompletionItem], bool]:
    if "#" in typed.text:
        return _anchors(session, key, typed.text, replace), False
    if typed.is_image:
        return _images(session, key, typed.text, replace)
    wanted = typed.text.lower()
    found = [t for t in _targets(session, key)
             if wanted in t.written.lower() or wanted in t.article.title.lower()]
    items = [types.CompletionItem(
        label=t.written, kind=types.CompletionItemKind.File, detail=t.article.title,
        documentation=_about(session, t.article), filter_text=f"{t.written} {t.article.title}",
        sort_text=f"{t.near:03d}{t.written}", text_edit=types.TextEdit(replace, t.written))
        for t in found[:MAX_ITEMS]]
    return items, len(found) > MAX_ITEMS


def _targets(session: Session, key: str) -> list[_Target]:
    """Every article as written from ``key``'s folder, nearest first (kept per check)."""
    folder = posixpath.dirname(key) or "."
    cache = session.memo.setdefault("targets", {})
    found: list[_Target] | None = cache.get(folder)
    if found is None:
        found = []
        for article in session.links.checked.tree.articles:
            relative = posixpath.relpath(article.key, folder)
            found.append(_Target(_spelled(relative), article, relative.count("../")))
        found.sort(key=lambda t: (t.near, t.written))
        cache[folder] = found
    return found


def _spelled(path: str) -> str:
    return encoded_link_path(path) if _NEEDS_QUOTING.search(path) else path


def _about(session: Session, article: LocalArticle) -> str:
    excerpt = f"\n\n{article.excerpt}" if article.excerpt else ""
    return place(session, article) + excerpt


def _anchors(session: Session, key: str, typed: str,
             replace: types.Range) -> list[types.CompletionItem]:
    """The ids of the target's headings (and its other anchors), after the ``#``."""
    path, _, fragment = typed.partition("#")
    resolved = resolve_relative(key, f"{path}#")
    if resolved is None:
        return []
    links = session.links
    target = links.find(resolved[0])
    start = replace.start
    after_hash = types.Range(types.Position(start.line, start.character + len(path) + 1),
                             replace.end)
    items = []
    headings = links.outline(target)
    for heading in headings:
        if heading.id is not None:
            items.append(types.CompletionItem(
                label=heading.id, kind=types.CompletionItemKind.Reference,
                detail=f"{'#' * heading.level} {heading.text}",
                sort_text=f"0{heading.line:06d}", text_edit=types.TextEdit(after_hash, heading.id)))
    parsed = links.checked.parsed.get(target)
    named = {h.id for h in headings}
    for anchor in sorted(parsed.anchors - named) if parsed is not None else ():
        items.append(types.CompletionItem(label=anchor, kind=types.CompletionItemKind.Reference,
                                          detail="anchor", sort_text=f"1{anchor}",
                                          text_edit=types.TextEdit(after_hash, anchor)))
    return [i for i in items if fragment.lower() in i.label.lower()]


def _images(session: Session, key: str, typed: str,
            replace: types.Range) -> tuple[list[types.CompletionItem], bool]:
    folder = posixpath.dirname(key) or "."
    images = [rel for rel in linkable_files(session.root)
              if (asset_type(rel) or "").startswith("image/")]
    found = sorted((_spelled(posixpath.relpath(rel, folder)) for rel in images),
                   key=lambda written: (written.count("../"), written))
    found = [w for w in found if typed.lower() in w.lower()]
    items = [types.CompletionItem(label=w, kind=types.CompletionItemKind.File,
                                  sort_text=f"{n:05d}", text_edit=types.TextEdit(replace, w))
             for n, w in enumerate(found[:MAX_ITEMS])]
    return items, len(found) > MAX_ITEMS


# -- front matter and callouts -----------------------------------------------------------

def _front_matter(session: Session, before: str, lines: Lines,
                  front: tuple[int, int]) -> list[types.CompletionItem]:
    value = _VALUE_TYPED.match(before)
    if value is not None:
        if value.group("key") != "status":
            return []
        help_ = key_help("status")
        return [types.CompletionItem(label=status, kind=types.CompletionItemKind.EnumMember,
                                     documentation=help_[0] if help_ else None)
                for status in STATUSES]
    if _KEY_TYPED.match(before) is None:
        return []
    written = {line.split(":", 1)[0].strip() for line in
               (lines.line(n) for n in range(front[0], front[1] + 1)) if ":" in line}
    keys = [k for k in (*ARTICLE_KEYS, *session.config.content.extra_keys) if k not in written]
    return [types.CompletionItem(
        label=key, kind=types.CompletionItemKind.Property, insert_text=f"{key}: ",
        documentation=types.MarkupContent(types.MarkupKind.Markdown, key_documentation(
            key, session.config.content.extra_keys)))
        for key in keys]


def _callouts(session: Session, typed: str, lines: Lines, line: int,
              column: int) -> list[types.CompletionItem]:
    if "alerts" not in session.config.content.markdown:
        return []
    replace = lines.range(line, column - len(typed), line, column)
    return [types.CompletionItem(label=kind.upper(), kind=types.CompletionItemKind.Keyword,
                                 detail=f"{title} callout",
                                 text_edit=types.TextEdit(replace, f"{kind.upper()}]"))
            for kind, title in ALERT_KINDS.items() if kind.startswith(typed.lower())]
