"""kbsync.lock on disk: read it, write it atomically.

The file is committed with the knowledge base, so it is deterministic and diff-friendly
(sorted keys, one item per line; see ``model.lockstate``). It is written after every
apply step, through a temporary file and a rename, so a crash leaves the old lock or the
new one, never half of one. The token is never written here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kbsync.errors import ConfigError
from kbsync.local.writer import atomic_write
from kbsync.model import LOCK_VERSION, Lock, LockEntry, PortalEntry

__all__ = ["load_lock", "save_lock"]


def save_lock(lock: Lock, path: Path) -> None:
    atomic_write(path, lock.dumps())


def load_lock(path: Path) -> Lock:
    """Read the lock; a missing file is an empty lock (first run, or a fresh checkout)."""
    if not path.is_file():
        return Lock()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"{path.name}: cannot read the lock ({exc}); restore it from git, or delete it "
            "and kbsync will match remote items by slug"
        ) from None
    if not isinstance(data, dict) or data.get("version") != LOCK_VERSION:
        raise ConfigError(f"{path.name}: unknown lock format (version {data.get('version')!r})"
                          if isinstance(data, dict) else f"{path.name}: not a lock file")
    remote = data.get("remote") or {}
    lock = Lock(remote.get("base_url"), remote.get("organization_id"))
    render = data.get("render")
    lock.render = render if isinstance(render, str) else None
    for section in ("collections", "articles"):
        for slug, raw in (data.get(section) or {}).items():
            lock.put(section, slug, _entry(raw, path.name, slug))
    portal = data.get("portal")
    if isinstance(portal, dict) and isinstance(portal.get("remote"), str):
        lock.portal = PortalEntry(portal["remote"], portal.get("updated_at"))
    return lock


def _entry(raw: Any, name: str, slug: str) -> LockEntry:
    try:
        return LockEntry(id=int(raw["id"]), path=str(raw["path"]), remote=str(raw["remote"]),
                         updated_at=raw.get("updated_at"), local=raw.get("local"))
    except (KeyError, TypeError, ValueError):
        raise ConfigError(
            f"{name}: entry {slug!r} is malformed; restore the lock from git") from None
