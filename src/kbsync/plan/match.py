"""THE identity rule: which local item is which remote one.

Plan, apply, pull and the preview all ask this module, and nothing else decides it: two
copies of the rule would drift, and a drift here is a lost or duplicated article.

Per section (articles first, then collections), in this order:

1. **the lock, by slug**: the lock entry of the item's slug, when its remote id still
   exists (the usual case: the file may have moved or been renamed, the slug stays);
2. **the lock, by path**: the lock entry recorded at the item's path, when that entry's
   slug is no longer any local item's (the slug was changed in the same file);
3. **the slug**: a remote item with the same slug that nothing claimed yet (adopted:
   kbsync takes it over instead of creating a duplicate);
4. **a rename**: an item that would otherwise be new takes over a lock entry that no
   local item claims any more (its slug is no local item's, and nothing is at its path)
   when it is the same content: byte for byte (the file's blob id is the one the lock
   recorded), or what git calls a rename (similar enough, ``RENAME_SIMILARITY``; the
   scores come in as data, see ``local.renames``). A folder is the same collection as a
   folder that is gone when most of the gone folder's managed articles are now in it.
   The best score pairs first, ties by path; each lock entry is taken once;
5. otherwise the item is new (``recreated`` when the lock knew its slug: it was deleted
   in initdesk since the last sync).

A lock entry that nothing claims while its remote item exists is **gone**: its file or
folder was deleted here (``Matching.gone``). Plan makes it a deletion; pull leaves it
deleted. Each remote id is claimed at most once; items are visited in slug order, so the
answer never depends on the order of the files on disk.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kbsync.model import ActualState, DesiredState, Lock, LockEntry, Section

__all__ = ["RENAME_SIMILARITY", "Match", "Matching", "Similarity", "edited_remotely", "match",
           "match_section"]

#: How alike a new file and a gone one must be to count as one renamed file: git's
#: default for ``git diff -M`` (a similarity index of 50 %).
RENAME_SIMILARITY = 0.5

#: ``(local key, lock path) -> similarity`` (0 to 1) of a new item to a gone one.
Similarity = Mapping[tuple[str, str], float]


@dataclass(frozen=True, slots=True)
class Match:
    """How a local item was paired with a remote one (or not)."""

    remote_id: int | None
    adopted: bool = False  # paired by slug, not through the lock
    recreated: bool = False  # the lock knew it, but it is gone remotely (deleted there)
    lock_entry: LockEntry | None = None  # what was last synced (also for a deleted one)
    renamed_from: str | None = None  # paired by content with what was synced at this path


@dataclass(frozen=True)
class Matching:
    """The pairs of one run, by local key (folder or file path), and what is gone."""

    collections: Mapping[str, Match] = field(default_factory=dict)
    articles: Mapping[str, Match] = field(default_factory=dict)
    #: Lock entries (by slug) whose remote item exists and that no local item claims.
    gone_collections: Mapping[str, LockEntry] = field(default_factory=dict)
    gone_articles: Mapping[str, LockEntry] = field(default_factory=dict)
    #: What a similarity score is wanted for: the gone articles a new file may be a
    #: rename of, and the new files (``local.renames`` scores these pairs).
    rename_sources: tuple[LockEntry, ...] = ()
    new_articles: tuple[str, ...] = ()

    def section(self, name: Section) -> Mapping[str, Match]:
        return self.collections if name == "collections" else self.articles

    def gone(self, name: Section) -> Mapping[str, LockEntry]:
        return self.gone_collections if name == "collections" else self.gone_articles

    def collection_id(self, key: str | None) -> int | None:
        """The remote id of the collection at ``key`` (None: top level, or not created)."""
        if key is None:
            return None
        found = self.collections.get(key)
        return found.remote_id if found is not None else None

    def local_keys(self, section: Section) -> dict[int, str]:
        """Remote id -> the local key paired with it."""
        return {m.remote_id: key for key, m in self.section(section).items()
                if m.remote_id is not None}


def match(desired: DesiredState, actual: ActualState, lock: Lock,
          similar: Similarity | None = None) -> Matching:
    """Pair every local collection and article with its remote item, if it has one.

    ``similar``: similarity scores of new files to gone ones (``local.renames``); without
    them only byte-for-byte renames are found.
    """
    by_blob: dict[str, list[str]] = {}
    for _, entry in lock.entries("articles"):
        if entry.local:
            by_blob.setdefault(entry.local, []).append(entry.path)
    same_text = {(a.key, path): 1.0 for a in desired.articles
                 for path in by_blob.get(a.source_hash, ())}
    remote_articles = {a.id: a.fields.slug for a in actual.articles.values()}
    articles = match_section("articles", ((a.key, a.slug) for a in desired.articles),
                             remote_articles, lock, {**(similar or {}), **same_text})
    remote_collections = {c.id: c.fields.slug for c in actual.collections.values()}
    folders = [(c.key, c.slug) for c in desired.collections]
    local_slugs = {slug for _, slug in folders}
    renamed_folders = (any(slug not in lock.collections for slug in local_slugs)
                       and any(slug not in local_slugs for slug in lock.collections))
    collections = match_section("collections", folders, remote_collections, lock,
                                _folders_moved(articles, lock) if renamed_folders else None)
    gone_articles = _gone(lock, "articles", articles, remote_articles)
    sources, new = _rename_candidates(articles, gone_articles)
    return Matching(
        collections=collections, articles=articles,
        gone_collections=_gone(lock, "collections", collections, remote_collections),
        gone_articles=gone_articles, rename_sources=sources, new_articles=new)


def match_section(section: Section, local: Iterable[tuple[str, str]],
                  remote: Mapping[int, str], lock: Lock,
                  similar: Similarity | None = None) -> dict[str, Match]:
    """``{local key: Match}`` for ``(key, slug)`` pairs against remote ``{id: slug}``.

    ``similar`` scores new items against lock entries by path (rule 4).
    """
    items = sorted(local, key=lambda item: (item[1], item[0]))
    slugs = {slug for _, slug in items}
    table = lock.section(section)
    claimed: set[int] = set()
    out: dict[str, Match] = {}
    for key, slug in items:
        entry = table.get(slug)
        if entry is None:
            by_path = lock.by_path(section, key)
            if by_path is not None and by_path[0] not in slugs:
                entry = by_path[1]
        if entry is not None and entry.id in remote and entry.id not in claimed:
            out[key] = Match(entry.id, lock_entry=entry)
            claimed.add(entry.id)
    by_slug: dict[str, int] = {}
    for remote_id in sorted(remote):
        by_slug.setdefault(remote[remote_id], remote_id)
    for key, slug in items:
        same_slug = by_slug.get(slug)
        if key not in out and same_slug is not None and same_slug not in claimed:
            out[key] = Match(same_slug, adopted=True)
            claimed.add(same_slug)
    new = [key for key, slug in items if key not in out and slug not in table]
    keys = {key for key, _ in items}
    gone = [entry for slug, entry in lock.entries(section)
            if slug not in slugs and entry.path not in keys
            and entry.id in remote and entry.id not in claimed]
    for key, entry in _renames(new, gone, similar or {}):
        out[key] = Match(entry.id, lock_entry=entry, renamed_from=entry.path)
    for key, slug in items:
        if key not in out:
            entry = table.get(slug)
            gone_there = entry is not None and entry.id not in remote
            out[key] = Match(None, recreated=gone_there,
                             lock_entry=entry if gone_there else None)
    return out


def _renames(new: list[str], gone: list[LockEntry],
             similar: Similarity) -> list[tuple[str, LockEntry]]:
    """Rule 4: the best-scoring (new key, gone entry) pairs, each side taken once."""
    scored = sorted(((score, key, entry) for key in new for entry in gone
                     if (score := similar.get((key, entry.path), 0.0)) >= RENAME_SIMILARITY),
                    key=lambda item: (-item[0], item[1], item[2].path))
    taken_keys: set[str] = set()
    taken_ids: set[int] = set()
    pairs: list[tuple[str, LockEntry]] = []
    for _, key, entry in scored:
        if key not in taken_keys and entry.id not in taken_ids:
            pairs.append((key, entry))
            taken_keys.add(key)
            taken_ids.add(entry.id)
    return pairs


def _folders_moved(articles: Mapping[str, Match], lock: Lock) -> dict[tuple[str, str], float]:
    """``(new folder, gone folder) -> share`` of the gone folder's managed articles (those
    below it, per the lock) that are now below the new folder."""
    synced: dict[str, int] = {}
    for _, synced_entry in lock.entries("articles"):
        for folder in _folders_above(synced_entry.path):
            synced[folder] = synced.get(folder, 0) + 1
    moved: dict[tuple[str, str], int] = {}
    for key, found in articles.items():
        entry = found.lock_entry
        if entry is None or found.remote_id is None or entry.path == key:
            continue
        for old in _folders_above(entry.path):
            for new in _folders_above(key):
                moved[(new, old)] = moved.get((new, old), 0) + 1
    return {pair: count / synced[pair[1]] for pair, count in moved.items()
            if count * 2 > synced[pair[1]]}


def _folders_above(path: str) -> list[str]:
    """Every folder ``path`` is in, the nearest first (none for a top-level item)."""
    out = []
    folder = posixpath.dirname(path)
    while folder:
        out.append(folder)
        folder = posixpath.dirname(folder)
    return out


def _gone(lock: Lock, section: Section, pairs: Mapping[str, Match],
          remote: Mapping[int, str]) -> dict[str, LockEntry]:
    """Lock entries (by slug) whose remote item exists and that no local item claims."""
    claimed = {m.remote_id for m in pairs.values() if m.remote_id is not None}
    return {slug: entry for slug, entry in lock.entries(section)
            if entry.id in remote and entry.id not in claimed}


def _rename_candidates(articles: Mapping[str, Match], gone: Mapping[str, LockEntry]
                       ) -> tuple[tuple[LockEntry, ...], tuple[str, ...]]:
    """Gone articles nothing is at the path of, and new files the lock never knew: the
    pairs a similarity score may still join (rule 4)."""
    new = tuple(sorted(key for key, m in articles.items()
                       if m.remote_id is None and not m.recreated))
    keys = set(articles)
    sources = tuple(entry for entry in gone.values() if entry.path not in keys)
    return (sources, new) if sources and new else ((), ())


def edited_remotely(entry: LockEntry | None, fingerprint: str) -> bool:
    """Edited in initdesk since the last sync: the lock knew it, and it differs now."""
    return entry is not None and entry.remote != fingerprint
