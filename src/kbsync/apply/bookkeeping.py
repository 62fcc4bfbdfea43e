"""What a complete apply leaves behind besides the remote writes: the lock and the bases.

The executor records each item it writes. After a complete run two more things are
true and are recorded here: items that were already in sync but not in the plan (a
renamed file with an unchanged article, a whitespace-only edit, a write that was
committed although its answer was lost) are followed by the lock, so the next run sees
no drift; and each applied file's text is kept as pull's merge base, so a file applied
but never committed can still be merged later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from kbsync.fingerprint import blob_id, fields_fingerprint
from kbsync.local.bases import BaseStore
from kbsync.model import ActualState, DesiredState, Lock
from kbsync.plan.match import Matching
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
    for article in desired.articles:
        if not targeted(article.key, targets):
            continue
        found = matching.articles.get(article.key)
        entry = found.lock_entry if found is not None else None
        remote = actual.articles.get(found.remote_id) \
            if found is not None and found.remote_id is not None else None
        if entry is None or remote is None or article.key in pending:
            continue
        synced = replace(entry, path=article.key, local=article.source_hash,
                         remote=fields_fingerprint(remote.fields), updated_at=remote.updated_at)
        if synced != entry:
            lock.put("articles", article.slug, synced)
    for collection in desired.collections:
        if not targeted(collection.key, targets):
            continue
        found = matching.collections.get(collection.key)
        entry = found.lock_entry if found is not None else None
        current = actual.collections.get(found.remote_id) \
            if found is not None and found.remote_id is not None else None
        if entry is None or current is None or collection.key in pending:
            continue
        synced = replace(entry, path=collection.key, remote=fields_fingerprint(current.fields),
                         updated_at=current.updated_at)
        if synced != entry:
            lock.put("collections", collection.slug, synced)


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
