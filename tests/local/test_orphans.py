"""No orphans: kbsync killed while its workers parse leaves no process behind.

``kbsync validate`` on 400 articles parses on worker processes. Killed (SIGKILL or
SIGTERM) while they work, its output pipe must reach end-of-file within seconds (a
``kbsync apply | tee log`` or a CI step must not hang on a stray worker holding it) and
none of its children may remain. Leftover temporary files of atomic writes are removed
by the next run, and the .gitignore that init writes covers them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kbsync.local.bulk import POOL_THRESHOLD
from kbsync.local.writer import atomic_write, clean_stale_temps
from kbsync.pull.runner import GITIGNORE
from tests.deep import Nest

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid``, read from /proc (no psutil)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = {int(k) for k in task.read_text().split()}
            except OSError:
                continue
            todo.extend(kids - found)
            found |= kids
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _write_kb(root: Path, articles: int) -> None:
    (root / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    paragraph = "## Part\n\nSome *text* with [a link](a0.md) and `code`.\n\n" * 40
    for index in range(articles):
        folder = root / f"c{index % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"a{index}.md").write_text(f"---\ntitle: A {index}\n---\n\n{paragraph}")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killed_during_parsing_leaves_no_process_and_no_open_pipe(
        tmp_path: Path, how: signal.Signals) -> None:
    _write_kb(tmp_path, POOL_THRESHOLD + 100)
    run = subprocess.Popen([sys.executable, "-m", "kbsync", "-C", str(tmp_path), "validate"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(run.pid)) < 2:  # the workers (and their tracker)
            assert run.poll() is None and time.monotonic() < deadline, "no workers started"
            time.sleep(0.01)
        time.sleep(0.2)  # well into parsing
        workers = _children(run.pid)
        run.send_signal(how)
        reached_eof = threading.Event()
        reader = threading.Thread(target=lambda: (run.stdout.read(),  # type: ignore[union-attr]
                                                  reached_eof.set()), daemon=True)
        reader.start()
        assert reached_eof.wait(10), "the output pipe is still held open after 10 s"
        run.wait(10)
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in workers if _alive(pid)] == []
    finally:
        for pid in [run.pid, *workers]:  # ours only, by pid, whatever happened above
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        run.wait(10)


def test_temporary_files_of_dead_runs_are_removed_and_ignored(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    stale = [tmp_path / f".kbsync.lock.{pid}.0badcafe.tmp",
             tmp_path / "g" / f".a.md.{pid}.12345678.tmp",
             tmp_path / ".kbsync" / "cache" / f".parsed.json.{pid}.abcdef01.tmp"]
    mine = tmp_path / f".kbsync.lock.{os.getpid()}.00000000.tmp"
    unrelated = tmp_path / ".notes.tmp"
    for path in [*stale, mine, unrelated]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert sorted(clean_stale_temps(tmp_path)) == sorted(stale)
    assert mine.exists() and unrelated.exists()
    assert ".*.tmp" in GITIGNORE.splitlines()


def test_the_clean_up_walks_a_thousand_nested_folders_without_recursion(
        tmp_path: Path, nest: Nest) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    too_deep = nest(tmp_path, 1_000) / f".a.md.{int(dead.stdout)}.12345678.tmp"
    too_deep.write_text("x")  # kbsync never writes this deep: left alone
    assert clean_stale_temps(tmp_path) == []


def test_apply_cleans_what_a_killed_run_left(tmp_path: Path) -> None:
    from kbsync.cli import run

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    (tmp_path / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    (tmp_path / "a.md").write_text("# A\n")
    leftover = tmp_path / f".kbsync.lock.{int(dead.stdout)}.deadbeef.tmp"
    leftover.write_text("half a lock")
    assert run(["-q", "-C", str(tmp_path), "apply", "--yes"]) == 0
    assert not leftover.exists()
    atomic_write(tmp_path / "x.txt", "y")  # and a normal write leaves nothing behind
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
