"""SIGKILL in the middle of apply, then apply again: converges, nothing duplicated.

The apply runs as a real subprocess against the emulator served on loopback, with
injected faults (including writes that are committed but answered with a dropped
connection), and is killed once it is well under way.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from pathlib import Path

from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from tests.processes import kbsync_process, wait_for_posts

TOKEN = "tok-crash-5ecret"
FAULTS = ("500", "503", "drop", "slow", "commit_then_500", "commit_then_drop")


def _write_kb(root: Path, articles: int) -> None:
    (root / "kbsync.toml").write_text("[remote]\n")  # the remote comes from the environment
    for index in range(articles):
        folder = root / f"section-{index % 3}" / f"part-{index % 3}-{index % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        after = index + 1
        link = f"[next](../../section-{after % 3}/part-{after % 3}-{after % 2}/a{after}.md)"
        body = f"Article {index}.\n\nSee {link}.\n" if after < articles else "Last.\n"
        (folder / f"a{index}.md").write_text(f"---\ntitle: Article {index}\n---\n\n{body}")


def _kbsync(root: Path, url: str, *args: str) -> subprocess.Popen[str]:
    return kbsync_process(root, url, TOKEN, *args)


def test_apply_killed_mid_run_converges_without_duplicates(tmp_path: Path) -> None:
    articles = 40
    _write_kb(tmp_path, articles)
    app = create_app(EmulatorConfig(token=TOKEN, faults=0.25, seed=7, fault_kinds=FAULTS,
                                    slow_seconds=0.05))
    with running_server(app) as url:
        first = _kbsync(tmp_path, url, "apply", "--yes")
        wait_for_posts(app, 15)
        assert first.poll() is None, "apply finished before it could be killed"
        first.send_signal(signal.SIGKILL)
        first.wait()
        for _attempt in range(6):  # faults stay on: each run gets further
            again = _kbsync(tmp_path, url, "apply", "--yes")
            _out, err = again.communicate(timeout=120)
            if again.returncode == 0:
                break
        assert again.returncode == 0, err
        app.set_faults(0.0)
        check = _kbsync(tmp_path, url, "plan", "--detailed-exitcode")
        out, err = check.communicate(timeout=60)
        assert check.returncode == 0, out + err
    _count, rows = app.store.list_articles(limit=1000)
    slugs = Counter(a["slug"] for a in rows)
    assert len(slugs) == articles and max(slugs.values()) == 1


def test_ctrl_c_stops_after_the_current_request_with_a_consistent_lock(tmp_path: Path) -> None:
    import json

    _write_kb(tmp_path, 30)
    app = create_app(EmulatorConfig(token=TOKEN, faults=1.0, fault_kinds=("slow",),
                                    slow_seconds=0.03))
    with running_server(app) as url:
        first = _kbsync(tmp_path, url, "apply", "--yes")
        wait_for_posts(app, 5)
        first.send_signal(signal.SIGINT)
        _out, err = first.communicate(timeout=60)
        assert first.returncode == 130, err
        assert "Interrupted" in err
        lock = json.loads((tmp_path / "kbsync.lock").read_text())
        _count, rows = app.store.list_articles(limit=1000)
        assert {e["id"] for e in lock["articles"].values()} == {a["id"] for a in rows}
        app.set_faults(0.0)
        again = _kbsync(tmp_path, url, "apply", "--yes")
        assert again.wait(timeout=60) == 0
        check = _kbsync(tmp_path, url, "plan", "--detailed-exitcode")
        assert check.wait(timeout=60) == 0
    _count, rows = app.store.list_articles(limit=1000)
    assert len(rows) == 30
