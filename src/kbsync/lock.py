"""kbsync.lock on disk: read it, write it atomically.

The file is committed with the knowledge base, so it is deterministic and diff-friendly
(sorted keys, one item per line; see ``model.lockstate``). It is written after every
apply step, through a temporary file and a rename, so a crash leaves the old lock or the
new one, never half of one. The token is never written here.

Reading is strict: a lock is what decides which remote item a file overwrites, so a
lock that was hand-edited into another shape (a list where entries belong, an id that
is not a number, two entries claiming one remote id) is refused with the entry named,
never guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kbsync.config import LOCK_FILE
from kbsync.errors import ConfigError
from kbsync.local.writer import atomic_write
from kbsync.model import LOCK_VERSION, Lock, LockEntry, PortalEntry, Section
from kbsync.problems import clipped, shown

__all__ = ["RESTORE_HINT", "load_lock", "save_lock"]

RESTORE_HINT = ("restore kbsync.lock from git (`git checkout -- kbsync.lock`), or move it "
                "away and run `kbsync plan`: items are then matched by slug")
#: A lock is a few hundred bytes per item; anything near this is not a lock.
MAX_LOCK_BYTES = 256 << 20


def save_lock(lock: Lock, path: Path) -> None:
    atomic_write(path, lock.dumps())


def load_lock(path: Path) -> Lock:
    """Read the lock; a missing file is an empty lock (first run, or a fresh checkout)."""
    if not path.exists() and not path.is_symlink():
        return Lock()
    data = _read_json(path)
    if not isinstance(data, dict):
        raise _bad(f"not a lock file (a JSON object with version, remote, articles and "
                   f"collections), got {_kind(data)}")
    if "version" not in data:
        raise _bad('no "version": not a lock file kbsync wrote')
    if data["version"] != LOCK_VERSION or isinstance(data["version"], bool):
        raise _bad(f"unknown lock format version {shown(data['version'])} (this kbsync "
                   f"reads version {LOCK_VERSION})",
                   "a newer kbsync wrote it: upgrade kbsync; else " + RESTORE_HINT)
    lock = Lock(*_remote(data.get("remote")))
    render = data.get("render")
    lock.render = render if isinstance(render, str) else None
    for section in ("collections", "articles"):
        _read_section(lock, section, data.get(section))
    lock.portal = _portal(data.get("portal"))
    if lock.remote is None and not lock.is_empty:
        raise _bad('lists synced items but not the Help Center they belong to ("remote" '
                   "needs base_url and organization_id)")
    return lock


def _read_json(path: Path) -> Any:
    try:
        if not path.is_file():
            raise _bad("is not a file")
        if path.stat().st_size > MAX_LOCK_BYTES:
            raise _bad(f"is larger than {MAX_LOCK_BYTES >> 20} MiB")
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is one
        raise ConfigError(
            f"{LOCK_FILE}: cannot read the lock ({clipped(str(exc), 120)}); restore it from "
            "git, or delete it and kbsync will match remote items by slug") from None
    except RecursionError:
        raise _bad("is nested too deeply to be a lock") from None


def _remote(raw: Any) -> tuple[str | None, int | None]:
    """(base_url, organization_id): both, or neither (a lock never used)."""
    if raw is None:
        return None, None
    if not isinstance(raw, dict):
        raise _bad(f'"remote" must be an object with base_url and organization_id, got '
                   f"{shown(raw)}")
    base_url, org = raw.get("base_url"), raw.get("organization_id")
    if base_url is None and org is None:
        return None, None
    if not isinstance(base_url, str) or not base_url.strip():
        raise _bad(f'"remote.base_url" must be a URL, got {shown(base_url)}')
    if not _whole(org):
        raise _bad(f'"remote.organization_id" must be a whole number >= 1, got {shown(org)}')
    return base_url, org


def _read_section(lock: Lock, section: Section, raw: Any) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise _bad(f'"{section}" must be an object of slug: entry, got {_kind(raw)}')
    owners: dict[int, str] = {}
    for slug, value in raw.items():
        entry = _entry(section, slug, value)
        other = owners.get(entry.id)
        if other is not None:
            raise _bad(f"{section} {shown(other)} and {shown(slug)} both claim remote id "
                       f"{entry.id}; one id is one item")
        owners[entry.id] = slug
        lock.put(section, slug, entry)


def _entry(section: str, slug: str, raw: Any) -> LockEntry:
    where = f"{section} entry {shown(slug)}"
    if not isinstance(raw, dict):
        raise _bad(f"{where} must be an object with id, path and remote, got {_kind(raw)}")
    if not _whole(raw.get("id")):
        raise _bad(f'{where}: "id" must be a whole number >= 1, got {shown(raw.get("id"))}')
    for name in ("path", "remote"):
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise _bad(f'{where}: "{name}" must be text, got {shown(raw.get(name))}')
    for name in ("updated_at", "local"):
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise _bad(f'{where}: "{name}" must be text or null, got {shown(raw[name])}')
    return LockEntry(id=raw["id"], path=raw["path"], remote=raw["remote"],
                     updated_at=raw.get("updated_at"), local=raw.get("local"))


def _portal(raw: Any) -> PortalEntry | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("remote"), str) or (
            raw.get("updated_at") is not None and not isinstance(raw["updated_at"], str)):
        raise _bad(f'"portal" must be an object with remote (and updated_at), got '
                   f"{shown(raw)}")
    return PortalEntry(raw["remote"], raw.get("updated_at"))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _kind(value: Any) -> str:
    names = {list: "a list", str: "text", int: "a number", float: "a number",
             bool: "true/false", type(None): "null"}
    return names.get(type(value), "something else")


def _bad(what: str, hint: str = RESTORE_HINT) -> ConfigError:
    return ConfigError(f"{LOCK_FILE}: {what}; {hint}")
