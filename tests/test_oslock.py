"""kbsync.oslock: one holder at a time, released with the descriptor, files only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kbsync.oslock import NotAFile, open_lock_file, read_note, try_lock, unlock, write_note


def test_a_second_descriptor_cannot_take_a_held_lock_until_it_is_released(
        tmp_path: Path) -> None:
    first, second = (open_lock_file(tmp_path / "x.lock") for _ in range(2))
    assert try_lock(first) and not try_lock(second)
    unlock(first)
    assert try_lock(second)
    os.close(first)
    os.close(second)


def test_closing_the_descriptor_releases_the_lock(tmp_path: Path) -> None:
    first = open_lock_file(tmp_path / "x.lock")
    assert try_lock(first)
    os.close(first)  # what the OS does when a holder dies
    again = open_lock_file(tmp_path / "x.lock")
    assert try_lock(again)
    os.close(again)


def test_the_note_is_replaced_whole(tmp_path: Path) -> None:
    fd = open_lock_file(tmp_path / "x.lock")
    write_note(fd, b"a long first note")
    write_note(fd, b"short")
    assert read_note(fd) == b"short"
    os.close(fd)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_not_a_lock_file_and_does_not_block_the_open(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.lock")
    with pytest.raises(NotAFile) as caught:
        open_lock_file(tmp_path / "x.lock")
    assert stat.S_ISFIFO(caught.value.mode)


def test_a_missing_file_is_made_only_when_asked(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        open_lock_file(tmp_path / "x.lock", create=False)
    os.close(open_lock_file(tmp_path / "x.lock"))
    assert (tmp_path / "x.lock").is_file()
