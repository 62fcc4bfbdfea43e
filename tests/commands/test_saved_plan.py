"""`plan --out` then `apply PLANFILE`: the saved plan is the approval, and goes stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kbsync.cli import run

EXAMPLE = Path(__file__).resolve().parents[2] / "example-kb"


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "my kb"  # a space: the suggested command must quote it
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
    monkeypatch.chdir(tmp_path)
    return root


def test_out_always_writes_json_and_says_how_to_apply_exactly_it(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", "my kb", "plan", "--out", "changes.txt"]) == 0
    err = capsys.readouterr().err
    assert ("Saved the plan to changes.txt (JSON). Apply exactly this plan with: "
            "kbsync -C 'my kb' apply changes.txt") in err
    saved = json.loads(Path("changes.txt").read_text())
    assert saved["format_version"] == 2 and saved["summary"]["create"] == 44
    assert saved["root"] == str(example.resolve())


def test_without_c_the_suggested_command_has_none(
        example: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example)
    assert run(["plan", "--out", "../p.json"]) == 0
    assert "Apply exactly this plan with: kbsync apply ../p.json\n" in capsys.readouterr().err


def test_a_saved_plan_applies_off_a_terminal_without_yes_or_a_prompt(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", "my kb", "plan", "--out", "p.json"]) == 0
    assert run(["-C", "my kb", "apply", "p.json"]) == 0
    err = capsys.readouterr().err
    assert "Apply complete: 44 created, 1 updated" in err and "yes" not in err
    assert run(["-C", "my kb", "plan", "--detailed-exitcode"]) == 0


def test_a_plan_made_in_another_folder_is_refused_before_anything_is_read(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = example.parent / "other kb"
    other.mkdir()
    (other / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    assert run(["-C", "my kb", "plan", "--out", "a.plan"]) == 0
    capsys.readouterr()
    assert run(["-C", "other kb", "apply", "a.plan"]) == 1
    assert capsys.readouterr().err == (
        f"Error: this plan was made in {example.resolve()} (organization 1 at local); apply it "
        "there, or run kbsync plan here\n")
    assert not (other / "kbsync.lock").exists() and not (other / ".kbsync/local.db").exists()


def test_a_stale_saved_plan_is_refused(example: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", "my kb", "plan", "--out", "old.json"]) == 0
    assert run(["-C", "my kb", "apply", "--yes"]) == 0
    capsys.readouterr()
    assert run(["-C", "my kb", "apply", "old.json"]) == 1
    assert "the saved plan is stale; run `kbsync plan` again" in capsys.readouterr().err


def test_apply_help_says_a_saved_plan_needs_no_prompt(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["apply", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "runs exactly that plan without a prompt: saving the plan was the approval" in text
    assert "refused as stale" in text
