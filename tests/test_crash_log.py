"""The crash report: a new private file (never a planted one), its path printed, no token."""

from __future__ import annotations

import io
import stat
import tempfile
from pathlib import Path

import pytest

from kbsync.cli import report_error
from kbsync.console import Console

TOKEN = "tok-crash-9f8e7d6c5b"


def _crash(console: Console) -> int:
    try:
        raise RuntimeError(f"boom with {TOKEN} inside")
    except RuntimeError as exc:
        return report_error(exc, console)


def test_a_crash_report_is_a_new_private_file_whose_path_is_printed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("INITDESK_TOKEN", f"  {TOKEN}\n")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "kbsync-crash.log").symlink_to(victim)  # the old fixed name, planted
    err = io.StringIO()
    assert _crash(Console(color=False, stdout=io.StringIO(), stderr=err)) == 1
    assert victim.read_text() == "precious"
    (log,) = [p for p in tmp_path.glob("kbsync-crash-*.log")]
    assert str(log) in err.getvalue() and "a bug in kbsync" in err.getvalue()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "RuntimeError: boom with **** inside" in text and TOKEN not in text


def test_two_crashes_write_two_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for _ in range(2):
        _crash(Console(color=False, stdout=io.StringIO(), stderr=io.StringIO()))
    assert len(list(tmp_path.glob("kbsync-crash-*.log"))) == 2


def test_no_writable_temp_folder_still_reports_the_crash(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "gone"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    err = io.StringIO()
    assert _crash(Console(color=False, stdout=io.StringIO(), stderr=err)) == 1
    assert "could not be saved" in err.getvalue() and not missing.exists()
