"""`kbsync lsp --check`: what the editor would show, printed once (for a support request):
each diagnostic at the line and columns the editor underlines, with validate's words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbsync.cli import run

START = ("---\ntitle: Start\ntitel: x\n---\n\n"
         "Read [next](02-nxt.md) and [that](02-next.md#nope).\n")


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    (tmp_path / "guides").mkdir()
    (tmp_path / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    (tmp_path / "guides/_collection.yaml").write_text("name: Guides\n")
    (tmp_path / "guides/01-start.md").write_text(START)
    (tmp_path / "guides/02-next.md").write_text("---\ntitle: Next\n---\n\n## Details\n")
    return tmp_path


def test_check_prints_each_diagnostic_where_the_editor_shows_it(
        kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(kb), "lsp", "--check"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(f": {kb.resolve()}")
    assert lines[1] == ("2 articles in 1 collection; Markdown: tables, strikethrough, "
                        "tasklists, footnotes, attrs, alerts; heading ids: github; "
                        "extra keys: none")
    assert lines[2:5] == [
        "guides/01-start.md:3:1-3:6: warning: titel: unknown key (did you mean 'title'?)",
        "guides/01-start.md:6:13-6:22: error: broken link: 02-nxt.md: no such file "
        "(did you mean 02-next.md?)",
        "guides/01-start.md:6:35-6:50: error: broken link: 02-next.md#nope: no heading or "
        "anchor 'nope' in guides/02-next.md (anchors there: #details)"]
    assert re.fullmatch(r"2 errors, 1 warning in 1 file \(checked in \d+ ms\)", lines[5])


def test_check_of_one_file_reports_only_that_file(kb: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(kb), "lsp", "--check", str(kb / "guides/02-next.md")]) == 0
    assert capsys.readouterr().out.splitlines()[2].startswith("0 errors, 0 warnings in 0 files")


def test_check_of_a_folder_outside_the_knowledge_base_is_a_usage_error(
        kb: Path, tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path_factory.mktemp("elsewhere")
    assert run(["-C", str(kb), "lsp", "--check", str(outside)]) == 64
    assert (f"--check {outside}: not a file or folder of the knowledge base at {kb.resolve()}"
            in capsys.readouterr().err)


def test_check_of_a_path_finds_the_knowledge_base_it_is_in(
        kb: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # As the server does for each file: the nearest kbsync.toml above PATH, not the
    # current folder's
    monkeypatch.chdir(kb.parent)
    assert run(["lsp", "--check", kb.name]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("2 errors, 1 warning in 1 file")
    assert run(["lsp", "--check", f"{kb.name}/guides/02-next.md"]) == 0
    assert capsys.readouterr().out.splitlines()[2].startswith("0 errors, 0 warnings in 0 files")


def test_check_of_a_path_with_c_is_a_path_in_that_folder(
        kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", str(kb), "lsp", "--check", "guides"]) == 1
    assert capsys.readouterr().out.splitlines()[-1].startswith("2 errors, 1 warning in 1 file")
    assert run(["-C", str(kb), "lsp", "--check", "nope"]) == 64
    assert f"--check {kb / 'nope'}: no such file or folder" in capsys.readouterr().err
