"""Is this lock about this Help Center? Two checks before the lock is trusted.

The lock is what turns "a file" into "the remote item it overwrites". A lock made against
one Help Center and pointed at another (``--base-url``, ``INITDESK_BASE_URL``, another
``--org``) would make every article look "edited in initdesk", and ``pull`` would then
replace the files with the other tenant's articles, ``apply --force`` overwrite them.
A hand-edited lock whose ids were swapped would make ``pull`` swap files. So:

* :func:`check_lock_remote`, before any request: a lock with entries belongs to the
  Help Center it records (base URL compared normalised, organization id). An empty lock
  binds to the first remote it is used with.
* :func:`check_lock_ids`, right after the Help Center is read and before anything is
  planned or pulled: no entry may point at an item that is evidently another entry's.

An entry whose id now holds an item with another slug is usually a slug changed in the
web UI since the last sync: a normal remote edit (a conflict for plan, a pull for pull).
It is refused only on evidence that the lock, not the Help Center, changed:

1. *swapped*: the lock gives that other slug to a second id, which holds this entry's
   slug (the two entries' ids were exchanged);
2. *another entry's item*: the item is exactly what the lock recorded for the other
   slug (same managed fields), yet the lock gives that slug to another live id;
3. *unchanged since before the sync*: the item was last updated before the sync the
   entry records, so its slug cannot have changed since.

Pure: reads nothing, sends nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from kbsync.errors import ConfigError
from kbsync.fingerprint import fields_fingerprint
from kbsync.model import ActualState, Lock, RemoteArticle, RemoteCollection, RemoteRef, Section
from kbsync.model.lockstate import same_remote
from kbsync.problems import clipped, shown

__all__ = ["check_lock_ids", "check_lock_remote", "lock_mismatches", "remote_mismatch"]

LOCK_NAME = "kbsync.lock"
_ADOPT = "move kbsync.lock away, then run `kbsync plan`: items are then matched by slug"


def remote_mismatch(lock: Lock, remote: RemoteRef) -> str | None:
    """Why this lock cannot be used against ``remote``, or None when it can."""
    if lock.is_empty:
        return None  # a new lock binds to the first remote it meets
    recorded = lock.remote
    if recorded is None:
        return (f"{LOCK_NAME} lists synced items but not the Help Center they belong to; "
                "nothing was sent. Restore it from git, or " + _ADOPT)
    if same_remote(recorded, remote):
        return None
    was, now = _describe(recorded), _describe(remote)
    return (
        f"{LOCK_NAME} belongs to another Help Center: this folder was synced with {was}; "
        f"this command points at {now} (from --base-url/--org, INITDESK_BASE_URL/"
        "INITDESK_ORG_ID or kbsync.toml). Nothing was sent. To go on with the Help Center "
        f"the lock records, point kbsync back at it. To start over against {now}: "
        f"`kbsync --base-url {clipped(remote.base_url)} --org {remote.organization_id} "
        "init --from-remote NEWDIR`; to adopt its articles by slug instead: " + _ADOPT)


def check_lock_remote(lock: Lock, remote: RemoteRef) -> None:
    """Refuse (ConfigError, exit 1) a lock made for another Help Center; no request yet."""
    problem = remote_mismatch(lock, remote)
    if problem is not None:
        raise ConfigError(problem)


def lock_mismatches(lock: Lock, actual: ActualState) -> list[str]:
    """Every lock entry that evidently points at another entry's remote item."""
    found: list[str] = []
    found += _section(lock, "collections", actual.collections)
    found += _section(lock, "articles", actual.articles)
    return found


def check_lock_ids(lock: Lock, actual: ActualState) -> None:
    """Refuse a lock whose ids were edited into pointing at other items, before any
    plan or pull is made from it."""
    found = lock_mismatches(lock, actual)
    if found:
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
        raise ConfigError(
            f"{LOCK_NAME} does not match the Help Center: " + "; ".join(found[:5]) + more
            + ". The lock was edited or mixed up (nothing was sent, no file was changed); "
            "kbsync will not guess which file is which item. Restore kbsync.lock from git, "
            "or " + _ADOPT)


def _section(lock: Lock, section: Section,
             items: Mapping[int, RemoteArticle] | Mapping[int, RemoteCollection]) -> list[str]:
    table = lock.section(section)
    noun = "article" if section == "articles" else "collection"
    out = []
    for slug, entry in lock.entries(section):
        now = items.get(entry.id)
        if now is None or now.fields.slug == slug:
            continue
        holds = now.fields.slug
        where = f"{noun} {shown(slug)} is recorded as id {entry.id}, which holds {shown(holds)}"
        other = table.get(holds)
        if other is not None and other.id != entry.id and other.id in items:
            other_now = items[other.id]
            if other_now.fields.slug == slug:
                out.append(f"{where}, while {shown(holds)} is recorded as id {other.id}, "
                           f"which holds {shown(slug)} (the ids were swapped)")
                continue
            if other.remote == fields_fingerprint(now.fields):
                out.append(f"{where}, exactly as the lock recorded {shown(holds)}, which it "
                           f"gives to id {other.id}")
                continue
        if _before(now.updated_at, entry.updated_at):
            out.append(f"{where}, unchanged since {clipped(str(now.updated_at), 40)}, before "
                       f"the sync the entry records ({clipped(str(entry.updated_at), 40)})")
    return out


def _before(when: str | None, sync: str | None) -> bool:
    """``when`` is strictly earlier than ``sync`` (False when either is unknown)."""
    a, b = _moment(when), _moment(sync)
    if a is None or b is None:
        return False
    try:
        return a < b
    except TypeError:  # one has a time zone, the other not
        return False


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None


def _describe(remote: RemoteRef) -> str:
    return f"organization {remote.organization_id} at {clipped(remote.base_url)}"
