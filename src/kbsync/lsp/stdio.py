"""The editor's messages, read so that a stop is heard: pygls reads stdin on a thread
and, when the server stops, waits for that thread, which a plain read keeps blocked
until the editor's next message. Ctrl-C in a terminal (or SIGTERM from a process
manager) would leave the server hanging. :class:`Input` waits for input in slices of
a fifth of a second and gives up when ``stop`` is set.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import BinaryIO

__all__ = ["Input", "stopped_by_signals"]

#: How long a read waits before it looks at ``stop`` again.
SLICE = 0.2
_LENGTH = re.compile(rb"^content-length:[ \t]*(\d+)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


class Input:
    """A binary stream's ``readline`` and ``read``, which return what they have (short,
    or empty) once ``stop`` is set or the stream ends."""

    def __init__(self, stream: BinaryIO, stop: threading.Event) -> None:
        self._fd = stream.fileno()
        self._stop = stop
        self._buffer = bytearray()
        self._ended = False

    def readline(self) -> bytes:
        while b"\n" not in self._buffer and self._more():
            pass
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        return self._take(end)

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size and self._more():
            pass
        return self._take(min(size, len(self._buffer)))

    def first_folder(self, wait: float) -> str | None:
        """The folder the editor's first message (``initialize``) names, its root URI
        or first workspace folder, read within ``wait`` seconds and left to be read
        again by the server; None when it has not come by then or names none."""
        deadline = time.monotonic() + wait
        while True:
            body = self._first_body()
            if body is not None:
                return _folder_of(body)
            left = deadline - time.monotonic()
            if left <= 0 or self._ended or not self._read_within(left):
                return None

    def _first_body(self) -> bytes | None:
        """The body of the first message, if it has come whole."""
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        length = _LENGTH.search(bytes(self._buffer[:end]))
        if length is None:
            return b""  # not a message this reader knows: no folder
        start = end + 4
        size = int(length.group(1))
        return bytes(self._buffer[start:start + size]) if len(self._buffer) >= start + size \
            else None

    def _take(self, size: int) -> bytes:
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken

    def _more(self) -> bool:
        """Read what has come; False once the stream ended or ``stop`` is set."""
        while not self._ended and not self._stop.is_set():
            if self._read_within(SLICE):
                return not self._ended
        return False

    def _read_within(self, seconds: float) -> bool:
        """Read what has come within ``seconds`` (the end of the stream too); False when
        nothing came."""
        ready, _, _ = select.select([self._fd], [], [], seconds)
        if ready:
            chunk = os.read(self._fd, 1 << 16)
            self._ended = not chunk
            self._buffer += chunk
        return bool(ready)


def _folder_of(body: bytes) -> str | None:
    """The ``file:`` URI of the folder an initialize request names, if it is one."""
    try:
        message = json.loads(body)
        params = message["params"] if message.get("method") == "initialize" else {}
        folders = params.get("workspaceFolders") or []
        uri = params.get("rootUri") or (folders[0].get("uri") if folders else None)
    except (ValueError, AttributeError, TypeError, IndexError, KeyError):
        return None
    return uri if isinstance(uri, str) and uri.startswith("file:") else None


@contextlib.contextmanager
def stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` and interrupt the server's loop (KeyboardInterrupt,
    which pygls takes as the end of serving)."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupt)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
