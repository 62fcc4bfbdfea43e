from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbsync.local.writer import atomic_write


def test_writes_text_and_bytes(tmp_path: Path) -> None:
    atomic_write(tmp_path / "sub" / "a.txt", "é\n")
    atomic_write(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "sub" / "a.txt").read_bytes() == "é\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_replaces_keeping_mode_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "kbsync.lock"
    path.write_text("old")
    os.chmod(path, 0o640)
    atomic_write(path, "new")
    assert path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["kbsync.lock"]


def test_failure_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.md"
    path.write_text("old")

    def fail(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, "new")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.md"]
