"""Reading a file of the knowledge base without trusting it.

A file in a repository can be anything: a gigabyte, a named pipe that never answers, a
device that never ends. Every file kbsync reads as content (articles, ``_collection.yaml``,
``portal.yaml``, ``.kbsyncignore``) goes through :func:`read_capped`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["read_capped"]

_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a pipe swapped in after the walk: no wait
_O_BINARY = getattr(os, "O_BINARY", 0)


def read_capped(path: Path, limit: int) -> bytes | None:
    """The bytes of the regular file at ``path``, or None when it holds more than
    ``limit``; never more than ``limit + 1`` bytes are read, and never from anything
    but a regular file (OSError otherwise: a pipe would block, a device never ends)."""
    fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_BINARY)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        raw = handle.read(limit + 1)
    return None if len(raw) > limit else raw
