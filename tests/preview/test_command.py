"""``kbsync watch`` end to end: real files, real watchdog, real HTTP, real Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kbsync.cli import run as cli_run
from kbsync.commands import watch as command
from kbsync.console import Console
from kbsync.errors import ConfigError, UsageError

from .conftest import KB


@dataclass
class Running:
    url: str
    out: io.StringIO
    err: io.StringIO
    opened: list[str]


@pytest.fixture
def running(example: KB) -> Iterator[Running]:
    out, err = io.StringIO(), io.StringIO()
    console = Console(color=False, stdout=out, stderr=err)
    ready: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    opened: list[str] = []
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(command.run(
        example.config, console, port=0, open_browser=True, open_url=opened.append,
        stop=stop, on_ready=ready.put)))
    thread.start()
    try:
        yield Running(ready.get(timeout=30), out, err, opened)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive() and codes == [0]
    assert "Preview stopped." in err.getvalue()


def _next_build(lines: Iterator[str]) -> dict[str, object]:
    for line in lines:
        if line.startswith("data: "):
            data: dict[str, object] = json.loads(line[len("data: "):])
            return data
    raise AssertionError("the stream ended")


def test_a_save_reaches_the_open_page(running: Running, example: KB) -> None:
    assert running.opened == [running.url]
    with httpx.Client(base_url=running.url, timeout=10) as http, \
            http.stream("GET", "/.kbsync/events") as events:
        lines = events.iter_lines()
        assert _next_build(lines)["hello"] is True
        path = example.root / "billing" / "refunds.md"
        path.write_text(path.read_text() + "\nRefunds now take one day.\n")
        event = _next_build(lines)
        assert event["pages"] == ["a:billing/refunds.md"] and event["outline"] is False
        assert "Refunds now take one day." in http.get("/billing/refunds").text
    assert f"on {running.url} (Ctrl-C to stop)" in running.out.getvalue()
    assert "Updated billing/refunds.md in" in running.err.getvalue()


def test_a_broken_file_is_printed_once_and_its_fix_noted(running: Running, example: KB) -> None:
    with httpx.Client(base_url=running.url, timeout=10) as http, \
            http.stream("GET", "/.kbsync/events") as events:
        lines = events.iter_lines()
        _next_build(lines)
        path = example.root / "billing" / "refunds.md"
        good = path.read_text()
        path.write_text(good.replace("title: Refunds", "title: [Refunds"))
        _next_build(lines)
        page = http.get("/billing/refunds").text
        assert "billing/refunds.md:2: invalid YAML" in page and "Unused labels" in page
        path.write_text(good)
        _next_build(lines)
    err = running.err.getvalue()
    assert err.count("billing/refunds.md:2: invalid YAML") == 1
    assert "billing/refunds.md: no errors now" in err


def test_a_port_in_use_is_one_clear_error(example: KB) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        console = Console(color=False, stdout=io.StringIO(), stderr=io.StringIO())
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1 is already in use"):
            command.run(example.config, console, port=port)


def test_bad_arguments_are_usage_errors(example: KB) -> None:
    console = Console(color=False, stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(UsageError, match="--port must be between 0 and 65535"):
        command.run(example.config, console, port=70000)
    with pytest.raises(UsageError, match="--debounce must be 0 or more"):
        command.run(example.config, console, port=0, debounce_ms=-1)
    assert cli_run(["-C", str(example.root), "watch", "--port", "-1"]) == 64
    assert cli_run(["watch", "--help"]) == 0


def test_loopback_hosts() -> None:
    assert all(command._is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "127.0.1.1"))
    assert not any(command._is_loopback(h) for h in ("0.0.0.0", "192.168.1.5", "example.org"))


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list child processes")
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_ctrl_c_or_sigterm_stops_cleanly_with_exit_0(example: KB, stop_signal: int) -> None:
    """Ctrl-C in a terminal; SIGTERM from a process manager, an IDE's stop button or a
    background job (where the shell leaves SIGINT ignored)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kbsync", "--no-color", "-C", str(example.root), "watch",
         "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stderr is not None
        url = ""
        for line in process.stdout:
            if " on http://" in line:
                url = line.split(" on ", 1)[1].split()[0]
                break
        assert url, "the preview never announced itself"
        assert httpx.get(url + "/billing/refunds", timeout=10).status_code == 200
        with httpx.Client(timeout=10) as http, http.stream("GET", url + "/.kbsync/events"):
            process.send_signal(stop_signal)  # with a browser's event stream open
            code = process.wait(timeout=20)
        rest = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 0, rest
    assert "Preview stopped." in rest and "Traceback" not in rest
    assert _children(process.pid) == []
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as again:  # the port is free: nothing is left listening
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
