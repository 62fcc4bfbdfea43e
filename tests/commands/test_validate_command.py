"""`kbsync validate` as a linter: findings on stdout, the count on stderr, JSON as data."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kbsync.cli import run

BAD = "---\ntitel: x\nstatus: live\n---\n\n[gone](nope.md)\n"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "ok.md").write_text("# Fine\n\nText.\n")
    (tmp_path / "kbsync.toml").write_text("[remote]\n")
    return tmp_path


def test_findings_go_to_stdout_one_per_line_and_the_count_to_stderr(
        kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "g" / "bad.md").write_text(BAD)
    assert run(["-C", str(kb), "validate"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "g/bad.md:1: title: missing title (add title: to the front matter or start the body "
        "with a '# Title' line)",
        "g/bad.md:2: titel: warning: unknown key (did you mean 'title'?)",
        "g/bad.md:3: status: must be draft or published, got 'live' (draft hides the article "
        "from readers, published shows it)",
        "g/bad.md:6: broken link: nope.md: no such file (did you mean ok.md?)",
    ]
    assert captured.err == "2 articles in 1 collection: 3 errors, 1 warning.\n"


def test_a_clean_tree_prints_only_the_summary(kb: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(kb), "validate"]) == 0
    assert capsys.readouterr() == ("", "1 article in 1 collection: valid.\n")


def test_warnings_alone_exit_0_and_strict_makes_them_errors(
        kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "g" / "ok.md").write_text("---\ntitle: Fine\nowner: me\n---\nText.\n")
    assert run(["-C", str(kb), "validate"]) == 0
    assert capsys.readouterr().err == "1 article in 1 collection: valid, 1 warning.\n"
    assert run(["-C", str(kb), "validate", "--strict"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("g/ok.md:3: owner: unknown key")
    assert captured.err == "1 article in 1 collection: 1 error.\n"


def test_format_json_gives_the_findings_as_versioned_data(
        kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "g" / "bad.md").write_text(BAD)
    assert run(["-C", str(kb), "validate", "--format", "json"]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["format_version"] == 1 and report["valid"] is False
    assert report["counts"] == {"articles": 2, "collections": 1, "errors": 3, "warnings": 1}
    assert report["findings"][1] == {"path": "g/bad.md", "line": 2, "column": 1,
                                     "end_column": 6, "key": "titel",
                                     "severity": "warning", "message": "unknown key",
                                     "hint": "did you mean 'title'?", "suggestion": "title"}
    assert captured.err == "2 articles in 1 collection: 3 errors, 1 warning.\n"


def test_in_github_actions_findings_are_annotations_relative_to_the_repository(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    kb = tmp_path / "docs" / "kb"
    (kb / "g").mkdir(parents=True)
    (kb / "g" / "bad.md").write_text(BAD)
    (kb / "kbsync.toml").write_text("[remote]\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.chdir(tmp_path / "docs")
    assert run(["-C", "kb", "validate"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[2] == ("::error file=docs/kb/g/bad.md,line=3,title=kbsync%3A status::"
                      "docs/kb/g/bad.md:3: status: must be draft or published, got 'live' "
                      "(draft hides the article from readers, published shows it)")
    assert out[1].startswith("::warning file=docs/kb/g/bad.md,line=2,title=kbsync%3A titel::")
    assert run(["-C", "kb", "validate", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["counts"]["errors"] == 3  # stdout stays data
    assert "::error file=docs/kb/g/bad.md,line=6,title=kbsync::" in captured.err


def test_a_failure_in_github_actions_is_an_error_annotation(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kbsync.toml").write_text('[remote]\nbase_url = "local"\nrequests_per_minute'
                                          ' = -1\n')
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    assert run(["-C", str(tmp_path), "validate"]) == 1
    assert capsys.readouterr().err == (
        "::error title=kbsync::kbsync.toml:3: remote.requests_per_minute: must be a whole "
        "number >= 0, got -1\n")


HINT = ("(delete it: readers would get it as it is; such characters come from copies out of "
        "terminals or binary files)")


def test_control_characters_in_front_matter_and_titles_and_nul_anywhere_are_refused(
        kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "g" / "a.md").write_text('---\ntitle: "A\\0b"\nexcerpt: "x\\e[2J"\n---\nText.\n')
    (kb / "g" / "b.md").write_bytes(b"# B\x07ell\n\nText with a\ttab,\nNUL \x00 and ESC \x1b.\n")
    (kb / "g" / "_collection.yaml").write_text('name: "Guides\\x9b"\n')
    assert run(["-C", str(kb), "validate"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"g/_collection.yaml:1: name: holds the control character \\x9b ('Guides\\x9b') {HINT}",
        f"g/a.md:2: title: holds the control character \\x00 ('A\\x00b') {HINT}",
        f"g/a.md:3: excerpt: holds the control character \\x1b ('x\\x1b[2J') {HINT}",
        f"g/b.md:1: title: holds the control character \\x07 ('B\\x07ell') {HINT}",
        f"g/b.md:4: holds a NUL character (\\x00) in the body {HINT}",
    ]


def test_a_tab_is_text_in_a_value_and_a_title_a_line_break_only_in_a_value(
        kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "g" / "a.md").write_text('---\ntitle: "T\\tab\\nbreak"\nexcerpt: "one\\ttwo"\n---\n'
                                   '\x1b\n')
    assert run(["-C", str(kb), "validate"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"g/a.md:2: title: holds the control character \\n ('T\\tab\\nbreak') {HINT}",
        f"g/a.md:5: warning: holds the control character \\x1b in the body {HINT}",
    ]


def test_format_github_gives_annotations_anywhere_and_text_in_actions_stays_text(
        kb: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (kb / "g" / "bad.md").write_text(BAD)
    assert run(["-C", str(kb), "validate", "--format", "github"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "::error file=g/bad.md,line=1,title=kbsync%3A title::g/bad.md:1: title: missing "
        "title (add title: to the front matter or start the body with a '# Title' line)")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(kb))
    assert run(["-C", str(kb), "validate", "--format", "text"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("g/bad.md:1: title: missing title")
    assert "::error file=g/bad.md,line=1,title=kbsync%3A title::" in captured.err
