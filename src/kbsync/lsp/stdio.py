"""The editor's messages, read so that a stop is heard: pygls reads stdin on a thread
and, when the server stops, waits for that thread, which a plain read keeps blocked
until the editor's next message. Ctrl-C in a terminal (or SIGTERM from a process
manager) would leave the server hanging. :class:`Input` waits for input in slices of
a fifth of a second and gives up when ``stop`` is set.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import BinaryIO

__all__ = ["Input", "stopped_by_signals"]

#: How long a read waits before it looks at ``stop`` again.
SLICE = 0.2


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

    def _take(self, size: int) -> bytes:
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken

    def _more(self) -> bool:
        """Read what has come; False once the stream ended or ``stop`` is set."""
        while not self._ended and not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], SLICE)
            if ready:
                chunk = os.read(self._fd, 1 << 16)
                self._ended = not chunk
                self._buffer += chunk
                return bool(chunk)
        return False


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
