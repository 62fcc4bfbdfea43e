"""Where the repository root is, for annotation paths."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kbsync.github.environment import annotation_prefix, in_github_actions, repository_root


def test_github_actions_is_the_runners_variable_exactly() -> None:
    assert in_github_actions({"GITHUB_ACTIONS": "true"})
    assert not in_github_actions({"GITHUB_ACTIONS": "1"}) and not in_github_actions({})


def test_the_workspace_is_the_root_when_the_folder_is_inside_it(tmp_path: Path) -> None:
    kb = tmp_path / "docs" / "kb"
    kb.mkdir(parents=True)
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    assert repository_root(kb, env) == tmp_path.resolve()
    assert annotation_prefix(kb, env) == "docs/kb"
    assert annotation_prefix(tmp_path, env) == ""


def test_else_gits_top_level(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    kb = tmp_path / "repo" / "kb"
    kb.mkdir()
    elsewhere = {"GITHUB_WORKSPACE": str(tmp_path / "not-here")}
    assert annotation_prefix(kb, elsewhere) == "kb"
    assert annotation_prefix(kb, {}) == "kb"


def test_else_the_folder_itself(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    assert repository_root(kb, {}) == kb.resolve()
    assert annotation_prefix(kb, {}) == ""


def test_a_relative_folder_is_resolved_against_the_current_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "kb").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a")
    assert annotation_prefix(Path("kb"), {"GITHUB_WORKSPACE": str(tmp_path)}) == "a/kb"
