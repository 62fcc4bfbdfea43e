"""What a complete apply leaves behind besides the remote writes: the lock and the bases.

The executor records each item it writes. After a complete run two more things are
true and are recorded here: items that were already in sync but not in the plan (a
renamed file with an unchanged article, a whitespace-only edit, a write that was
committed although its answer was lost) are followed by the lock, so the next run sees
no drift; and each applied file's text is kept as pull's merge base, so a file applied
but never committed can still be merged later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from kbsync.fingerprint import blob_id, fields_fingerprint
from kbsync.local.bases import BaseStore
from kbsync.model import (
    ActualState,
    DesiredState,
    LocalArticle,
    LocalCollection,
    Lock,
    RemoteArticle,
    RemoteCollection,
    Section,
)
from kbsync.plan.match import Match, Matching
from kbsync.plan.model import Change, Plan
from kbsync.plan.planner import targeted

__all__ = ["record_bases", "sync_lock"]


def sync_lock(lock: Lock, desired: DesiredState, actual: ActualState, matching: Matching,
              plan: Plan) -> None:
    """Record the items that are in sync but were not in the plan, as they are now.

    Under ``--target`` only the targeted items were compared: one outside the targets is
    absent from the plan because nobody looked, not because it is in sync, and recording
    it would hide its edit from every later plan.
    """
    pending = {c.key for c in plan.changes}
    targets = plan.options.get("targets") or ()
    sections: tuple[tuple[Section, Sequence[LocalArticle | LocalCollection],
                          Mapping[str, Match], Mapping[int, RemoteArticle | RemoteCollection]],
                    ...] = (
        ("articles", desired.articles, matching.articles, actual.articles),
        ("collections", desired.collections, matching.collections, actual.collections))
    for section, items, matches, remotes in sections:
        for item in items:
            found = matches.get(item.key)
            if found is None or found.lock_entry is None or found.remote_id is None \
                    or item.key in pending or not targeted(item.key, targets):
                continue
            remote = remotes.get(found.remote_id)
            if remote is None:
                continue
            entry = found.lock_entry
            synced = replace(entry, path=item.key, remote=fields_fingerprint(remote.fields),
                             updated_at=remote.updated_at)
            if isinstance(item, LocalArticle):
                synced = replace(synced, local=item.source_hash)
            if synced != entry:
                lock.put(section, item.slug, synced)


def record_bases(root: Path, lock: Lock, done: Iterable[Change]) -> None:
    """Keep a copy of each article file as applied (unchanged since it was planned)."""
    bases = BaseStore(root)
    for change in done:
        if change.kind != "article" or not change.local_fingerprint:
            continue
        try:
            data = (root / change.key).read_bytes()
        except OSError:
            continue
        if blob_id(data) == change.local_fingerprint:
            bases.put(data)
    bases.save({entry.local for _, entry in lock.entries("articles") if entry.local})
