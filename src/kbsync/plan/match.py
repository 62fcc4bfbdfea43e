"""THE identity rule: which local item is which remote one.

Plan, apply and pull all ask this module, and nothing else decides it: two copies of
the rule would drift, and a drift here is a lost or duplicated article.

Per section (collections, articles), in this order:

1. **the lock, by slug**: the lock entry of the item's slug, when its remote id still
   exists (the usual case: the file may have moved or been renamed, the slug stays);
2. **the lock, by path**: the lock entry recorded at the item's path, when that entry's
   slug is no longer any local item's (the slug was changed in the same file);
3. **the slug**: a remote item with the same slug that nothing claimed yet (adopted:
   kbsync takes it over instead of creating a duplicate);
4. otherwise the item is new (``recreated`` when the lock knew its slug: it was deleted
   in initdesk since the last sync).

Each remote id is claimed at most once; items are visited in slug order, so the answer
never depends on the order of the files on disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kbsync.model import ActualState, DesiredState, Lock, LockEntry, Section

__all__ = ["Match", "Matching", "edited_remotely", "match", "match_section"]


@dataclass(frozen=True, slots=True)
class Match:
    """How a local item was paired with a remote one (or not)."""

    remote_id: int | None
    adopted: bool = False  # paired by slug, not through the lock
    recreated: bool = False  # the lock knew it, but it is gone remotely (deleted there)
    lock_entry: LockEntry | None = None  # what was last synced (also for a deleted one)


@dataclass(frozen=True)
class Matching:
    """The pairs of one run, by local key (folder or file path)."""

    collections: Mapping[str, Match] = field(default_factory=dict)
    articles: Mapping[str, Match] = field(default_factory=dict)

    def section(self, name: Section) -> Mapping[str, Match]:
        return self.collections if name == "collections" else self.articles

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


def match(desired: DesiredState, actual: ActualState, lock: Lock) -> Matching:
    """Pair every local collection and article with its remote item, if it has one."""
    return Matching(
        collections=match_section(
            "collections", ((c.key, c.slug) for c in desired.collections),
            {c.id: c.fields.slug for c in actual.collections.values()}, lock),
        articles=match_section(
            "articles", ((a.key, a.slug) for a in desired.articles),
            {a.id: a.fields.slug for a in actual.articles.values()}, lock),
    )


def match_section(section: Section, local: Iterable[tuple[str, str]],
                  remote: Mapping[int, str], lock: Lock) -> dict[str, Match]:
    """``{local key: Match}`` for ``(key, slug)`` pairs against remote ``{id: slug}``."""
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
        if key in out:
            continue
        same_slug = by_slug.get(slug)
        if same_slug is not None and same_slug not in claimed:
            out[key] = Match(same_slug, adopted=True)
            claimed.add(same_slug)
        else:
            entry = table.get(slug)
            gone = entry is not None and entry.id not in remote
            out[key] = Match(None, recreated=gone, lock_entry=entry if gone else None)
    return out


def edited_remotely(entry: LockEntry | None, fingerprint: str) -> bool:
    """Edited in initdesk since the last sync: the lock knew it, and it differs now."""
    return entry is not None and entry.remote != fingerprint
