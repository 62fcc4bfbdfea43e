"""kbsync's one file lock: an advisory OS lock on an open file, and a note kept in it.

Two places need one: the run lock (``.kbsync/run.lock``: one apply or pull per folder,
refused at once, naming the holder) and the budget record (``~/.cache/kbsync``: a
read-modify-write of the spent requests, waited for). Both want the same promise, which
is why this is not the ``filelock`` package: the lock dies with its process, however it
dies (the operating system releases ``flock`` and ``msvcrt.locking`` locks with the
descriptor), so a stale lock is simply taken over, with no pid guessing and no lock file
to clean up after ``kill -9``. ``filelock``'s soft locks are files whose existence is
the lock, which a killed run leaves behind.

The file is opened without following a symbolic link, and anything but a regular file
there (a pipe, a device, a folder) is :class:`NotAFile`: nothing can be locked or seeked
in it, and a pipe planted at that name must not block the open.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

__all__ = ["NotAFile", "open_lock_file", "read_note", "try_lock", "unlock", "wait_lock",
           "write_note"]

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a pipe planted there must not block the open


class NotAFile(OSError):
    """The lock's path holds something that is not a regular file; ``mode`` says what."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(f"{path} is not a regular file")
        self.path = path
        self.mode = mode


def open_lock_file(path: Path, *, create: bool = True, mode: int = 0o644) -> int:
    """A descriptor of ``path`` open for reading and writing (made when missing and
    ``create``); OSError when it cannot be opened, NotAFile when it is not a file."""
    flags = os.O_RDWR | _O_NOFOLLOW | _O_NONBLOCK | (os.O_CREAT if create else 0)
    fd = os.open(path, flags, mode)
    found = os.fstat(fd).st_mode
    if not stat.S_ISREG(found):
        os.close(fd)
        raise NotAFile(path, found)
    return fd


def read_note(fd: int, limit: int = 4096) -> bytes:
    """What the holder wrote in the file (its pid, command, start time)."""
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, limit)


def write_note(fd: int, data: bytes) -> None:
    """Replace the file's contents with ``data`` (empty: nobody holds it now)."""
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, data)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int, how: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, how, 1)

    def try_lock(fd: int) -> bool:
        """Take the lock if nobody holds it; False at once if somebody does."""
        try:
            _lock(fd, msvcrt.LK_NBLCK)
        except OSError:
            return False
        return True

    def wait_lock(fd: int) -> None:
        """Take the lock, waiting for its holder (Windows gives up after 10 s: OSError)."""
        _lock(fd, msvcrt.LK_LOCK)

    def unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            _lock(fd, msvcrt.LK_UNLCK)
else:
    import fcntl

    def try_lock(fd: int) -> bool:
        """Take the lock if nobody holds it; False at once if somebody does."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def wait_lock(fd: int) -> None:
        """Take the lock, waiting for its holder to release it (or to die)."""
        fcntl.flock(fd, fcntl.LOCK_EX)

    def unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
