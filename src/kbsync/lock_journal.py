"""``.kbsync/lock.journal``: what apply changed in the lock since kbsync.lock was written.

Apply must leave, after every request, a lock the next run converges from, even when it
is killed. Writing the whole of kbsync.lock after each request did that at a cost that
grew with the lock (1,000 articles: 1,021 whole-lock writes and 2,044 fsyncs in one
apply). Now each step appends one line to this journal, with only the entries the step
put or removed, and fsyncs it: a constant cost per write. kbsync.lock is written whole
once, when the run ends (``kbsync.lock.save_lock``), and the journal is then removed.

A journal left behind (the run was killed, or the machine lost power) is read with the
lock: every reader of kbsync.lock sees its records (``load_lock``), and the next run
that writes the lock folds them in. What makes that safe:

* **A torn last record** (killed mid-append) is a line without its newline, or one that
  does not parse: it is left out, as are any lines after it. Its step happened in
  initdesk but is in no lock, exactly as when a run was killed between a request and
  the lock write before: the next plan finds the item by its slug, with no duplicate.
* **A journal belongs to one kbsync.lock**: its first line holds a hash of the bytes of
  kbsync.lock when the journal was started. Once kbsync.lock is anything else (written
  whole since, restored from git, changed by a checkout or a pull of the repository),
  the journal is stale and ignored, and the next write of the lock removes it. The
  journal lives in ``.kbsync/`` (never committed): committing kbsync.lock while a
  journal is pending commits the lock as it was before the killed run, which is a lock
  another clone converges from as well (by slug); here, the next apply or pull writes
  the journal's records into kbsync.lock, and that change is committed next.

Only a run holding the run lock writes a journal, so there is never more than one
writer; a reader (``plan``) needs no lock: it reads whole lines only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kbsync.config import STATE_DIR
from kbsync.errors import StateError
from kbsync.local.writer import atomic_write
from kbsync.model import Lock, LockEntry, PortalEntry, RemoteRef
from kbsync.schema.lockfile import JournalHeader, JournalRecord
from kbsync.statedir import ensure_state_dir, state_dir_problem

__all__ = ["JOURNAL", "JournalWriter", "base_of", "journal_path", "read_journal",
           "remove_journal"]

log = logging.getLogger("kbsync.lock")

JOURNAL = "lock.journal"
#: A journal larger than this is not one kbsync wrote (a record is a few hundred bytes).
MAX_JOURNAL_BYTES = 1 << 30
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def journal_path(lock_path: Path) -> Path:
    return lock_path.parent / STATE_DIR / JOURNAL


def base_of(lock_bytes: bytes | None) -> str | None:
    """What a journal records of the kbsync.lock it follows (None: there was none)."""
    return None if lock_bytes is None else "sha256:" + hashlib.sha256(lock_bytes).hexdigest()


def read_journal(lock: Lock, lock_path: Path, lock_bytes: bytes | None) -> int:
    """Apply to ``lock`` (read from ``lock_bytes``) the complete records of a journal
    that follows it; the number applied. A stale or unreadable journal applies none."""
    lines = _lines(lock_path)
    if not lines or _header(lines[0]) != base_of(lock_bytes):
        return 0
    applied = 0
    for line in lines[1:]:
        record = _record(line)
        if record is None:
            break  # a torn or broken record: nothing after it is trusted either
        _apply(lock, record)
        applied += 1
    return applied


def _lines(lock_path: Path) -> list[bytes]:
    path = journal_path(lock_path)
    if state_dir_problem(path.parent) is not None:
        return []
    try:
        if not path.is_file() or path.stat().st_size > MAX_JOURNAL_BYTES:
            return []
        data = path.read_bytes()
    except OSError:
        return []
    return data.splitlines(keepends=True)


def _header(line: bytes) -> str | None:
    """The base a header line names; :data:`_NOT_A_HEADER` when it is not a header."""
    try:
        return JournalHeader.model_validate_json(line).base
    except ValidationError:
        log.debug("%s: not a lock journal; ignored", JOURNAL)
        return _NOT_A_HEADER


_NOT_A_HEADER = "(not a journal)"  # never a base: bases are "sha256:..." or None


def _record(line: bytes) -> JournalRecord | None:
    if not line.endswith(b"\n"):
        return None
    try:
        return JournalRecord.model_validate_json(line)
    except ValidationError:
        log.debug("%s: a broken record; it and what follows are ignored", JOURNAL)
        return None


def _apply(lock: Lock, record: JournalRecord) -> None:
    remote = record.remote
    if remote is not None and remote.base_url is not None and remote.organization_id:
        lock.bind(RemoteRef(remote.base_url, remote.organization_id))
    for section in ("collections", "articles"):
        for slug, entry in getattr(record, section).items():
            if entry is None:
                lock.remove(section, slug)
            else:
                lock.put(section, slug, LockEntry(**dict(entry)))
    if "portal" in record.model_fields_set:
        portal = record.portal
        lock.portal = None if portal is None else PortalEntry(portal.remote, portal.updated_at)
    if "render" in record.model_fields_set:
        lock.render = record.render
    for where, names in record.assets.items():
        for name in names:
            lock.add_asset(where, name)


def remove_journal(lock_path: Path) -> None:
    """After kbsync.lock was written whole: its journal, if any, is folded in."""
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        journal_path(lock_path).unlink()


class JournalWriter:
    """A new journal for ``lock`` (read from ``lock_path``), to which each step appends
    a record of what it changed, with one fsync.

    What ``lock`` holds and kbsync.lock does not (the records of a journal left behind,
    read with the lock) is the new journal's first record, written with its header in
    one atomic replace of the old journal: nothing of it is lost at any moment.
    """

    def __init__(self, lock: Lock, lock_path: Path) -> None:
        self.path = journal_path(lock_path)
        ensure_state_dir(self.path.parent)
        try:
            lock_bytes: bytes | None = lock_path.read_bytes()
        except FileNotFoundError:
            lock_bytes = None
        header = json.dumps({"journal": 1, "base": base_of(lock_bytes)}) + "\n"
        pending = _line(lock) if lock.has_changes else ""
        try:
            atomic_write(self.path, header + pending)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | _O_NOFOLLOW)
        except OSError as exc:  # a folder there, a read-only .kbsync, a full disk
            raise StateError(f"{self.path}: cannot write the lock's journal "
                             f"({exc.strerror or exc}); kbsync keeps it there while apply "
                             "runs: delete whatever is at that name, and check the disk"
                             ) from None
        self.records = 1 if pending else 0

    def record(self, lock: Lock) -> None:
        """Make what changed in ``lock`` since the last record durable."""
        if not lock.has_changes:
            return
        os.write(self._fd, _line(lock).encode("utf-8"))
        os.fsync(self._fd)
        self.records += 1

    def close(self) -> None:
        os.close(self._fd)


def _line(lock: Lock) -> str:
    """One record: what changed in ``lock`` since it was last written or recorded."""
    return json.dumps(_changes(lock), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")) + "\n"


def _changes(lock: Lock) -> dict[str, Any]:
    entries, parts, assets = lock.take_changes()
    out: dict[str, Any] = {}
    for where, name in assets:
        out.setdefault("assets", {}).setdefault(where, []).append(name)
    for section, slug in entries:
        entry = lock.section(section).get(slug)
        out.setdefault(section, {})[slug] = None if entry is None else entry.to_dict()
    for part in parts:
        if part == "remote":
            out[part] = {"base_url": lock.base_url, "organization_id": lock.organization_id}
        elif part == "portal":
            out[part] = None if lock.portal is None else lock.portal.to_dict()
        else:
            out[part] = lock.render
    return out
