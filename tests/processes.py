"""kbsync as a real process against a served emulator, for the tests that kill or race it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from kbsync.emulator.app import EmulatorApp


def kbsync_process(root: Path | None, url: str, token: str, *args: str
                   ) -> subprocess.Popen[str]:
    """``kbsync -C root ARGS`` (no ``-C`` when ``root`` is None: init) running against the
    emulator at ``url``, unthrottled."""
    env = {**os.environ, "INITDESK_BASE_URL": url, "INITDESK_ORG_ID": "1",
           "INITDESK_TOKEN": token, "INITDESK_RPM": "0"}
    folder = ["-C", str(root)] if root is not None else []
    return subprocess.Popen([sys.executable, "-m", "kbsync", *folder, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_posts(app: EmulatorApp, count: int, *, timeout: float = 30.0,
                   process: subprocess.Popen[str] | None = None) -> None:
    """Until the emulator has seen ``count`` POSTs: an apply is under way (and, given its
    ``process``, still running)."""
    deadline = time.monotonic() + timeout
    while sum(1 for r in app.requests() if r["method"] == "POST") < count:
        if time.monotonic() > deadline or (process is not None and process.poll() is not None):
            raise AssertionError("apply never got under way")
        time.sleep(0.005)
