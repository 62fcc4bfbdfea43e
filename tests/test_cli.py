"""The command line end to end: exit codes, the embedded local Help Center, messages."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbsync.cli import run
from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.emulator.server import running_server

EXAMPLE = Path(__file__).resolve().parents[1] / "example-kb"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
    return root


def test_a_usage_error_exits_64_never_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", "--no-such-option"]) == 64
    assert run(["no-such-command"]) == 64
    assert run(["plan", "--format", "yaml"]) == 64
    assert "No such option" in capsys.readouterr().err


def test_terraforms_auto_approve_points_to_yes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["apply", "--auto-approve"]) == 64
    assert capsys.readouterr().err == (
        "Usage error: no such option --auto-approve; kbsync apply --yes skips the "
        "confirmation (Terraform's -auto-approve)\n")


def test_help_everywhere_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["validate", "--help"], ["plan", "--help"], ["apply", "--help"],
                 ["doctor", "--help"], ["emulator", "--help"]):
        assert run(argv) == 0
    assert "--detailed-exitcode" in capsys.readouterr().out


def test_the_quickstart_applies_example_kb_to_the_embedded_help_center(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(example), "plan", "--detailed-exitcode"]) == 2
    assert run(["-C", str(example), "apply", "--yes"]) == 0
    assert "Apply complete: 44 created, 1 updated" in capsys.readouterr().err
    assert run(["-C", str(example), "plan", "--detailed-exitcode"]) == 0
    assert (example / ".kbsync" / "local.db").is_file()


def test_apply_refuses_without_yes_when_not_on_a_terminal(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(example), "apply"]) == 1
    assert "refusing to apply without --yes" in capsys.readouterr().err
    assert run(["-C", str(example), "plan", "--detailed-exitcode"]) == 2


def test_a_missing_token_for_a_real_remote_is_one_clear_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INITDESK_TOKEN", raising=False)
    (tmp_path / "kbsync.toml").write_text(
        '[remote]\nbase_url = "https://api.initdesk.com"\norganization_id = 5\n')
    assert run(["-C", str(tmp_path), "plan"]) == 1
    err = capsys.readouterr().err
    assert "no token: set INITDESK_TOKEN" in err and "Traceback" not in err


def test_a_config_problem_names_file_line_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "kbsync.toml").write_text(
        '[remote]\nbase_url = "local"\nrequests_per_minute = -1\n')
    assert run(["-C", str(tmp_path), "plan"]) == 1
    assert "kbsync.toml:3: remote.requests_per_minute: must be a whole number >= 0" in \
        capsys.readouterr().err


@pytest.mark.parametrize("argv", [["validate"], ["plan"], ["apply", "--yes"], ["pull"],
                                  ["coverage", "--local"]])
def test_a_folder_without_kbsync_toml_is_not_a_knowledge_base(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "notes.md").write_text("# Not an article\n")
    assert run(["-C", str(tmp_path), *argv]) == 1
    assert (f"no kbsync.toml in {tmp_path} or any folder above it: run `kbsync init "
            f"{tmp_path}` to start a knowledge base there") in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tests"]  # nothing written


def test_init_starts_a_knowledge_base_that_applies_at_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "new-kb"
    assert run(["init", str(root)]) == 0
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                  and ".kbsync" not in p.parts) == [
        ".gitignore", "getting-started/01-welcome.md", "getting-started/_collection.yaml",
        "kbsync.toml"]
    assert run(["-C", str(root), "validate"]) == 0
    assert run(["-C", str(root), "apply", "--yes"]) == 0
    assert run(["-C", str(root), "plan", "--detailed-exitcode"]) == 0
    assert run(["init", str(root)]) == 1  # never into a folder that holds something
    assert "is not empty" in capsys.readouterr().err


def test_init_without_from_remote_refuses_remote_settings_and_needs_no_token(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The starter syncs with the embedded Help Center: --org was once dropped in
    silence, and a malformed INITDESK_TOKEN (which it never uses) failed it."""
    assert run(["--org", "5", "init", str(tmp_path / "a")]) == 64
    assert "--base-url and --org go with --from-remote" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
    monkeypatch.setenv("INITDESK_TOKEN", "two\nlines")
    assert run(["init", str(tmp_path / "b")]) == 0


@pytest.fixture
def served() -> Iterator[str]:
    """An emulator on loopback holding one article, its token in INITDESK_TOKEN."""
    app = create_app(EmulatorConfig(token="tok-cli-1"))
    app.store.create_article({"title": "One", "slug": "one", "status": "published"})
    with running_server(app) as url:
        yield url
    app.close()


def test_remote_options_work_after_the_command_name(
        served: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INITDESK_TOKEN", "tok-cli-1")
    monkeypatch.setenv("INITDESK_RPM", "0")
    target = tmp_path / "imported"
    assert run(["init", "--from-remote", "--org", "1", "--base-url", served,
                str(target)]) == 0
    assert (target / "one.md").is_file()
    assert run(["plan", "-C", str(target), "--org", "1", "--detailed-exitcode"]) == 0
    assert run(["doctor", "--base-url", served, "--org", "1"]) == 0
    assert run(["--org", "1", "doctor", "--org", "2"]) == 64  # two answers: ask


def test_init_asks_for_the_organization_without_pointing_at_a_file_it_has_not_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INITDESK_ORG_ID", raising=False)
    assert run(["init", "--from-remote", str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert "no organization id: name the Help Center to import with --org ID" in err
    assert "kbsync.toml" not in err and not (tmp_path / "new").exists()


def test_c_after_the_command_name_is_accepted(example: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "-C", str(example)]) == 0
    assert "35 articles in 9 collections: valid." in capsys.readouterr().err
    assert run(["coverage", "-C", str(example), "--local"]) == 0
    assert "coverage 89% (24 of 27 questions)" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["validate", "plan", "apply", "pull", "doctor",
                                     "coverage", "watch"])
def test_every_command_on_a_folder_takes_c_after_its_name(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([command, "--help"]) == 0
    assert "-C DIRECTORY" in capsys.readouterr().out


def test_c_twice_with_two_folders_is_a_usage_error(
        example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(example), "validate", "-C", str(example)]) == 0  # the same: fine
    assert run(["-C", str(example), "plan", "-C", str(tmp_path)]) == 64
    assert "-C given twice" in capsys.readouterr().err


def test_c_after_a_command_without_a_folder_says_what_to_do_instead(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["emulator", "-C", str(tmp_path)]) == 64
    assert run(["init", "-C", str(tmp_path), "--from-remote", "new"]) == 64
    assert capsys.readouterr().err.splitlines() == [
        "Usage error: emulator does not take -C; it serves a Help Center, not a folder "
        "(its data: --db FILE)",
        "Usage error: init does not take -C; name the new folder: kbsync init DIR"]


def test_v_lists_every_request_off_a_terminal_with_progress_lines(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(example), "-v", "apply", "--yes"]) == 0
    err = capsys.readouterr().err.splitlines()
    requests = [line for line in err if " -> " in line and line.endswith(" ms)")]
    assert requests[0].startswith("GET /organizations/1/ -> 200 (")
    assert sum(1 for line in requests if line.startswith("POST ")) == 44
    assert "Applying: 46 steps to run" in err
    assert any(line.startswith("Applying: 46/46 done, 68 requests, ") for line in err)
    assert err[-1] == "Apply complete: 44 created, 1 updated (68 requests)."


def test_v_lists_coverage_requests_as_for_every_command(
        example: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(example), "apply", "--yes"]) == 0
    capsys.readouterr()
    assert run(["-C", str(example), "-v", "coverage"]) == 0
    err = capsys.readouterr().err.splitlines()
    searches = [line for line in err if line.startswith("GET /organizations/1/portal/articles/"
                                                         "search/") and " -> 200 (" in line]
    assert len(searches) == 27


@pytest.mark.parametrize(("value", "start"), [("true", "::error title=kbsync::no kbsync.toml"),
                                              ("false", "Error: no kbsync.toml")])
def test_the_github_environment_variable_turns_github_mode_on(
        value: str, start: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", value)
    monkeypatch.chdir(tmp_path)
    assert run(["validate"]) == 1
    assert capsys.readouterr().err.startswith(start)
