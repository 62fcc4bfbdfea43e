"""The record of what kbsync spent of a token's per-minute budget, shared by processes.

initdesk counts requests per token over a rolling minute, whichever process sends them.
A CI job runs ``kbsync plan`` and then ``kbsync apply``: two processes, one budget. So
the send times of the last minute live in a small file per token in the user's cache
folder (``KBSYNC_CACHE_DIR``, else ``$XDG_CACHE_HOME/kbsync``, else ``~/.cache/kbsync``),
and each process reads it before it sends.

The file is named by a hash of the base URL and the token; the token itself is never
written. Times are the wall clock (seconds since the epoch), the only clock processes
share. Updates are atomic (a temporary file renamed over the record) under kbsync's
file lock (``kbsync.oslock``) on a sidecar lock file; should the lock not be had (a
Windows lock waited for longer than 10 s), two processes starting in the same
millisecond may both miss the other's last request, which a 429 then corrects.

The record is a courtesy, never a reason to fail: a cache folder that cannot be
created, a file that cannot be read or written, or one that is not a record (corrupt,
from a future version) all fall back to this process's own memory of what it sent.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kbsync.config import Secret
from kbsync.oslock import open_lock_file, unlock, wait_lock

log = logging.getLogger("kbsync.remote")

RECORD_VERSION = 1
_HASH_PREFIX = "kbsync-budget:"
_NUDGE = 1e-6


def record_id(base_url: str, token: Secret) -> str:
    """16 hex digits naming one token on one server; the token cannot be read back."""
    text = f"{_HASH_PREFIX}{base_url.rstrip('/')}\n{token.reveal()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class SpendRecord:
    """Send times of the last ``window`` seconds: this process's, and the file's if any.

    A request is *pending* from its send until its answer (or failure), then *sent*,
    stamped at the answer. Pending requests matter to a process reading the server's
    count: one still on its way may not be in that count yet.

    ``path=None`` keeps the record in memory only (one process, as for tests).
    """

    def __init__(self, path: Path | None = None, *, window: float = 60.0) -> None:
        self.path = path
        self.window = window
        self._own: dict[float, bool] = {}  # this process's stamps (-> pending): survive a lost file
        self._writable = path is not None

    @classmethod
    def for_token(cls, cache_dir: Path | None, base_url: str, token: Secret,
                  *, window: float = 60.0) -> SpendRecord:
        if cache_dir is None:
            return cls(None, window=window)
        return cls(cache_dir / f"budget-{record_id(base_url, token)}.json", window=window)

    @contextlib.contextmanager
    def transaction(self, now: float) -> Iterator[Transaction]:
        """Lock, read and prune; yield the times for a decision; write back what changed."""
        with self._locked():
            tx = Transaction(self._read(now), self._own)
            yield tx
            if tx.changed:
                self._write(tx.entries)

    # --- the file -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = self._open_lock()
        if fd is None:
            yield
            return
        try:
            wait_lock(fd)
        except OSError as exc:  # Windows gives up after 10 s: go on unlocked
            log.debug("budget record %s not locked (%s)", self.path, exc.strerror or exc)
        try:
            yield
        finally:
            unlock(fd)
            os.close(fd)

    def _open_lock(self) -> int | None:
        if self.path is None or not self._writable:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return open_lock_file(self.path.with_suffix(".lock"), mode=0o600)
        except OSError as exc:
            self._give_up_writing(exc)
            return None

    def _read(self, now: float) -> dict[float, bool]:
        """The file's entries (or none), merged with this process's own, in the window."""
        entries: dict[float, bool] = {}
        if self.path is not None:
            try:
                entries = _parse(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                pass
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                log.debug("budget record %s unreadable (%s); using this process's own",
                          self.path.name, exc)
        oldest, newest = now - self.window, now + self.window
        self._own = {t: p for t, p in self._own.items() if oldest < t < newest}
        merged = {**entries, **self._own}
        return {t: p for t, p in merged.items() if oldest < t < newest}

    def _write(self, entries: dict[float, bool]) -> None:
        if self.path is None or not self._writable:
            return
        data = json.dumps({"version": RECORD_VERSION,
                           "sent": sorted(t for t, pending in entries.items() if not pending),
                           "pending": sorted(t for t, pending in entries.items() if pending)},
                          separators=(",", ":"))
        temp: str | None = None
        try:
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".budget-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(data)
            os.replace(temp, self.path)
            temp = None
        except OSError as exc:
            self._give_up_writing(exc)
        finally:
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)

    def _give_up_writing(self, exc: OSError) -> None:
        """Keep going on this process's memory; say why once, for ``-v``."""
        self._writable = False
        log.debug("budget record %s cannot be written (%s); using this process's own",
                  self.path, exc.strerror or exc)


class Transaction:
    """The record inside one lock: read the times, note a send, settle it at its answer."""

    def __init__(self, entries: dict[float, bool], own: dict[float, bool]) -> None:
        self.entries = entries  # stamp -> pending, all within a window of the transaction
        self.times = sorted(entries)
        self._own = own
        self.changed = False

    def send(self, stamp: float) -> float:
        """Note a request leaving at ``stamp``; answer the stamp used."""
        return self._put(stamp, pending=True)

    def settle(self, sent: float, answered: float) -> float:
        """The request sent at ``sent`` was answered (or failed) at ``answered``."""
        self._own.pop(sent, None)
        if self.entries.pop(sent, None) is not None:
            self.times.remove(sent)
        return self._put(answered, pending=False)

    def add(self, stamp: float) -> float:
        """Note a request already answered at ``stamp`` (or one assumed, after a 429)."""
        return self._put(stamp, pending=False)

    def _put(self, stamp: float, *, pending: bool) -> float:
        """Stamps are unique: a clock too coarse to move between two sends (or a test's
        clock) gets them a microsecond apart, so no request is lost as a duplicate."""
        while stamp in self.entries:
            stamp += _NUDGE
        self.entries[stamp] = pending
        self._own[stamp] = pending
        bisect.insort(self.times, stamp)
        self.changed = True
        return stamp


def _parse(text: str) -> dict[float, bool]:
    """The entries of a record file (stamp -> pending); ValueError when it is not one."""
    data: Any = json.loads(text)
    if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
        raise ValueError("not a budget record of this version")
    entries: dict[float, bool] = {}
    for key, pending in (("sent", False), ("pending", True)):
        times = data.get(key, [])
        if not isinstance(times, list) or not all(
            isinstance(t, (int, float)) and not isinstance(t, bool) for t in times
        ):
            raise ValueError(f"{key!r} is not a list of times")
        entries.update((float(t), pending) for t in times)
    return entries
