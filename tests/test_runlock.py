"""One apply (or pull) at a time per knowledge base: the second refuses at once.

Unit tests of ``.kbsync/run.lock``, then real ``kbsync`` processes against an emulator
served over HTTP: while the first apply waits at its first POST (held there by a gate the
test opens), a second apply and a pull exit 1, name the first, and send no request.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.runlock import RUN_LOCK, RunLocked, hold_run_lock, holder_of
from tests.processes import Gate, go, kbsync_process, ready_kbsync, write_plain_kb

TOKEN = "tok-runlock-5ecret"
REFUSAL = re.compile(r"another kbsync (apply|pull) is running here \(pid (\d+), since "
                     r"\d\d:\d\d:\d\d\)")


def test_a_second_holder_is_refused_naming_the_first(tmp_path: Path) -> None:
    with hold_run_lock(tmp_path, "apply") as me:
        assert holder_of(tmp_path) == me
        with pytest.raises(RunLocked) as caught, hold_run_lock(tmp_path, "pull"):
            pass
    message = str(caught.value)
    found = REFUSAL.search(message)
    assert found is not None and found.groups() == ("apply", str(os.getpid())), message
    assert holder_of(tmp_path) is None


def test_a_lock_left_by_a_dead_run_is_taken_over(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    (tmp_path / RUN_LOCK).write_text(json.dumps(
        {"pid": int(dead.stdout), "command": "apply", "started": time.time() - 60}))
    assert holder_of(tmp_path) is None  # nobody holds it: the OS lock died with its owner
    with hold_run_lock(tmp_path, "pull") as me:
        assert json.loads((tmp_path / RUN_LOCK).read_text())["pid"] == me.pid == os.getpid()


def test_an_unreadable_lock_file_is_taken_over_too(tmp_path: Path) -> None:
    (tmp_path / RUN_LOCK).write_bytes(b"\xff garbage")
    with hold_run_lock(tmp_path, "apply"):
        pass


# -- two real processes ---------------------------------------------------------------


def test_a_second_apply_or_pull_refuses_at_once_while_one_runs(tmp_path: Path) -> None:
    write_plain_kb(tmp_path, 15, 3)
    app = create_app(EmulatorConfig(token=TOKEN))
    gate = Gate(app)  # the first apply waits at its first POST until the gate opens
    with running_server(gate) as url:
        others = [ready_kbsync(tmp_path, url, TOKEN, *command)
                  for command in (["apply", "--yes"], ["pull"])]
        first = kbsync_process(tmp_path, url, TOKEN, "apply", "--yes")
        gate.wait_arrived(first)
        for second in others:
            go(second)
            _out, err = second.communicate(timeout=60)
            assert second.returncode == 1, err
            found = REFUSAL.search(err)
            assert found is not None and found.groups() == ("apply", str(first.pid)), err
        gets = Counter(r["path"] for r in app.requests() if r["method"] == "GET")
        assert gets["/organizations/1/"] == 1  # the refused ones sent nothing
        gate.open()
        _out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
    _count, rows = app.store.list_articles(limit=1000)
    assert len(rows) == 15 and max(Counter(a["slug"] for a in rows).values()) == 1
