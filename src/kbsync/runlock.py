"""One writing run per knowledge base at a time: ``.kbsync/run.lock``.

Two ``apply`` runs (or ``apply`` and ``pull``) on one folder would both read the same
lock, both create the same articles, and the loser would fail half-way with an error
that blames the fields. So every command that writes the remote or the files takes this
lock first, and a second one refuses at once: "another kbsync apply is running here
(pid N, since HH:MM:SS)".

The lock is an advisory OS lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) on
``.kbsync/run.lock``, which also holds who took it (pid, command, start time) for the
message. The operating system releases it when its holder dies, however it dies (kill
-9, power loss aside), so a stale lock is simply taken over: no pid guessing, and a
recycled pid cannot keep a dead run's lock alive. The file itself stays (emptied) after
a run, since removing it could let two runs lock two different files.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kbsync.errors import KbsyncError, StateError
from kbsync.local.reading import describe_mode
from kbsync.oslock import NotAFile, open_lock_file, read_note, try_lock, unlock, write_note
from kbsync.statedir import ensure_state_dir

__all__ = ["RUN_LOCK", "Holder", "RunLocked", "hold_run_lock", "holder_of"]

RUN_LOCK = "run.lock"


class RunLocked(KbsyncError):
    """Another kbsync run holds this knowledge base."""


@dataclass(frozen=True)
class Holder:
    pid: int
    command: str
    started: float  # seconds since the epoch

    def describe(self) -> str:
        since = time.strftime("%H:%M:%S", time.localtime(self.started))
        if time.time() - self.started > 20 * 3600:
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"another kbsync {self.command} is running here (pid {self.pid}, since {since})"


@contextlib.contextmanager
def hold_run_lock(state_dir: Path, command: str) -> Iterator[Holder]:
    """Hold ``state_dir/run.lock`` for the block; RunLocked at once if another run has it."""
    ensure_state_dir(state_dir)
    path = state_dir / RUN_LOCK
    try:
        fd = open_lock_file(path)
    except NotAFile as exc:  # a pipe or a device: no seeking, no locking
        raise StateError(f"{path} is {describe_mode(exc.mode)}, not a file: kbsync keeps its "
                         "run lock there; delete it (the next run makes a new one)") from None
    except OSError as exc:
        raise StateError(f"cannot create {path}: {exc.strerror or exc}; kbsync keeps its "
                         "run lock there") from None
    try:
        if not try_lock(fd):
            holder = _read(fd)
            what = holder.describe() if holder else "another kbsync run is in progress here"
            raise RunLocked(f"{what}; wait for it to finish (one apply or pull at a time per "
                            f"folder). The lock is {path}; it is released when that run ends.")
        me = Holder(os.getpid(), command, time.time())
        write_note(fd, json.dumps({"pid": me.pid, "command": me.command,
                                   "started": me.started}).encode())
        try:
            yield me
        finally:
            write_note(fd, b"")
            unlock(fd)
    finally:
        os.close(fd)


def holder_of(state_dir: Path) -> Holder | None:
    """Who holds the run lock now (None: nobody), without taking it."""
    try:
        fd = open_lock_file(state_dir / RUN_LOCK, create=False)
    except OSError:  # missing, or not a lock anyone holds: taking it says what is wrong
        return None
    try:
        if try_lock(fd):
            unlock(fd)
            return None
        return _read(fd)
    finally:
        os.close(fd)


def _read(fd: int) -> Holder | None:
    try:
        data = json.loads(read_note(fd) or b"null")
        return Holder(int(data["pid"]), str(data["command"])[:20], float(data["started"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None  # written this very moment, or not by us: say less
