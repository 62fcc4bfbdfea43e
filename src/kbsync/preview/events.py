"""Server-sent events: every open page hears about each rebuild.

A stream starts with a ``hello`` naming the current build (a page rendered from an
older build refreshes itself at once), then one ``build`` event per rebuild. A stream
that fell behind the kept history gets a ``hello`` again, which refreshes the whole
page: nothing is ever silently missed. Comments keep idle connections alive, and
:meth:`Broadcaster.close` ends every stream at once so the server can stop cleanly.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

RETRY_MS = 1000


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    data: Mapping[str, Any]


def frame(data: Mapping[str, Any], *, seq: int | None = None) -> bytes:
    """One ``build`` event in the text/event-stream format (JSON data on one line)."""
    head = f"id: {seq}\n" if seq is not None else ""
    return f"event: build\n{head}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


class Broadcaster:
    """Fans events out to any number of streams, each read by its own server thread."""

    def __init__(self, *, keep: int = 64, heartbeat: float = 15.0) -> None:
        self._cond = threading.Condition()
        self._events: deque[Event] = deque(maxlen=keep)
        self._seq = 0
        self._closed = False
        self._heartbeat = heartbeat
        self.streams = 0  # open streams, for tests and the shutdown message

    def publish(self, data: Mapping[str, Any]) -> None:
        with self._cond:
            self._seq += 1
            self._events.append(Event(self._seq, data))
            self._cond.notify_all()

    def close(self) -> None:
        """End every stream now (and any opened later)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def stream(self, hello: Callable[[], Mapping[str, Any]]) -> Iterator[bytes]:
        """The bytes of one client's stream; ends when the broadcaster closes (or the
        server drops the generator because the client went away)."""
        with self._cond:
            seen = self._seq
            self.streams += 1
        try:
            yield f"retry: {RETRY_MS}\n\n".encode() + frame({**hello(), "hello": True})
            while True:
                with self._cond:
                    if not (self._closed or self._seq > seen):
                        self._cond.wait(timeout=self._heartbeat)
                    if self._closed:
                        return
                    fresh = [e for e in self._events if e.seq > seen]
                    missed = self._seq > seen and (not fresh or fresh[0].seq > seen + 1)
                    seen = self._seq
                if missed:
                    yield frame({**hello(), "hello": True}, seq=seen)
                elif fresh:
                    yield b"".join(frame(e.data, seq=e.seq) for e in fresh)
                else:
                    yield b": keep-alive\n\n"
        finally:
            with self._cond:
                self.streams -= 1
