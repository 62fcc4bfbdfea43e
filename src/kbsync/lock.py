"""kbsync.lock on disk: read it, write it atomically, keep it durable during apply.

The file is committed with the knowledge base, so it is deterministic and diff-friendly
(sorted keys, one item per line; see ``model.lockstate``). It is written whole through
a temporary file and a rename, so a crash leaves the old lock or the new one, never half
of one. During apply, each step's changes are appended to ``.kbsync/lock.journal``
instead (:func:`journaled`; see ``lock_journal`` for why that is as safe), and the lock
is written whole once at the end. The token is never written here.

Reading is strict: a lock is what decides which remote item a file overwrites, so a
lock that was hand-edited into another shape (a list where entries belong, an id that
is not a number, two entries claiming one remote id) is refused with the entry named,
never guessed at. Its shape is ``schema.lockfile``'s pydantic models.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kbsync.config import LOCK_FILE
from kbsync.errors import ConfigError
from kbsync.local.writer import atomic_write
from kbsync.lock_journal import JournalWriter, read_journal, remove_journal
from kbsync.model import LOCK_VERSION, Lock, LockEntry, PortalEntry, Section
from kbsync.problems import clipped, shown
from kbsync.schema.lockfile import LockFile, RemoteFile, kind_of, lock_problem, remote_problem

__all__ = ["RESTORE_HINT", "journaled", "load_lock", "save_lock"]

log = logging.getLogger("kbsync.lock")

RESTORE_HINT = ("restore kbsync.lock from git (`git checkout -- kbsync.lock`), or move it "
                "away and run `kbsync plan`: items are then matched by slug")
#: A lock is a few hundred bytes per item; anything near this is not a lock.
MAX_LOCK_BYTES = 256 << 20
SECTIONS: tuple[Section, ...] = ("collections", "articles")


def save_lock(lock: Lock, path: Path) -> None:
    """Write the lock whole; a journal it was read with is folded in, so it goes."""
    atomic_write(path, lock.dumps())
    lock.mark_written()
    remove_journal(path)


@contextlib.contextmanager
def journaled(lock: Lock, path: Path) -> Iterator[Callable[[Lock], None]]:
    """Keep ``lock`` durable while the block writes to the Help Center.

    Yields what to call after each step: it appends the step's changes to the journal
    (``lock_journal``), a constant cost. When the block ends, however it ends, the lock
    is written whole once (if anything changed) and the journal removed; should even
    that fail, the journal stays and the next run reads it.
    """
    writer = JournalWriter(lock, path)
    try:
        yield writer.record
    except BaseException:
        writer.close()
        try:
            _settle(lock, path, writer)
        except Exception as exc:  # the journal stays: read with the lock next time
            log.debug("kbsync.lock not written (%s); %s keeps the changes", exc, writer.path)
        raise
    writer.close()
    _settle(lock, path, writer)


def _settle(lock: Lock, path: Path, writer: JournalWriter) -> None:
    if writer.records or lock.has_changes:
        save_lock(lock, path)
    else:
        remove_journal(path)


def load_lock(path: Path) -> Lock:
    """Read the lock, with what a journal left by a killed run adds to it (the lock then
    has changes: the next write folds them in); a missing file is an empty lock (first
    run, or a fresh checkout)."""
    if not path.exists() and not path.is_symlink():
        lock = Lock()
        read_journal(lock, path, None)
        return lock
    data, raw = _read_json(path)
    if not isinstance(data, dict):
        raise _bad(f"not a lock file (a JSON object with version, remote, articles and "
                   f"collections), got {kind_of(data)}")
    if "version" not in data:
        raise _bad('no "version": not a lock file kbsync wrote')
    if data["version"] != LOCK_VERSION or isinstance(data["version"], bool):
        raise _bad(f"unknown lock format version {shown(data['version'])} (this kbsync "
                   f"reads version {LOCK_VERSION})",
                   "a newer kbsync wrote it: upgrade kbsync; else " + RESTORE_HINT)
    try:
        parsed = LockFile.model_validate(data)
    except ValidationError as exc:
        raise _bad(lock_problem(exc, data)) from None
    lock = _lock_of(parsed)
    lock.mark_written()
    read_journal(lock, path, raw)
    return lock


def _read_json(path: Path) -> tuple[Any, bytes]:
    """The lock's JSON, and its bytes (which a journal names)."""
    try:
        if not path.is_file():
            raise _bad("is not a file")
        if path.stat().st_size > MAX_LOCK_BYTES:
            raise _bad(f"is larger than {MAX_LOCK_BYTES >> 20} MiB")
        raw = path.read_bytes()
        return json.loads(raw.decode("utf-8")), raw
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is one
        raise ConfigError(
            f"{LOCK_FILE}: cannot read the lock ({clipped(str(exc), 120)}); restore it from "
            "git, or delete it and kbsync will match remote items by slug") from None
    except RecursionError:
        raise _bad("is nested too deeply to be a lock") from None


def _lock_of(parsed: LockFile) -> Lock:
    lock = Lock(*_remote(parsed.remote))
    lock.render = parsed.render if isinstance(parsed.render, str) else None
    for section in SECTIONS:
        owners: dict[int, str] = {}
        for slug, entry in (getattr(parsed, section) or {}).items():
            other = owners.setdefault(entry.id, slug)
            if other != slug:
                raise _bad(f"{section} {shown(other)} and {shown(slug)} both claim remote id "
                           f"{entry.id}; one id is one item")
            lock.put(section, slug, LockEntry(**dict(entry)))
    if parsed.portal is not None:
        lock.portal = PortalEntry(parsed.portal.remote, parsed.portal.updated_at)
    for where, names in (parsed.assets or {}).items():
        for name in names:
            lock.add_asset(where, name)
    if lock.remote is None and not lock.is_empty:
        raise _bad('lists synced items but not the Help Center they belong to ("remote" '
                   "needs base_url and organization_id)")
    return lock


def _remote(remote: RemoteFile | None) -> tuple[str | None, int | None]:
    """(base_url, organization_id): both, or neither (a lock never used)."""
    if remote is None or (remote.base_url is None and remote.organization_id is None):
        return None, None
    if remote.base_url is None or not remote.base_url.strip():
        raise _bad(remote_problem("base_url", remote.base_url))
    if remote.organization_id is None:
        raise _bad(remote_problem("organization_id", None))
    return remote.base_url, remote.organization_id


def _bad(what: str, hint: str = RESTORE_HINT) -> ConfigError:
    return ConfigError(f"{LOCK_FILE}: {what}; {hint}")
