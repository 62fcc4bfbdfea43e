"""Where every remote collection and article lives locally after a pull.

Which local item is which remote one is the plan's answer (``plan.match``, the one
identity rule), read from the remote side. Then every folder and file gets its final key:

- a matched item stays where it is, unless initdesk moved it since the last sync (its
  remote fingerprint changed) and it was not moved locally meanwhile: then it moves to
  its remote parent's folder, keeping its name where it can;
- a new item gets a safe, unique name (``pull.paths.safe_name``) in its parent's folder;
- an empty remote collection gets its folder with a ``_collection.yaml`` (a folder
  holding one is a collection, articles or not);
- a managed item whose file or folder was deleted here (``Matching.gone``) gets no
  place: pull never brings back what was deleted locally (apply deletes it remotely).

Names are unique per folder against what is on disk as well as what this pull creates,
and never match ``.kbsyncignore`` (an ignored file would not be read back).
"""

from __future__ import annotations

import os
import posixpath
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kbsync.fingerprint import fields_fingerprint
from kbsync.local.ignore import IgnoreRules
from kbsync.local.tree import ARTICLE_SUFFIX, LocalCollection, LocalTree, natural_key
from kbsync.markdown.relocate import Relocator
from kbsync.model import (
    ActualState,
    Lock,
    LockEntry,
    RemoteArticle,
    RemoteCollection,
    Section,
)
from kbsync.plan.match import Matching, edited_remotely
from kbsync.pull.paths import safe_join, safe_name

__all__ = ["Layout", "Names", "Placed", "folder_indexes", "plan_layout"]


@dataclass(frozen=True, slots=True)
class Placed:
    """One remote item and its local counterpart (None: new), with its final key."""

    remote_id: int
    key: str  # final key: folder for a collection, .md file for an article
    local_key: str | None  # current key of the local counterpart
    entry: LockEntry | None  # the lock entry of this remote id
    fingerprint: str  # of the remote fields: what the lock records for it after this pull
    remote_changed: bool  # remote fingerprint differs from the lock's (or no lock entry)
    own_move: bool = False  # moves to a new parent (not just along with its folder)


@dataclass(frozen=True)
class Names:
    """Names to give instead of the usual ones (``pull.ordering``): numbered, so that the
    folders' names give the Help Center's order."""

    collections: dict[int, str] = field(default_factory=dict)  # remote id -> folder name
    articles: dict[int, str] = field(default_factory=dict)  # remote id -> file name
    local: dict[str, str] = field(default_factory=dict)  # local-only file key -> file name

    def __bool__(self) -> bool:
        return bool(self.collections or self.articles or self.local)


@dataclass
class Layout:
    collections: dict[int, Placed] = field(default_factory=dict)  # remote id -> placed
    articles: dict[int, Placed] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # local folder key -> final key
    files: dict[str, str] = field(default_factory=dict)  # local file key -> final key
    skipped: list[RemoteCollection] = field(default_factory=list)  # no article lands here
    homeless: list[RemoteArticle] = field(default_factory=list)  # no folder for its collection
    #: Managed items whose file or folder was deleted here: not written back.
    gone_collections: list[RemoteCollection] = field(default_factory=list)
    gone_articles: list[RemoteArticle] = field(default_factory=list)

    @property
    def relocator(self) -> Relocator:
        return Relocator(self.files, self.folders)

    def final_folder(self, local_key: str | None) -> str:
        return "" if local_key is None else self.folders[local_key]


def plan_layout(root: Path, tree: LocalTree, actual: ActualState, lock: Lock,
                matching: Matching, names: Names = Names()) -> Layout:
    """Give each remote item, paired with its local one by ``matching``, its final place;
    ``names`` renames some in place (a renamed item counts as moving by itself)."""
    return _Planner(root, tree, actual, lock, matching, names).run()


def folder_indexes(keys: Iterable[str]) -> dict[str, int]:
    """Each key's default position: its index among its siblings in natural name order."""
    by_folder: dict[str, list[str]] = {}
    for key in keys:
        by_folder.setdefault(posixpath.dirname(key), []).append(key)
    out: dict[str, int] = {}
    for siblings in by_folder.values():
        ordered = sorted(siblings, key=lambda k: natural_key(posixpath.basename(k)))
        out.update({key: index for index, key in enumerate(ordered)})
    return out


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


class _Planner:
    def __init__(self, root: Path, tree: LocalTree, actual: ActualState, lock: Lock,
                 matching: Matching, names: Names) -> None:
        self.root = root
        self.names = names
        self.tree = tree
        self.actual = actual
        self.lock = lock
        self.rules, _ = IgnoreRules.load(root)
        self.layout = Layout()
        self.taken: dict[str, set[str]] = {}
        self.origin: dict[str, str | None] = {"": ""}  # final folder -> its folder on disk now
        self.collection_of = matching.local_keys("collections")
        self.article_of = matching.local_keys("articles")
        self.local_collection = {v: k for k, v in self.collection_of.items()}
        self.collection_ids = _ids_by_key(lock, "collections")
        self.article_ids = _ids_by_key(lock, "articles")
        self.gone_collection_ids = {e.id for e in matching.gone_collections.values()}
        self.gone_article_ids = {e.id for e in matching.gone_articles.values()}
        self.filled = _collections_with_articles(actual)
        self._visiting: set[str] = set()
        self._remote_visiting: set[int] = set()

    def run(self) -> Layout:
        for collection in self.tree.collections:
            self.final_local(collection.key)
        for remote_id in sorted(self.actual.collections):
            self.final_remote(remote_id)
        for article in sorted(self.actual.articles.values(), key=lambda a: a.id):
            self.place_article(article)
        self._drop_unused_folders()
        placed = {p.local_key for p in self.layout.articles.values()}
        for local in self.tree.articles:
            if local.key not in placed:
                folder = self.layout.final_folder(local.collection_key)
                name = self.names.local.get(local.key, posixpath.basename(local.key))
                self._taken(folder).add(name)
                self.layout.files[local.key] = _join(folder, name)
        return self.layout

    def _drop_unused_folders(self) -> None:
        """A new folder for a collection whose articles all land elsewhere is not made (say
        they were moved locally and not applied yet); an empty collection keeps its own."""
        used: set[str] = set()
        keys = [posixpath.dirname(p.key) for p in self.layout.articles.values()]
        keys += [p.key for remote_id, p in self.layout.collections.items()
                 if remote_id not in self.filled]
        for folder in keys:
            while folder and folder not in used:
                used.add(folder)
                folder = posixpath.dirname(folder)
        for remote_id, placed in list(self.layout.collections.items()):
            if placed.local_key is None and placed.key not in used:
                del self.layout.collections[remote_id]
                self.layout.skipped.append(self.actual.collections[remote_id])

    # -- collections ---------------------------------------------------------------------

    def final_local(self, key: str) -> str:
        """The final folder of the local collection at ``key`` (memoised)."""
        if key in self.layout.folders:
            return self.layout.folders[key]
        local = self.tree.collection(key)
        assert local is not None
        self._visiting.add(key)
        remote_id = self.local_collection.get(key)
        remote = self.actual.collections.get(remote_id) if remote_id is not None else None
        parent = self.final_local(local.parent_key) if local.parent_key else ""
        name = posixpath.basename(key)
        own_move = False
        if remote is not None and self._moved_remotely(remote, local):
            target = self._remote_parent_folder(remote)
            if target is not None and target != parent:
                parent, own_move = target, True
                name = self._unique(parent, name, is_dir=True, keep=True)
        renamed = self.names.collections.get(remote.id) if remote is not None else None
        if renamed is not None and renamed != name:
            own_move = True
            name = self._unique(parent, renamed, is_dir=True, keep=True)
        final = _join(parent, name)
        self._visiting.discard(key)
        self.layout.folders[key] = final
        self.origin[final] = key
        if remote is not None:
            self.layout.collections[remote.id] = self._placed(
                "collections", remote.id, final, key, fields_fingerprint(remote.fields),
                own_move)
        return final

    def _moved_remotely(self, remote: RemoteCollection, local: LocalCollection) -> bool:
        entry = self._entry("collections", remote.id)
        return (entry is not None and entry.path == local.key
                and edited_remotely(entry, fields_fingerprint(remote.fields)))

    def _remote_parent_folder(self, remote: RemoteCollection) -> str | None:
        """The final folder of ``remote``'s parent, None when that would be a cycle."""
        parent_id = remote.fields.parent_id
        if parent_id is None:
            return ""
        parent_local = self.collection_of.get(parent_id)
        if parent_local is not None and parent_local in self._visiting:
            return None
        if parent_id in self._remote_visiting:
            return None
        return self.final_remote(parent_id)

    def final_remote(self, remote_id: int) -> str | None:
        """The final folder of a remote collection; None for an unknown one, or one whose
        folder was deleted here since the last sync."""
        local_key = self.collection_of.get(remote_id)
        if local_key is not None:
            return self.final_local(local_key)
        if remote_id in self.layout.collections:
            return self.layout.collections[remote_id].key
        remote = self.actual.collections.get(remote_id)
        if remote is None:
            return None
        if remote_id in self.gone_collection_ids:  # synced, then its folder was deleted
            if remote not in self.layout.gone_collections:
                self.layout.gone_collections.append(remote)
            return None
        self._remote_visiting.add(remote_id)
        parent = self._remote_parent_folder(remote)
        self._remote_visiting.discard(remote_id)
        parent = parent if parent is not None else ""
        name = self._unique(parent, self.names.collections.get(remote_id) or safe_name(
            remote.fields.slug, remote.fields.name, taken=self._taken(parent), suffix=""),
                            is_dir=True)
        final = _join(parent, name)
        self.origin[final] = None
        self.layout.collections[remote_id] = self._placed(
            "collections", remote_id, final, None, fields_fingerprint(remote.fields), False)
        return final

    # -- articles ------------------------------------------------------------------------

    def place_article(self, remote: RemoteArticle) -> None:
        if remote.id in self.gone_article_ids:  # synced, then its file was deleted
            self.layout.gone_articles.append(remote)
            return
        collection_id = remote.fields.collection_id
        target = self.final_remote(collection_id) if collection_id is not None else ""
        if target is None:
            self.layout.homeless.append(remote)
            target = ""
        fingerprint = fields_fingerprint(remote.fields)
        local_key = self.article_of.get(remote.id)
        if local_key is None:
            name = self.names.articles.get(remote.id) or safe_name(
                remote.fields.slug, remote.fields.title, taken=self._taken(target),
                suffix=ARTICLE_SUFFIX)
            name = self._unique(target, name, is_dir=False)
            key = _join(target, name)
            self.layout.articles[remote.id] = self._placed("articles", remote.id, key, None,
                                                           fingerprint, False)
            return
        local = self.tree.article(local_key)
        assert local is not None
        here = self.layout.final_folder(local.collection_key)
        name = posixpath.basename(local_key)
        entry = self._entry("articles", remote.id)
        own_move = (entry is not None and entry.path == local_key
                    and edited_remotely(entry, fingerprint) and target != here)
        if own_move:
            here = target
        renamed = self.names.articles.get(remote.id)
        if renamed is not None and renamed != name:
            name, own_move = renamed, True
        if own_move:
            name = self._unique(here, name, is_dir=False, keep=True)
        key = _join(here, name)
        self.layout.files[local_key] = key
        self.layout.articles[remote.id] = self._placed("articles", remote.id, key, local_key,
                                                       fingerprint, own_move)

    # -- names ---------------------------------------------------------------------------

    def _placed(self, section: Section, remote_id: int, key: str, local_key: str | None,
                fingerprint: str, own_move: bool) -> Placed:
        entry = self._entry(section, remote_id)
        changed = entry is None or edited_remotely(entry, fingerprint)
        return Placed(remote_id, key, local_key, entry, fingerprint, changed, own_move)

    def _entry(self, section: Section, remote_id: int) -> LockEntry | None:
        table = self.collection_ids if section == "collections" else self.article_ids
        return table.get(remote_id)

    def _taken(self, folder: str) -> set[str]:
        """Names in ``folder`` (final key): on disk now, plus those this pull assigned."""
        if folder not in self.taken:
            source = self.origin.get(folder)
            names: set[str] = set()
            if source is not None:
                try:
                    names = set(os.listdir(safe_join(self.root, source) if source
                                           else self.root))
                except OSError:
                    names = set()
            self.taken[folder] = names
        return self.taken[folder]

    def _unique(self, folder: str, name: str, *, is_dir: bool, keep: bool = False) -> str:
        """``name``, or the next free variant, never ignored; recorded as taken."""
        taken = self._taken(folder)
        suffix = "" if is_dir else ARTICLE_SUFFIX
        stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
        candidate = name
        if keep and _folded(candidate) in {_folded(n) for n in taken}:
            candidate = safe_name(stem, stem, taken=taken, suffix=suffix)
        while self.rules.is_ignored(_join(folder, candidate), is_dir=is_dir):
            taken.add(candidate)
            candidate = safe_name(stem, stem, taken=taken, suffix=suffix)
        taken.add(candidate)
        return candidate


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _ids_by_key(lock: Lock, section: Section) -> dict[int, LockEntry]:
    return {entry.id: entry for _, entry in lock.entries(section)}


def _collections_with_articles(actual: ActualState) -> set[int]:
    """Ids of collections with at least one article in them or below them."""
    filled: set[int] = set()
    for article in actual.articles.values():
        current = article.fields.collection_id
        steps = 0
        while current is not None and current not in filled and steps < 16:
            filled.add(current)
            parent = actual.collections.get(current)
            current = parent.fields.parent_id if parent is not None else None
            steps += 1
    return filled
