"""Reading a file of the knowledge base without trusting it.

A file in a repository can be anything: a gigabyte, a named pipe that never answers, a
device that never ends. Every file kbsync reads as content (articles, ``_collection.yaml``,
``portal.yaml``, ``.kbsyncignore``) goes through :func:`read_capped`, and each settings
file kbsync looks for by name is first asked :func:`not_a_file`: a pipe, a folder or a
link to ``/dev/null`` where ``.kbsyncignore`` should be is reported, never taken for
"no file" (the rules it holds would then be skipped in silence).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from kbsync.problems import clipped

__all__ = ["SPECIAL_NAMES", "describe_mode", "inside", "not_a_file", "not_a_folder",
           "read_capped", "special_kind"]

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a pipe swapped in after the walk: no wait
_O_BINARY = getattr(os, "O_BINARY", 0)

#: How a message names what is not a regular file.
SPECIAL_NAMES = {"fifo": "a named pipe (FIFO)", "socket": "a socket", "device": "a device",
                 "other": "not a regular file"}


def read_capped(path: Path, limit: int) -> bytes | None:
    """The bytes of the regular file at ``path``, or None when it holds more than
    ``limit``; never more than ``limit + 1`` bytes are read, and never from anything
    but a regular file (OSError otherwise: a pipe would block, a device never ends)."""
    fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_BINARY)
    try:  # the descriptor itself: a buffered file object costs more than the read
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0 and (chunk := os.read(fd, left)):  # short reads are allowed
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    return None if len(raw) > limit else raw


def special_kind(mode: int) -> str:
    """'fifo', 'socket', 'device' or 'other' for a mode that is not a file or folder."""
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def describe_mode(mode: int) -> str:
    """'a file', 'a folder', 'a named pipe (FIFO)', ...: what a path is, for a message."""
    if stat.S_ISREG(mode):
        return "a file"
    return "a folder" if stat.S_ISDIR(mode) else SPECIAL_NAMES[special_kind(mode)]


def inside(path: str, real_root: str) -> bool:
    """Whether the resolved ``path`` is ``real_root`` or below it."""
    return path == real_root or path.startswith(real_root.rstrip(os.sep) + os.sep)


def not_a_file(root: Path, rel: str) -> str | None:
    """Why kbsync must not read ``root/rel`` as a file, or None: it is a regular file (or
    a symbolic link to one inside ``root``), or there is nothing there at all.

    The reason reads after the name: "is a named pipe (FIFO)", "is a folder", "is a
    symbolic link to /dev/null, outside the knowledge base". Nothing is opened.
    """
    return _not_a(root, rel, stat.S_ISREG)


def not_a_folder(root: Path, rel: str) -> str | None:
    """:func:`not_a_file` for a folder kbsync writes into (a link to the root itself
    counts as leading out: kbsync's own folder is not the knowledge base)."""
    return _not_a(root, rel, stat.S_ISDIR)


def _not_a(root: Path, rel: str, wanted: Callable[[int], bool]) -> str | None:
    path = root / rel
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not stat.S_ISLNK(mode):
        return None if wanted(mode) else f"is {describe_mode(mode)}"
    target = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if target == real_root or not inside(target, real_root):
        return f"is a symbolic link to {clipped(target)}, outside the knowledge base"
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "is a symbolic link that leads nowhere (its target is missing, or it loops)"
    if wanted(mode):
        return None
    return f"is a symbolic link to {clipped(target)}, {describe_mode(mode)}"
