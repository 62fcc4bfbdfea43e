"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half.

Used for ``kbsync.lock`` after every apply step and by ``pull`` for articles, where a
torn write would lose a user's work. ``write_many`` is the exception, for thousands of
files no one can have read yet (init) or whose reader checks what it reads (merge bases).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from kbsync.local.walk import MAX_SCAN_DEPTH, walk

__all__ = ["atomic_write", "clean_stale_temps", "is_alive", "temp_name", "write_many"]

#: Threads that create files at once: creating a file is mostly time in the kernel, which
#: runs beside the other threads (on two cores 2,000 files take about 60 % of the time).
_WRITERS = 4

#: ``.<name>.<pid>.<8 hex>.tmp``: what atomic_write leaves if killed between write and rename.
_TEMP = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$")


def temp_name(path: Path) -> Path:
    """The temporary file ``atomic_write`` writes before renaming it over ``path``."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def clean_stale_temps(root: Path) -> list[Path]:
    """Remove the temporary files of atomic writes whose process is gone (a run killed
    between write and rename); the removed paths. Hidden folders are skipped, except
    kbsync's own ``.kbsync``, and so are folders deeper than the tree walk reads (kbsync
    writes nothing there). Never fails: cleaning up is a courtesy, not a step."""
    removed: list[Path] = []
    for folder in walk(root, max_depth=MAX_SCAN_DEPTH, enter=_cleaned):
        for entry in folder.files:
            found = _TEMP.match(entry.name)
            if found is None or is_alive(int(found.group(1))):
                continue
            path = root / folder.rel / entry.name if folder.rel else root / entry.name
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def _cleaned(rel: str) -> bool:
    """Folders the clean-up enters: visible ones, and kbsync's own ``.kbsync``."""
    return rel == ".kbsync" or not rel.rsplit("/", 1)[-1].startswith(".")


def is_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - no signal 0 there; leave it be
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (or a number no pid can be): leave it
    return True


def atomic_write(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Write ``data`` (``str`` as UTF-8, as given) to ``path`` atomically.

    The temporary file lives in the same folder so ``os.replace`` is a rename on one file
    system, and it is fsynced first so a crash never leaves an empty file behind the
    rename. A new file gets the usual permissions (the umask applies); an existing
    file's permission bits are kept. ``durable=False`` skips the two fsyncs, for a cache
    whose reader checks what it reads (they were a tenth of ``init --from-remote``).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Persist the rename itself; not possible on every platform, and then not needed."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_many(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write each ``(path, data)``, creating folders, a few files at once; not atomic.

    For files no reader can have seen yet (init, into an empty folder) or whose reader
    checks what it reads (a merge base is read by its blob id): a crash leaves a torn
    file that the next run either never trusts or rewrites. The first error is raised.
    """
    from concurrent.futures import ThreadPoolExecutor  # only when files are written

    for folder in sorted({path.parent for path, _ in files}):
        folder.mkdir(parents=True, exist_ok=True)
    if len(files) < 2 * _WRITERS:
        for path, data in files:
            path.write_bytes(data)
        return
    with ThreadPoolExecutor(_WRITERS, thread_name_prefix="kbsync-write") as pool:
        for _ in pool.map(lambda item: item[0].write_bytes(item[1]), files):
            pass
