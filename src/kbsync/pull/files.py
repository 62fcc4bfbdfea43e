"""Carry out a pull's decisions on disk: moves, writes, removals, then lock and bases.

Order matters: folders move first (parents before children), then files move, then new
contents are written at their final places, then pruned files go. Every path is joined
with ``safe_join``, so nothing is ever written outside the knowledge-base folder, even
when a name in the plan came from a hostile remote slug. The lock is saved last: an
interrupted pull leaves files ahead of the lock, which the next pull sees as "both sides
equal" and settles without conflicts.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from kbsync.errors import KbsyncError
from kbsync.local.bases import BaseStore
from kbsync.local.tree import COLLECTION_FILE
from kbsync.local.writer import atomic_write, write_many
from kbsync.lock import save_lock
from kbsync.model import Lock
from kbsync.pull.paths import safe_join
from kbsync.pull.puller import FileChange, PullResult
from kbsync.pull.repo import Repo

__all__ = ["carry_out", "save_state", "touched_paths"]


def carry_out(root: Path, result: PullResult, repo: Repo, *, atomic: bool = True) -> None:
    """Apply ``result`` to the files under ``root`` (not the lock: see ``save_state``)."""
    for src, dst in result.folder_moves:
        _move(root, repo, src, dst)
        _remove_empty_parents(root, src)
    for change in result.changes:
        if change.old_path is not None and change.action != "deleted":
            _move(root, repo, change.old_path, change.path)
            _remove_empty_parents(root, change.old_path)
    writes = [(safe_join(root, c.path), c.data) for c in result.changes if c.data is not None]
    if atomic:
        for target, data in writes:
            atomic_write(target, data)
    else:
        write_many(writes)
    for change in result.changes:
        if change.action == "deleted":
            _delete(root, repo, change)


def save_state(lock: Lock, lock_path: Path, bases: BaseStore) -> None:
    """The lock, then the bases it refers to (unreferenced cached bases are dropped)."""
    save_lock(lock, lock_path)
    keep = {entry.local for section in ("articles", "collections")
            for _, entry in lock.entries(section)
            if entry.local}
    bases.save(keep)


def touched_paths(result: PullResult) -> list[str]:
    """Every path a commit of this pull must include (both ends of each move)."""
    paths: set[str] = set()
    for src, dst in result.folder_moves:
        paths.update((src, dst))
    for change in result.changes:
        paths.add(change.path)
        if change.old_path is not None:
            paths.add(change.old_path)
    return sorted(paths)


def _move(root: Path, repo: Repo, src: str, dst: str) -> None:
    safe_join(root, src)
    target = safe_join(root, dst)
    if target.exists():
        raise KbsyncError(f"{dst} exists; pull will not overwrite it with {src}")
    repo.move(src, dst)


def _delete(root: Path, repo: Repo, change: FileChange) -> None:
    if change.kind != "collection":
        safe_join(root, change.path)
        repo.remove(change.path)
        _remove_empty_parents(root, change.path)
        return
    meta = f"{change.path}/{COLLECTION_FILE}"
    if safe_join(root, meta).exists():
        repo.remove(meta)
    folder = safe_join(root, change.path)
    for dirpath, _dirs, _files in sorted(os.walk(folder), key=lambda w: -len(w[0])):
        with contextlib.suppress(OSError):
            os.rmdir(dirpath)
    _remove_empty_parents(root, change.path)


def _remove_empty_parents(root: Path, path: str) -> None:
    """Remove folders left empty above ``path``, never ``root`` itself."""
    parts = path.split("/")[:-1]
    while parts:
        folder = safe_join(root, *parts)
        try:
            os.rmdir(folder)
        except OSError:
            return
        parts.pop()
