"""The event stream's framing and fan-out, read straight from the generator."""

from __future__ import annotations

import json
import threading

from kbsync.preview.events import Broadcaster, frame


def _events(chunk: bytes) -> list[dict[str, object]]:
    found = []
    for block in chunk.decode().split("\n\n"):
        lines = block.split("\n")
        if "event: build" in lines:
            data = next(line for line in lines if line.startswith("data: "))
            found.append(json.loads(data[len("data: "):]))
    return found


def test_frame_is_one_event_with_json_on_one_line() -> None:
    assert frame({"build": "x.2", "pages": ["a:b.md"]}, seq=7) == (
        b'event: build\nid: 7\ndata: {"build":"x.2","pages":["a:b.md"]}\n\n')


def test_a_stream_says_hello_then_each_build() -> None:
    broadcaster = Broadcaster()
    stream = broadcaster.stream(lambda: {"build": "x.1"})
    first = next(stream)
    assert first.startswith(b"retry: 1000\n\n")
    assert _events(first) == [{"build": "x.1", "hello": True}]
    broadcaster.publish({"build": "x.2", "pages": ["a:g/a.md"]})
    broadcaster.publish({"build": "x.3", "pages": []})
    assert _events(next(stream)) == [{"build": "x.2", "pages": ["a:g/a.md"]},
                                     {"build": "x.3", "pages": []}]
    assert broadcaster.streams == 1
    stream.close()
    assert broadcaster.streams == 0


def test_a_stream_that_fell_behind_gets_a_hello_instead() -> None:
    broadcaster = Broadcaster(keep=2)
    stream = broadcaster.stream(lambda: {"build": "x.9"})
    next(stream)
    for n in range(5):
        broadcaster.publish({"build": f"x.{n}"})
    assert _events(next(stream)) == [{"build": "x.9", "hello": True}]


def test_an_idle_stream_sends_keep_alive_comments() -> None:
    stream = Broadcaster(heartbeat=0.01).stream(lambda: {"build": "x.1"})
    next(stream)
    assert next(stream) == b": keep-alive\n\n"


def test_close_ends_every_stream_even_a_waiting_one() -> None:
    broadcaster = Broadcaster(heartbeat=60)
    stream = broadcaster.stream(lambda: {"build": "x.1"})
    next(stream)
    rest: list[bytes] = []
    reader = threading.Thread(target=lambda: rest.extend(stream))
    reader.start()
    broadcaster.close()
    reader.join(5)
    assert not reader.is_alive() and rest == []
    assert list(broadcaster.stream(lambda: {"build": "x.1"}))[1:] == []  # opened later: ends
