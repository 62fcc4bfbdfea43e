"""`kbsync init --from-remote` killed at random points: it leaves nothing in the target
(or what the next run clears), and the next run imports the whole Help Center.

init runs as a real process against the emulator served on loopback and is killed with
SIGKILL after a random delay, up to the time a whole run takes; the re-run must succeed
and the first plan must be a no-op.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbsync.cli import run
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.local.aside import INCOMPLETE
from tests.processes import kbsync_process

TOKEN = "tok-init-kill-5ecret"
KILLS = 10


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[EmulatorApp, str]]:
    """A Help Center of 60 articles in 6 collections (one nested), over HTTP."""
    app = create_app(EmulatorConfig(token=TOKEN))
    parents: list[int] = []
    for index in range(6):
        parent = parents[0] if index == 5 else None
        parents.append(app.store.create_collection(
            {"name": f"Section {index}", "slug": f"section-{index}", "parent_id": parent,
             "position": 5 - index})["id"])
    for index in range(60):
        paragraphs = "".join(f"<p>Article {index}, paragraph {n}: <b>bold</b> and <a "
                             f'href="https://example.com/{n}">a link</a>.</p>'
                             for n in range(12))
        app.store.create_article({
            "title": f"Article {index}", "slug": f"article-{index}", "status": "published",
            "collection_id": parents[index % 6], "position": 59 - index,
            "content_html": f"<h2>Part {index}</h2>{paragraphs}", "content": "x"})
    with running_server(app) as url:
        yield app, url
    app.close()


def _init(url: str, target: Path) -> subprocess.Popen[str]:
    return kbsync_process(None, url, TOKEN, "init", "--from-remote", str(target))


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out + err


def _builds(target: Path) -> list[str]:
    return [p.name for p in target.parent.iterdir() if ".kbsync-init-" in p.name]


def _in_process(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The re-run and the plan run in this process (the killed run is the real one)."""
    for name, value in (("INITDESK_BASE_URL", url), ("INITDESK_ORG_ID", "1"),
                        ("INITDESK_TOKEN", TOKEN), ("INITDESK_RPM", "0")):
        monkeypatch.setenv(name, value)


def test_init_killed_at_random_points_leaves_nothing_and_the_rerun_imports_everything(
        served: tuple[EmulatorApp, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _app, url = served
    _in_process(url, monkeypatch)
    started = time.monotonic()
    code, output = _finish(_init(url, tmp_path / "whole"))
    assert code == 0, output
    whole = time.monotonic() - started
    rng = random.Random(20)
    kills = attempts = 0
    while kills < KILLS:
        attempts += 1
        assert attempts < 4 * KILLS, "init kept finishing before it could be killed"
        target = tmp_path / f"kb-{attempts}"
        if attempts % 2:  # half of them into a fresh git repository
            (target / ".git").mkdir(parents=True)
        process = _init(url, target)
        time.sleep(rng.uniform(0.0, whole))
        if process.poll() is not None:  # it finished first: not a kill
            continue
        process.send_signal(signal.SIGKILL)
        if process.wait() == 0:  # it finished between the two looks
            continue
        kills += 1
        moving = (target / ".kbsync" / INCOMPLETE).exists()
        if not (target / "kbsync.toml").exists() or moving:
            # Nothing there, or an unfinished move that the next run clears: init again.
            left = {p.name for p in target.iterdir()} if target.exists() else set()
            assert moving or left <= {".git"}, f"a half knowledge base: {sorted(left)}"
            assert run(["init", "--from-remote", str(target)]) == 0
        # else it was killed after the knowledge base was in place: nothing to redo
        assert _builds(target) == []
        assert run(["-C", str(target), "plan", "--detailed-exitcode"]) == 0
