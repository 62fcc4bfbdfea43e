"""kbsync as a real process against a served emulator, for the tests that kill or race it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbsync.emulator.app import EmulatorApp

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def kbsync_process(root: Path | None, url: str, token: str, *args: str
                   ) -> subprocess.Popen[str]:
    """``kbsync -C root ARGS`` (no ``-C`` when ``root`` is None: init) running against the
    emulator at ``url``, unthrottled."""
    env = {**os.environ, "INITDESK_BASE_URL": url, "INITDESK_ORG_ID": "1",
           "INITDESK_TOKEN": token, "INITDESK_RPM": "0"}
    folder = ["-C", str(root)] if root is not None else []
    return subprocess.Popen([sys.executable, "-m", "kbsync", *folder, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write_plain_kb(root: Path, articles: int, folders: int) -> None:
    """A knowledge base of ``articles`` one-line articles in ``folders`` folders, whose
    remote comes from the environment (see :func:`kbsync_process`)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "kbsync.toml").write_text("[remote]\n")
    for index in range(articles):
        folder = root / f"part-{index % folders}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{index}.md").write_text(f"---\ntitle: Article {index}\n---\n\nText.\n")


def wait_for_posts(app: EmulatorApp, count: int, *, timeout: float = 30.0,
                   process: subprocess.Popen[str] | None = None) -> None:
    """Until the emulator has seen ``count`` POSTs: an apply is under way (and, given its
    ``process``, still running)."""
    deadline = time.monotonic() + timeout
    while sum(1 for r in app.requests() if r["method"] == "POST") < count:
        if time.monotonic() > deadline or (process is not None and process.poll() is not None):
            raise AssertionError("apply never got under way")
        time.sleep(0.005)


class Gate:
    """A WSGI app in front of ``app`` that holds every request ``held`` picks (POSTs by
    default) until :meth:`open`: a process sending one is paused there, mid-run, for as
    long as a test needs, with no timing to guess. ``arrived`` is set by the first.

    ``answer_first``: the request is done in ``app`` and only its answer is held (a
    write that happened, whose answer the client has not seen yet)."""

    def __init__(self, app: WSGIApplication,
                 held: Callable[[dict[str, Any]], bool] = lambda env: env["REQUEST_METHOD"]
                 == "POST", *, answer_first: bool = False) -> None:
        self._app = app
        self._held = held
        self._answer_first = answer_first
        self.arrived = threading.Event()
        self._open = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if not self._held(environ) or self._open.is_set():
            return self._app(environ, start_response)
        answer = list(self._app(environ, start_response)) if self._answer_first else None
        self.arrived.set()
        self._open.wait(timeout=GATE_TIMEOUT)
        return answer if answer is not None else self._app(environ, start_response)

    def wait_arrived(self, process: subprocess.Popen[str]) -> None:
        """Until a held request is waiting; AssertionError if ``process`` ends first."""
        while not self.arrived.wait(timeout=0.1):
            if process.poll() is not None:
                raise AssertionError(f"no request reached the gate: {process.communicate()}")

    def open(self) -> None:
        self._open.set()


#: The longest a held request waits for a test that forgot to open its gate.
GATE_TIMEOUT = 120.0


def ready_kbsync(root: Path, url: str, token: str, *args: str) -> subprocess.Popen[str]:
    """``kbsync -C root ARGS`` with the interpreter started and kbsync imported, waiting
    for a line on its stdin to run (see :func:`go`): a test starts it early, and its
    start-up can no longer race what the test arranges meanwhile."""
    env = {**os.environ, "INITDESK_BASE_URL": url, "INITDESK_ORG_ID": "1",
           "INITDESK_TOKEN": token, "INITDESK_RPM": "0"}
    script = ("import sys; from kbsync import cli; print('ready', flush=True); "
              "sys.stdin.readline(); cli.main(sys.argv[1:])")
    process = subprocess.Popen([sys.executable, "-c", script, "-C", str(root), *args], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if line != "ready\n":
        raise AssertionError(f"kbsync did not start: {line!r} {process.communicate()}")
    return process


def go(process: subprocess.Popen[str]) -> None:
    """Let a :func:`ready_kbsync` process run."""
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()
