"""local.renames: how alike a new file is to a gone one, from the base cache or git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git

from kbsync.fingerprint import blob_id
from kbsync.local.bases import BaseStore
from kbsync.local.renames import similarity, similarity_scores
from kbsync.model import LockEntry

OLD = b"---\ntitle: Welcome\n---\n\nHello.\n\nSecond paragraph.\n\nThird one.\n"
EDITED = OLD.replace(b"Third one.", b"Third one, edited.")


def _gone(data: bytes, path: str = "old.md") -> LockEntry:
    return LockEntry(7, path, "remote", None, blob_id(data))


def test_similarity_is_the_share_of_the_larger_text_both_hold() -> None:
    assert similarity(b"a\nb\nc\nd\n", b"a\nb\nc\nX\n") == 0.75
    assert similarity(b"a\r\nb\r\n", b"a\nb\n") == 1.0  # line ends do not count
    assert similarity(b"a\n" * 10, b"a\n") == 0.0  # a tenth of the size: never a rename


def test_a_long_line_counts_in_pieces_so_one_edit_does_not_lose_it_all() -> None:
    line = b"x" * 640 + b"\n"
    assert similarity(line, b"y" + line[1:]) > 0.85


def test_an_edited_rename_is_scored_from_the_base_cache_without_git(tmp_path: Path) -> None:
    bases = BaseStore(tmp_path)
    bases.put(OLD)
    bases.save({blob_id(OLD)})
    (tmp_path / "new.md").write_bytes(EDITED)
    scores = similarity_scores(tmp_path, ["new.md"], [_gone(OLD)], BaseStore(tmp_path))
    assert list(scores) == [("new.md", "old.md")] and scores[("new.md", "old.md")] > 0.7


def test_an_edited_rename_is_scored_from_git_without_the_cache(tmp_path: Path) -> None:
    git.Repo.init(tmp_path).close()
    subprocess.run(["git", "hash-object", "-w", "--stdin"], input=OLD, cwd=tmp_path,
                   check=True, capture_output=True)
    (tmp_path / "new.md").write_bytes(EDITED)
    assert similarity_scores(tmp_path, ["new.md"], [_gone(OLD)], BaseStore(tmp_path))


def test_a_different_file_or_a_lost_base_scores_nothing(tmp_path: Path) -> None:
    (tmp_path / "new.md").write_bytes(b"---\ntitle: Other\n---\n\nSomething else.\n")
    bases = BaseStore(tmp_path)
    bases.put(OLD)
    assert similarity_scores(tmp_path, ["new.md"], [_gone(OLD)], bases) == {}
    assert similarity_scores(tmp_path, ["new.md"], [_gone(b"never stored\n")], bases) == {}
