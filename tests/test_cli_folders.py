"""Any folder inside a knowledge base works: commands find kbsync.toml upward, as git
finds .git, say which folder they use, and init never starts one inside another."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kbsync.cli import run

EXAMPLE = Path(__file__).resolve().parents[1] / "example-kb"
USING_PARENT = "Using the knowledge base at .. (kbsync.toml)"


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example (embedded Help Center), with the current folder in billing/."""
    root = tmp_path / "kb"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
    monkeypatch.chdir(root / "billing")
    return root


def test_validate_from_a_subfolder_checks_the_whole_knowledge_base(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        USING_PARENT, "35 articles in 9 collections: valid."]


def test_plan_apply_and_pull_from_a_subfolder_act_on_the_enclosing_knowledge_base(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["apply", "--yes"]) == 0
    assert "Apply complete: 44 created, 1 updated" in capsys.readouterr().err
    assert not (example / "billing" / "kbsync.lock").exists()
    assert (example / "kbsync.lock").is_file() and (example / ".kbsync/local.db").is_file()
    assert run(["plan", "--detailed-exitcode"]) == 0
    assert run(["pull"]) == 0
    err = capsys.readouterr().err
    assert err.count(USING_PARENT) == 2 and "Nothing to pull." in err


def test_a_target_from_a_subfolder_is_relative_to_it(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", "--target", "refunds.md"]) == 0
    out = capsys.readouterr().out
    assert "Options: targets=billing/refunds.md" in out and "account/" not in out


def test_quiet_leaves_the_folder_line_out(example: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-q", "validate"]) == 0
    assert run(["validate", "-q"]) == 0
    assert USING_PARENT not in capsys.readouterr().err


def test_c_searches_upward_from_its_folder(example: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", "../shipping/carriers", "validate"]) == 0
    assert "Using the knowledge base at .. (kbsync.toml)" in capsys.readouterr().err
    assert run(["-C", str(example / "shipping"), "validate"]) == 0
    assert f"Using the knowledge base at {example.resolve()} (kbsync.toml)" in \
        capsys.readouterr().err


def test_findings_and_annotations_from_a_subfolder_name_the_files_as_from_the_top(
        example: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (example / "billing" / "zz.md").write_text("---\ntitel: x\n---\n\nNo title.\n")
    assert run(["validate"]) == 1
    assert capsys.readouterr().out.startswith("billing/zz.md:1: title: missing title")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(example.parent))
    assert run(["validate"]) == 1
    assert capsys.readouterr().out.startswith(
        "::error file=kb/billing/zz.md,line=1,title=kbsync%3A title::kb/billing/zz.md:1: ")


def test_outside_any_knowledge_base_every_command_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INITDESK_ORG_ID", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run(["plan"]) == 1
    assert run(["doctor"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "Error: no kbsync.toml in . or any folder above it: run `kbsync init .` to start a "
        "knowledge base there (or `kbsync -C DIR ...` to use one elsewhere)",
        "Error: no kbsync.toml in . or any folder above it: doctor checks the Help Center a "
        "knowledge base syncs with: run it inside one, or name the Help Center with --org ID "
        "(and --base-url URL)"]


def test_the_search_stops_at_the_top_of_a_git_repository(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    repo = tmp_path / "project"
    (repo / "docs").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    monkeypatch.chdir(repo / "docs")
    assert run(["validate"]) == 1
    assert ("no kbsync.toml in . or above it (up to the top of its git repository, ..): "
            "run `kbsync init .`") in capsys.readouterr().err


def test_init_inside_a_knowledge_base_is_refused_in_one_line(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init", "nested"]) == 1
    assert capsys.readouterr().err == (
        "Error: nested is inside the knowledge base at .. (kbsync.toml), which would read "
        "the new one's files as its own: add the articles to that one, or start the new "
        "one elsewhere\n")
    assert not (example / "billing" / "nested").exists()
