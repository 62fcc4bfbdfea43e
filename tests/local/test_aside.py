"""A new knowledge base built beside its folder and moved into place at the end
(``local.aside``); killed runs are in ``tests/commands/test_init_killed.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbsync.errors import KbsyncError
from kbsync.local.aside import INCOMPLETE, build_aside, clear_interrupted, clear_stale_builds
from kbsync.runlock import hold_run_lock


def _build(target: Path) -> None:
    with build_aside(target) as folder:
        (folder / "guides").mkdir()
        (folder / "guides" / "a.md").write_text("# A\n")
        (folder / "kbsync.toml").write_text("[remote]\n")


def test_a_new_folder_appears_whole(tmp_path: Path) -> None:
    _build(tmp_path / "kb")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb"]
    assert (tmp_path / "kb" / "guides" / "a.md").read_text() == "# A\n"


def test_an_existing_folder_is_kept_and_filled(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """It may be the user's current folder: it is filled, never replaced."""
    target = tmp_path / "kb"
    (target / ".git").mkdir(parents=True)
    inode = target.stat().st_ino
    monkeypatch.chdir(target)
    _build(Path("."))
    assert target.stat().st_ino == inode and (target / "guides" / "a.md").is_file()
    assert not (target / ".kbsync" / INCOMPLETE).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb"]


def test_a_failure_while_building_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), build_aside(tmp_path / "kb") as folder:
        (folder / "kbsync.toml").write_text("[remote]\n")
        raise RuntimeError("the Help Center went away")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_move_is_cleared_by_its_list(tmp_path: Path) -> None:
    """What a run killed among its last renames leaves: the list, and some entries."""
    target = tmp_path / "kb"
    (target / ".git").mkdir(parents=True)
    (target / ".kbsync").mkdir()
    (target / ".kbsync" / INCOMPLETE).write_text(json.dumps(["guides", "kbsync.toml"]))
    (target / "guides").mkdir()
    assert clear_interrupted(target)
    assert sorted(p.name for p in target.iterdir()) == [".git"]
    assert not clear_interrupted(target)


def test_only_the_builds_of_dead_runs_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "kb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".kb.kbsync-init-{dead}"
    (stale / "guides").mkdir(parents=True)
    running = tmp_path / f".kb.kbsync-init-{os.getpid()}"
    other = tmp_path / ".other.kbsync-init-1"
    for folder in (running, other):
        folder.mkdir()
    with hold_run_lock(running / ".kbsync", "init"):
        assert clear_stale_builds(target) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([other.name, running.name])


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder\n")
    with pytest.raises(KbsyncError, match=r"cannot create .*\.kb\.kbsync-init-\d+: "):
        _build(tmp_path / "file" / "kb")
