"""kbsync's own files under attack: one line naming the file, exit 1, nothing sent.

Each case breaks one file or folder kbsync keeps or looks for by name (``.kbsync`` and
what is in it, kbsync.toml, .kbsyncignore, portal.yaml, coverage.yaml, a folder nested
a thousand levels) the way a hostile repository would; ``apply`` and ``pull`` then run
through the real command line against an emulator served on loopback, which counts
every request it gets.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kbsync.cli import run
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from tests.deep import Nest

BUG = "bug in kbsync"
TOKEN = "own-files-token"


def _cli(root: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(["--no-color", "-C", str(root), *args])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorApp]:
    app = create_app(EmulatorConfig(token=TOKEN))
    with running_server(app) as url:
        for name, value in (("INITDESK_BASE_URL", url), ("INITDESK_ORG_ID", "1"),
                            ("INITDESK_TOKEN", TOKEN), ("INITDESK_RPM", "0")):
            monkeypatch.setenv(name, value)
        yield app
    app.close()


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "g").mkdir(parents=True)
    (root / "kbsync.toml").write_text("# the remote comes from the environment\n")
    (root / "g/a.md").write_text("---\ntitle: A\n---\nBody.\n")
    return root


Break = Callable[[Path], object]
CASES: dict[str, tuple[Break, str]] = {
    "run.lock a FIFO": (lambda r: ((r / ".kbsync").mkdir(), os.mkfifo(r / ".kbsync/run.lock")),
                        ".kbsync/run.lock is a named pipe (FIFO)"),
    ".kbsync a file": (lambda r: (r / ".kbsync").write_text("x"),
                       ".kbsync is a file, not a folder"),
    ".kbsync a FIFO": (lambda r: os.mkfifo(r / ".kbsync"),
                       ".kbsync is a named pipe (FIFO), not a folder"),
    ".kbsync a link out": (lambda r: os.symlink(r.parent, r / ".kbsync"),
                           ".kbsync is a symbolic link to"),
    "kbsync.toml 50,000-deep": (lambda r: (r / "kbsync.toml").write_text(
        "x = " + "[" * 50_000 + "]" * 50_000 + "\n"), "kbsync.toml: nested too deeply"),
    "ignore a FIFO": (lambda r: os.mkfifo(r / ".kbsyncignore"),
                      ".kbsyncignore: is a named pipe (FIFO): not read"),
    "ignore a folder": (lambda r: (r / ".kbsyncignore").mkdir(),
                        ".kbsyncignore: is a folder: not read"),
    "ignore a link to /dev/null": (lambda r: os.symlink("/dev/null", r / ".kbsyncignore"),
                                   ".kbsyncignore: is a symbolic link to /dev/null"),
    "portal.yaml a FIFO": (lambda r: os.mkfifo(r / "portal.yaml"),
                           "portal.yaml: is a named pipe (FIFO): not read"),
    "portal.yaml a folder": (lambda r: (r / "portal.yaml").mkdir(),
                             "portal.yaml: is a folder: not read"),
    "coverage.yaml a FIFO": (lambda r: os.mkfifo(r / "coverage.yaml"),  # pull reads no questions
                             "coverage.yaml: is a named pipe (FIFO): not read"),
    "1,000 nested folders": (lambda r: (r / "g/deep").mkdir(),  # the test nests them
                             "g/deep/d/d/d/d/d/d/d/d/d/d/d/d/d/d: folder nested more than 16 "
                             "levels deep"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_own_file_is_one_clear_line_and_nothing_is_sent(
        kb: Path, served: EmulatorApp, nest: Nest, case: str) -> None:
    breaking, said = CASES[case]
    breaking(kb)
    if case == "1,000 nested folders":
        (nest(kb / "g/deep", 1_000) / "deep.md").write_text("# Deep\n")
    second = ["coverage", "--local"] if case.startswith("coverage") else ["pull"]
    for command in (["apply", "--yes"], second):
        code, output = _cli(kb, *command)
        assert code == 1 and BUG not in output, (command, output)
        assert any(said in line for line in output.splitlines()), (command, output)
        assert len(output.splitlines()) <= 2, (command, output)
        assert served.requests() == [], (command, served.requests())


def test_watch_refuses_a_folder_too_deep_to_watch_in_one_line(kb: Path, nest: Nest) -> None:
    nest(kb / "g", 1_000)
    code, output = _cli(kb, "watch", "--port", "0")
    assert code == 1 and BUG not in output, output
    assert output.startswith("Error: g/d/d/d/")
    assert "levels deep; the preview cannot watch" in output
    assert len(output.splitlines()) == 1, output


def test_a_link_out_is_never_written_through(kb: Path, served: EmulatorApp) -> None:
    outside = kb.parent / "outside"
    outside.mkdir()
    os.symlink(outside, kb / ".kbsync")
    for command in (["validate"], ["plan"], ["apply", "--yes"], ["pull"]):
        _cli(kb, *command)
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("content", [b"\x00garbage\xff" * 500, None])
def test_a_broken_embedded_help_center_is_named(kb: Path, content: bytes | None) -> None:
    (kb / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    db = kb / ".kbsync/local.db"
    db.parent.mkdir()
    if content is None:
        db.mkdir()
    else:
        db.write_bytes(content)
    for command in (["plan"], ["apply", "--yes"], ["pull"]):
        code, output = _cli(kb, *command)
        assert code == 1 and BUG not in output, output
        assert ".kbsync/local.db" in output and "move it away" in output, output
    assert db.is_dir() if content is None else db.read_bytes() == content


def test_a_special_tickets_file_is_named(kb: Path) -> None:
    (kb / "kbsync.toml").write_text('[remote]\nbase_url = "local"\n')
    os.mkfifo(kb / "tickets.json")
    code, output = _cli(kb, "coverage", "--local", "--from-tickets")
    assert code == 1 and "tickets.json is a named pipe (FIFO)" in output, output
