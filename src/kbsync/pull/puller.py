"""Decide what ``pull`` (and ``init --from-remote``) does to each file. No writes here.

For every article the three texts are: *base*, the file as last synced (the lock's blob
id, see ``pull.bases``); *local*, the file now; *theirs*, the remote article written as
a file, using the base as template so that it differs from the base only where initdesk
changed something. Then:

- remote unchanged since the sync (same fingerprint): the file is left as it is; local
  edits are apply's business;
- only the remote changed (the file is the base): theirs is written;
- both changed: ``git merge-file`` of base, local and theirs; a clean merge is written;
  a conflict leaves the file untouched unless ``on_conflict`` says markers / theirs /
  ours. A file with uncommitted git changes is never overwritten except by a clean merge.

The lock records, per written article, the remote fingerprint and the blob id of
*theirs*: a file that is theirs exactly is then "clean" for the next plan (no render,
no change), and a merged file differs from it, so apply pushes the local half.

Moves and new siblings can shift relative links and default positions; those mechanical
edits (``pull.links``, an explicit ``position:``) are applied to base and local alike,
so they never cause a conflict and never count as a local change.

A managed article or collection whose file or folder was deleted here is a local change
too: it stays deleted (apply deletes it remotely, as ``on_delete`` says). One edited in
initdesk since the last sync is a conflict: deleting it would lose that edit.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Literal

from markdown_it.token import Token

from kbsync.config import PORTAL_FILE, ContentSettings
from kbsync.fingerprint import blob_id, fields_fingerprint
from kbsync.local.bases import BaseStore
from kbsync.local.renames import match_local
from kbsync.local.tree import COLLECTION_FILE, LocalArticle, LocalTree
from kbsync.markdown import ArticleKeys, ParsedBody, html_to_markdown, renderer_for
from kbsync.model import (
    ActualState,
    ArticleFields,
    DesiredState,
    Lock,
    LockEntry,
    PortalEntry,
    RemoteArticle,
    RenderedBody,
    Section,
)
from kbsync.plan.match import Matching, edited_remotely
from kbsync.plan.model import OnDelete
from kbsync.pull.blocks import in_own_layout
from kbsync.pull.convert import (
    CONVERSION_ERRORS,
    Converted,
    Remote,
    Way,
    convert_all,
    convert_one,
)
from kbsync.pull.layout import Layout, Placed, plan_layout
from kbsync.pull.links import relocate_links
from kbsync.pull.merge import merge3
from kbsync.pull.ordering import numbered_names, pins, sibling_groups
from kbsync.pull.paths import safe_join
from kbsync.pull.writer import article_text, collection_text, portal_text, split_article
from kbsync.pull.yaml_lines import YamlLines

__all__ = ["FileChange", "OnConflict", "PullOptions", "PullResult", "decide"]

OnConflict = Literal["fail", "markers", "theirs", "ours"]
Action = Literal["new", "updated", "merged", "markers", "theirs", "ours", "moved", "adjusted",
                 "deleted"]
_ARTICLE_ORDER = ("title", "slug", "excerpt", "status", "position")


@dataclass(frozen=True)
class PullOptions:
    prune: bool = False
    on_conflict: OnConflict = "fail"
    on_delete: OnDelete = "delete"  # "keep": a deleted file's remote edits are kept there


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file operation: write ``data`` at ``path`` (after moving it from ``old_path``)."""

    action: Action
    path: str
    data: bytes | None = None  # None: content stays (a pure move, or a deletion)
    old_path: str | None = None
    kind: Literal["article", "collection", "portal"] = "article"


@dataclass
class PullResult:
    changes: list[FileChange] = field(default_factory=list)
    folder_moves: list[tuple[str, str]] = field(default_factory=list)  # top-down
    conflicts: list[str] = field(default_factory=list)  # left untouched
    #: Those of the conflicts with uncommitted edits, which no --on-conflict overwrites.
    uncommitted: list[str] = field(default_factory=list)
    deleted_remotely: list[str] = field(default_factory=list)  # reported, kept
    deleted_here: list[str] = field(default_factory=list)  # deleted locally: left deleted
    #: Deleted locally, edited in initdesk since the last sync: left deleted, and apply
    #: will not delete them without --force.
    deleted_conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Links and anchors of the bodies converted, read from line 1, by body text (asked
    # for by init, whose check of the written files then parses none of them again).
    parsed: dict[str, ParsedBody] = field(default_factory=dict)

    def count(self, *actions: Action) -> int:
        return sum(1 for c in self.changes if c.action in actions)


@dataclass(frozen=True, slots=True)
class _Source:
    """A file's text with LF line ends, and how to encode text back the way it was."""

    text: str
    crlf: bool = False
    bom: bool = False

    @classmethod
    def decode(cls, raw: bytes) -> _Source | None:
        """None for bytes that are not UTF-8 text (such a file is never rewritten)."""
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        crlf = "\r\n" in text
        return cls(text.replace("\r\n", "\n") if crlf else text, crlf, bom)

    def encode(self, text: str) -> bytes:
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def decide(*, root: Path, tree: LocalTree, actual: ActualState, lock: Lock,
           content: ContentSettings, bases: BaseStore, dirty: set[str],
           options: PullOptions = PullOptions(), portal: bool = False,
           parse: bool = False) -> PullResult:
    """Everything pull would do, and the lock as it will be; ``lock`` is updated in place.

    Which file is which remote item is ``plan.match``'s answer, the same the plan gets.
    ``portal``: also manage ``portal.yaml`` (it exists, or init writes it). ``parse``:
    fill ``PullResult.parsed``.
    """
    matching = match_local(DesiredState(collections=tree.collections, articles=tree.articles),
                           actual, lock, root, bases)
    def placed(kept: set[str]) -> Layout:
        """Every item's place, the own moves of ``kept`` undone; then, where the names do
        not give the Help Center's order, numbered names (``pull.ordering``)."""
        layout = _without_moves(plan_layout(root, tree, actual, lock, matching), kept)
        names = numbered_names(root, layout, tree, actual)
        if not names:
            return layout
        return _without_moves(plan_layout(root, tree, actual, lock, matching, names), kept)

    layout = placed(set())
    decider = _Decider(root, tree, actual, lock, content, bases, dirty, options, layout,
                       matching, parse)
    result = decider.run()
    if decider.kept_in_place:  # a conflicting file stays put: decide again without its move
        layout = placed(decider.kept_in_place)
        first = decider
        decider = _Decider(root, tree, actual, lock, content, bases, dirty, options, layout,
                           matching, parse)
        result = decider.run(reuse=(first.way, first.converted))
    if portal and actual.portal is not None:
        decider.portal(result)
    decider.commit_lock()
    return result


def _without_moves(layout: Layout, keys: set[str]) -> Layout:
    """The layout with the own moves of ``keys`` undone (they move only with a folder)."""
    for remote_id, placed in list(layout.articles.items()):
        old = placed.local_key
        if old in keys and placed.own_move:
            key = _along(layout, old)
            layout.files[old] = key
            layout.articles[remote_id] = replace(placed, key=key, own_move=False)
    return layout


def _along(layout: Layout, key: str) -> str:
    """Where the file at ``key`` ends up when only its folder moves."""
    folder = posixpath.dirname(key)
    name = posixpath.basename(key)
    here = layout.folders.get(folder, folder) if folder else ""
    return f"{here}/{name}" if here else name


Outcome = Literal["theirs", "local", "merged", "markers", "forced", "ours"]
_ACTIONS: dict[Outcome, Action] = {"theirs": "updated", "local": "updated", "merged": "merged",
                                   "markers": "markers", "forced": "theirs", "ours": "ours"}


class _Decider:
    def __init__(self, root: Path, tree: LocalTree, actual: ActualState, lock: Lock,
                 content: ContentSettings, bases: BaseStore, dirty: set[str],
                 options: PullOptions, layout: Layout, matching: Matching,
                 parse: bool = False) -> None:
        self.root = root
        self.parse = parse
        self.matching = matching
        self.tree = tree
        self.actual = actual
        self.lock = lock
        self.content = content
        self.bases = bases
        self.dirty = dirty
        self.options = options
        self.layout = layout
        self.relocator = layout.relocator
        self.renderer = renderer_for(content.dialect)
        self.kept_in_place: set[str] = set()
        self.pending_lock: list[Callable[[], None]] = []
        self.url_of: dict[str, str] = {}
        self.key_of: dict[str, str] = {}
        for remote_id, placed in layout.articles.items():
            url = actual.articles[remote_id].url
            if url:
                self.url_of[placed.key] = url
                self.key_of[url] = placed.key
        self.article_keys = ArticleKeys(self.url_of)
        self.way = Way(dict(self.key_of), content.assets_base_url, content.dialect)
        self.converted: Mapping[str, Converted] = {}
        self.unconverted: list[str] = []  # files whose remote body stays HTML (why)
        self.pruned: set[str] = set()
        self.pins: dict[str, int] = {}

    # -- the run -------------------------------------------------------------------------

    def run(self, reuse: tuple[Way, Mapping[str, Converted]] | None = None) -> PullResult:
        """``reuse``: a first run's conversions, kept where the links read the same."""
        result = PullResult()
        for remote in self.layout.skipped:
            result.warnings.append(
                f"collection {remote.fields.slug!r} has no article in its folder here: "
                "its folder is not written (`kbsync apply --prune` deletes it)")
        gone_folders = {c.id for c in self.layout.gone_collections}
        for article in self.layout.homeless:
            where = ("a collection whose folder was deleted here"
                     if article.fields.collection_id in gone_folders
                     else "an unknown collection")
            result.warnings.append(
                f"article {article.fields.slug!r} is in {where} "
                f"({article.fields.collection_id}); written at the top level")
        self._deleted_remotely(result)
        self._deleted_here(result)
        new = [Remote(p.key, self.actual.articles[p.remote_id].fields.content,
                      self.actual.articles[p.remote_id].fields.content_html)
               for p in sorted(self.layout.articles.values(), key=lambda p: p.key)
               if p.local_key is None]  # in the order _article asks for them
        done = reuse[1] if reuse is not None and reuse[0] == self.way else {}
        # On every core when many; the rest of the decision goes on meanwhile.
        self.converted = convert_all(new, self.way, parse=self.parse,
                                     done={r.key: done[r.key] for r in new if r.key in done})
        self.pins = self._pins()
        self._folder_moves(result)
        for placed in sorted(self.layout.collections.values(), key=lambda p: p.key):
            self._collection(placed, result)
        for placed in sorted(self.layout.articles.values(), key=lambda p: p.key):
            self._article(placed, result)
        placed_keys = {p.local_key for p in self.layout.articles.values()}
        for local in self.tree.articles:
            if local.key not in placed_keys and local.key not in self.pruned:
                self._local_only(local, result)
        result.warnings.extend(self.unconverted)
        result.parsed = {c.body: c.parsed for c in self.converted.values() if c.parsed}
        return result

    def commit_lock(self) -> None:
        for step in self.pending_lock:
            step()

    def _pins(self) -> dict[str, int]:
        """Final key -> the position its file must write, where the names cannot give the
        Help Center's order (``pull.ordering``)."""
        return pins(sibling_groups(self.layout, self.tree, self.actual, self.pruned))

    # -- deletions in initdesk -----------------------------------------------------------

    def _deleted_remotely(self, result: PullResult) -> None:
        live = {p.local_key for p in self.layout.articles.values()}
        for local in self.tree.articles:
            found = self.matching.articles[local.key]
            entry = found.lock_entry
            if local.key in live or not found.recreated or entry is None:
                continue
            if not self.options.prune:
                result.deleted_remotely.append(local.key)
            elif entry.local != local.source_hash or local.key in self.dirty:
                result.deleted_remotely.append(local.key)
                result.warnings.append(f"{local.key}: deleted in initdesk but changed locally "
                                       "since the last sync; kept")
            else:
                self.pruned.add(local.key)
                result.changes.append(FileChange("deleted", _along(self.layout, local.key)))
                self.pending_lock.append(partial(self.lock.remove, "articles", local.slug))
        live_folders = {p.local_key for p in self.layout.collections.values()}
        for collection in self.tree.collections:
            found = self.matching.collections[collection.key]
            if collection.key in live_folders or not found.recreated:
                continue
            if not self.options.prune:
                result.deleted_remotely.append(collection.key + "/")
                continue
            self.pending_lock.append(partial(self.lock.remove, "collections", collection.slug))
            if self._emptied(collection.key):
                self.pruned.add(collection.key)
                result.changes.append(FileChange("deleted", self.layout.folders[collection.key],
                                                 kind="collection"))
            else:
                result.deleted_remotely.append(collection.key + "/")

    # -- deletions here ------------------------------------------------------------------

    def _deleted_here(self, result: PullResult) -> None:
        """Managed items whose file or folder is gone: never written back. Edited in
        initdesk since the last sync, they are a conflict, as in the plan: deleting them
        would lose the edit (unless on_delete leaves them there: "keep", or "draft" for a
        collection)."""
        gone: list[tuple[str, Section, int, str]] = [
            ("", "articles", remote.id, fields_fingerprint(remote.fields))
            for remote in self.layout.gone_articles]
        gone += [("/", "collections", remote.id, fields_fingerprint(remote.fields))
                 for remote in self.layout.gone_collections]
        for suffix, section, remote_id, fingerprint in gone:
            found = self.lock.by_id(section, remote_id)
            assert found is not None  # gone means: in the lock, no local item
            entry = found[1]
            path = entry.path + suffix
            kept = self.options.on_delete == "keep" or (
                self.options.on_delete == "draft" and section == "collections")
            if not kept and edited_remotely(entry, fingerprint):
                result.deleted_conflicts.append(path)
            else:
                result.deleted_here.append(path)
        result.deleted_here.sort()
        result.deleted_conflicts.sort()

    def _holds_articles(self, final_folder: str) -> bool:
        """Some article is in ``final_folder`` (a final key) or below it after this pull."""
        prefix = final_folder + "/"
        return any(new.startswith(prefix) for old, new in self.layout.files.items()
                   if old not in self.pruned) or any(
            p.key.startswith(prefix) for p in self.layout.articles.values())

    def _emptied(self, folder: str) -> bool:
        """No article stays in ``folder`` or below it after this pull."""
        prefix = folder + "/"
        staying = [old for old, new in self.layout.files.items()
                   if old.startswith(prefix) and old not in self.pruned
                   and new.startswith(prefix)]
        return not staying and not any(
            p.key.startswith(prefix) for p in self.layout.articles.values())

    # -- folders -------------------------------------------------------------------------

    def _folder_moves(self, result: PullResult) -> None:
        """Own folder moves, parents first; each from where it is once its parent moved."""
        moving = [p for p in self.layout.collections.values() if p.own_move]
        for placed in sorted(moving, key=lambda p: (p.local_key or "").count("/")):
            assert placed.local_key is not None
            here = _along(self.layout, placed.local_key)
            if here != placed.key:
                result.folder_moves.append((here, placed.key))

    def _collection(self, placed: Placed, result: PullResult) -> None:
        remote = self.actual.collections[placed.remote_id]
        path = f"{placed.key}/{COLLECTION_FILE}"
        pinned = placed.key in self.pins
        name = posixpath.basename(placed.key)
        if placed.local_key is None:
            data = collection_text(remote.fields, name=name, pinned=pinned).encode("utf-8")
            result.changes.append(FileChange("new", path, data, kind="collection"))
            self._lock("collections", remote.fields.slug, remote.id, remote.updated_at,
                       placed.key, placed.fingerprint, data)
            return
        local = self.tree.collection(placed.local_key)
        assert local is not None
        old_path = f"{placed.local_key}/{COLLECTION_FILE}"
        raw = self._read(old_path)
        decoded = _Source.decode(raw) if raw is not None else _Source("")
        if decoded is None:
            result.warnings.append(f"{old_path}: not UTF-8 text; left alone")
            return
        if raw is None and not self._holds_articles(placed.key):
            # Its last article leaves (moved or deleted in initdesk): the collection stays
            # in initdesk, so it stays here as a folder (a deleted one would be deleted).
            data = collection_text(remote.fields, name=name, pinned=pinned).encode("utf-8")
            result.changes.append(FileChange("new", path, data, kind="collection"))
            self._lock("collections", remote.fields.slug, remote.id, remote.updated_at,
                       self._lock_path(placed), placed.fingerprint, data)
            return
        current = decoded
        if not placed.remote_changed:
            self._pin_collection(placed, current, local.position, "position" in local.lines,
                                 path, result)
            return
        entry = placed.entry
        dirty = old_path in self.dirty
        base: str | None = None
        if entry is not None and entry.local == blob_id(raw or b""):
            base = current.text
        elif entry is not None and (base_raw := self.bases.get(entry.local)) is not None \
                and (old := _Source.decode(base_raw)) is not None:
            base = old.text
        elif not dirty:  # no base was recorded (apply made the entry): trust a clean file
            base = current.text
        theirs = collection_text(remote.fields, name=name, pinned=pinned,
                                 template=(base if base is not None else current.text) or None)
        outcome = self._three_way(path, base, current.text, theirs, dirty, result)
        if outcome is None:
            return
        text, how = outcome
        if text != current.text:
            result.changes.append(FileChange(_ACTIONS[how], path, current.encode(text),
                                             kind="collection"))
        self._lock("collections", remote.fields.slug, remote.id, remote.updated_at,
                   self._lock_path(placed), placed.fingerprint, current.encode(theirs))

    def _pin_collection(self, placed: Placed, current: _Source, position: int, explicit: bool,
                        path: str, result: PullResult) -> None:
        """Remote unchanged: pin the position if the folders' names no longer give the
        Help Center's order (a new or moved sibling folder)."""
        text = current.text
        if not explicit and placed.key in self.pins:
            meta = YamlLines(text)
            if meta.readable:
                meta.set("position", self.pins[placed.key],
                         after=("name", "slug", "description"))
                text = meta.text()
                result.changes.append(FileChange("adjusted", path, current.encode(text),
                                                 kind="collection"))
        entry = placed.entry
        path = self._lock_path(placed)
        if entry is not None and (path != entry.path or text != current.text):
            clean = entry.local is not None and entry.local == blob_id(current.encode(
                current.text))
            local = self.bases.put(current.encode(text)) if clean else entry.local
            self._relock("collections", self.actual.collections[placed.remote_id].fields.slug,
                         replace(entry, path=path, local=local))

    # -- articles ------------------------------------------------------------------------

    def _article(self, placed: Placed, result: PullResult) -> None:
        remote = self.actual.articles[placed.remote_id]
        fingerprint = placed.fingerprint
        if placed.local_key is None:
            data = self._theirs(remote, placed.key, None).encode("utf-8")
            result.changes.append(FileChange("new", placed.key, data))
            self._lock("articles", remote.fields.slug, remote.id, remote.updated_at,
                       placed.key, fingerprint, data)
            return
        local = self.tree.article(placed.local_key)
        assert local is not None
        current = self._current(local)
        if current is None:
            result.warnings.append(f"{local.key}: not UTF-8 text; left alone")
            return
        entry = placed.entry
        clean = entry is not None and entry.local == local.source_hash
        mine = self._mechanical(current.text, local, placed.key)
        if not placed.remote_changed:
            self._unchanged(local, placed, current, mine, clean, result)
            return
        base: str | None = mine if clean else None
        if not clean and entry is not None and (raw := self.bases.get(entry.local)) is not None:
            old = _Source.decode(raw)
            base = self._mechanical(old.text, local, placed.key) if old is not None else None
        theirs = self._theirs(remote, placed.key, base if base is not None else mine)
        outcome = self._three_way(placed.key, base, mine, theirs, local.key in self.dirty,
                                  result)
        src = _along(self.layout, local.key)
        if outcome is None:
            if placed.key != src:
                self.kept_in_place.add(local.key)
            return
        text, how = outcome
        action = "moved" if placed.key != src and text == mine else _ACTIONS[how]
        self._record(result, placed.key, src, current, text, action)
        self._lock("articles", remote.fields.slug, remote.id, remote.updated_at,
                   self._lock_path(placed), fingerprint, current.encode(theirs))

    def _record(self, result: PullResult, key: str, src: str, current: _Source, text: str,
                action: Action) -> None:
        """A change for ``key`` when its content or place differs."""
        changed = text != current.text
        moved = key != src
        if changed or moved:
            result.changes.append(FileChange(
                action if changed or action != "adjusted" else "moved", key,
                current.encode(text) if changed else None, src if moved else None))

    def _unchanged(self, local: LocalArticle, placed: Placed, current: _Source, mine: str,
                   clean: bool, result: PullResult) -> None:
        """Remote as last synced: only moves and mechanical edits reach the file."""
        self._record(result, placed.key, _along(self.layout, local.key), current, mine,
                     "adjusted")
        entry = placed.entry
        if entry is None:
            return
        new_local = entry.local
        if mine != current.text and clean:
            new_local = self.bases.put(current.encode(mine))
        elif mine != current.text and (raw := self.bases.get(entry.local)) is not None \
                and (base := _Source.decode(raw)) is not None:
            new_local = self.bases.put(base.encode(self._mechanical(base.text, local,
                                                                    placed.key)))
        path = self._lock_path(placed)
        if new_local != entry.local or path != entry.path:
            self._relock("articles", self.actual.articles[placed.remote_id].fields.slug,
                         replace(entry, path=path, local=new_local))

    def _local_only(self, local: LocalArticle, result: PullResult) -> None:
        """A file initdesk does not have (new, or deleted there): mechanical edits only."""
        key = self.layout.files.get(local.key, local.key)
        current = self._current(local)
        if current is not None:  # renamed when its folder is numbered (pull.ordering)
            self._record(result, key, _along(self.layout, local.key), current,
                         self._mechanical(current.text, local, key), "adjusted")

    def _current(self, local: LocalArticle) -> _Source | None:
        raw = self._read(local.key)
        return _Source.decode(raw) if raw is not None else None

    def _mechanical(self, text: str, local: LocalArticle, key: str) -> str:
        """Relative links fixed for the moves, and the position pinned where the order of
        file names no longer gives the Help Center's order."""
        if self.relocator:
            text = relocate_links(text, local.key, key, self.relocator)
        if not local.explicit_position and key in self.pins:
            text = pin_position(text, self.pins[key])
        return text

    def _theirs(self, remote: RemoteArticle, key: str, template: str | None) -> str:
        """The remote article as this file: the template's body kept when it renders to
        the remote body, else the remote body in the template's own layout where it can
        be (``pull.blocks``), else the remote HTML (or text) converted to Markdown."""
        body: str | None = None
        fields = remote.fields
        tree_body = split_article(template).tree_body if template is not None else None
        if tree_body is None or self._render(tree_body, key) != \
                RenderedBody(fields.content_html, fields.content):
            body = (self._in_own_layout(tree_body, fields, key) if tree_body else None) \
                or self._converted(key, fields, like=tree_body)
        return article_text(fields, name=posixpath.basename(key), pinned=key in self.pins,
                            body=body, template=template)

    def _converted(self, key: str, fields: ArticleFields, like: str | None = None) -> str:
        """The whole remote body as Markdown (converted ahead for new articles), in the
        syntax of the file it replaces (``like``) where the dialect has two."""
        done = self.converted.get(key)
        if done is None:
            done = convert_one(Remote(key, fields.content, fields.content_html, like), self.way)
        if done.problem is not None:
            self.unconverted.append(f"{key}: {done.problem}")
        return done.body

    def _in_own_layout(self, tree_body: str, fields: ArticleFields, key: str) -> str | None:
        """The remote HTML body, keeping the template's blocks initdesk did not change."""
        if not fields.content_html or len(fields.content_html) < len(fields.content):
            return None  # the plain text is what readers see: nothing to keep

        def render(tokens: Sequence[Token]) -> str:
            return self.renderer.render(
                ParsedBody(tuple(tokens), (), frozenset()), article_key=key,
                resolve_article_url=self.url_of.get,
                assets_base_url=self.content.assets_base_url,
                article_keys=self.article_keys).html

        def convert(html: str) -> str:
            return html_to_markdown(html, url_to_key=self.key_of.get, article_key=key,
                                    assets_base_url=self.content.assets_base_url,
                                    dialect=self.content.dialect, like=tree_body)

        try:
            return in_own_layout(tree_body, fields.content_html, self.renderer, render,
                                 convert)
        except CONVERSION_ERRORS:
            return None  # the whole body's conversion keeps it as HTML and says why

    def _render(self, body: str, key: str) -> RenderedBody:
        parsed = self.renderer.parse(body)
        return self.renderer.render(parsed, article_key=key, resolve_article_url=self.url_of.get,
                                    assets_base_url=self.content.assets_base_url,
                                    article_keys=self.article_keys)

    # -- the lock ------------------------------------------------------------------------

    def _lock(self, section: Section, slug: str, remote_id: int, updated_at: str | None,
              key: str, fingerprint: str, data: bytes) -> None:
        """Record an item as synced: ``data`` is the file text that stands for the remote."""
        self._relock(section, slug, LockEntry(remote_id, key, fingerprint, updated_at,
                                              self.bases.put(data)))

    def _lock_path(self, placed: Placed) -> str:
        """The path the lock keeps: where the last sync put the item, carried along by this
        pull's moves. A move made locally and not applied yet is not recorded, so pull
        never moves the file back and plan still shows the move."""
        entry = placed.entry
        if entry is None or placed.own_move:
            return placed.key
        return self.relocator(entry.path)

    def _relock(self, section: Section, slug: str, entry: LockEntry) -> None:
        self.pending_lock.append(lambda: self.lock.put(section, slug, entry))

    # -- three-way -----------------------------------------------------------------------

    def _three_way(self, path: str, base: str | None, local: str, theirs: str, dirty: bool,
                   result: PullResult) -> tuple[str, Outcome] | None:
        """The text to keep at ``path`` and how it came about; None: left untouched."""
        if base == local or theirs == local:
            return theirs, "theirs"
        if base == theirs:
            return local, "local"
        merged = merge3(base, local, theirs) if base is not None else None
        if merged is not None and not merged.conflicts:
            return merged.text, "merged"
        mode = self.options.on_conflict
        if mode == "ours":
            return local, "ours"
        if dirty or mode == "fail" or (mode == "markers" and merged is None):
            result.conflicts.append(path)
            if dirty:
                result.uncommitted.append(path)
            return None
        if mode == "theirs":
            return theirs, "forced"
        assert merged is not None
        return merged.text, "markers"

    # -- portal --------------------------------------------------------------------------

    def portal(self, result: PullResult) -> None:
        portal = self.actual.portal
        assert portal is not None
        raw = self._read(PORTAL_FILE)
        fingerprint = fields_fingerprint(portal.settings)
        entry = PortalEntry(fingerprint, portal.updated_at)
        if raw is None:
            data = portal_text(portal.settings).encode("utf-8")
            result.changes.append(FileChange("new", PORTAL_FILE, data, kind="portal"))
        elif self.lock.portal is None or self.lock.portal.remote != fingerprint:
            current = _Source.decode(raw)
            if current is None:
                result.warnings.append(f"{PORTAL_FILE}: not UTF-8 text; left alone")
                return
            theirs = portal_text(portal.settings, current.text)
            dirty = PORTAL_FILE in self.dirty
            outcome = self._three_way(PORTAL_FILE, None if dirty else current.text,
                                      current.text, theirs, dirty, result)
            if outcome is None:
                return
            if outcome[0] != current.text:
                result.changes.append(FileChange(_ACTIONS[outcome[1]], PORTAL_FILE,
                                                 current.encode(outcome[0]), kind="portal"))
        else:
            return
        self.pending_lock.append(lambda: setattr(self.lock, "portal", entry))

    def _read(self, key: str) -> bytes | None:
        try:
            return safe_join(self.root, key).read_bytes()
        except OSError:
            return None


def pin_position(text: str, position: int) -> str:
    """``text`` with an explicit ``position:`` in its front matter (added if missing)."""
    parts = split_article(text)
    if parts.front is None:
        return f"---\nposition: {position}\n---\n" + ("\n" + text if text else "")
    meta = YamlLines(parts.front)
    if not meta.readable:
        return text
    meta.set("position", position, after=_ARTICLE_ORDER[:-1])
    return f"---\n{meta.text()}{parts.closer}{parts.body}"
