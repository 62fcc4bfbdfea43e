from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbsync.local.writer import atomic_write, write_many


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


def test_write_many_creates_every_file_and_folder(tmp_path: Path) -> None:
    files = [(tmp_path / f"c{n % 5}" / "deep" / f"a{n}.md", f"body {n}\n".encode())
             for n in range(40)]
    write_many(files)
    for path, data in files:
        assert path.read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == [f"c{n}" for n in range(5)]


def test_write_many_raises_the_first_failure(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    files = [(tmp_path / f"ok{n}.md", b"x") for n in range(10)]
    with pytest.raises(OSError):
        write_many([*files, (tmp_path / "taken" / "a.md", b"y")])
    assert (tmp_path / "taken").read_text() == "a file, not a folder"
