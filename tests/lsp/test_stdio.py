"""The server stops when told to: Ctrl-C or SIGTERM end ``kbsync lsp`` (exit 130, as
every command interrupted), even while it waits for the editor's next message."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kbsync.lsp.stdio import Input

pytestmark = pytest.mark.skipif(sys.platform == "win32",
                                reason="select() takes no pipes on Windows")


def test_input_reads_lines_and_sizes_as_they_come() -> None:
    read, write = os.pipe()
    os.write(write, b"Content-Length: 2\r\n\r\n{}rest")
    os.close(write)
    with open(read, "rb") as stream:
        given = Input(stream, threading.Event())
        assert [given.readline(), given.readline(), given.read(2), given.read(10),
                given.readline()] == [b"Content-Length: 2\r\n", b"\r\n", b"{}", b"rest", b""]


@pytest.mark.parametrize(("params", "folder"), [
    ({"rootUri": "file:///work/kb", "capabilities": {}}, "file:///work/kb"),
    ({"workspaceFolders": [{"uri": "file:///w/a", "name": "a"}]}, "file:///w/a"),
    ({"rootUri": None, "capabilities": {}}, None),
    ({"rootUri": "untitled:1"}, None),
])
def test_the_first_message_shows_the_editors_folder_and_is_still_read(
        params: dict[str, object], folder: str | None) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": params}).encode()
    message = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    read, write = os.pipe()
    os.write(write, message[:20])  # it comes in two parts
    threading.Timer(0.05, lambda: (os.write(write, message[20:]), os.close(write))).start()
    with open(read, "rb") as stream:
        given = Input(stream, threading.Event())
        assert given.first_folder(30) == folder
        assert given.readline() + given.readline() + given.read(len(body)) == message


def test_no_first_message_yet_shows_no_folder() -> None:
    read, write = os.pipe()
    with open(read, "rb") as stream:
        assert Input(stream, threading.Event()).first_folder(0.05) is None
    os.close(write)


def test_a_stop_ends_a_read_that_waits_for_input() -> None:
    read, write = os.pipe()
    stop = threading.Event()
    got: list[bytes] = []
    with open(read, "rb") as stream:
        reader = threading.Thread(target=lambda: got.append(Input(stream, stop).readline()))
        reader.start()
        stop.set()
        reader.join(30)
        assert not reader.is_alive() and got == [b""]
    os.close(write)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_waiting_server(how: signal.Signals, tmp_path: Path) -> None:
    server = subprocess.Popen([sys.executable, "-m", "kbsync", "lsp"], cwd=tmp_path,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert server.stdin is not None and server.stdout is not None
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"capabilities": {}}}).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    server.stdin.flush()
    assert server.stdout.readline().startswith(b"Content-Length:")  # it serves, and waits
    server.send_signal(how)
    _, err = server.communicate(timeout=60)
    assert (server.returncode, err.decode().splitlines()[-1]) == (130, "Interrupted.")
