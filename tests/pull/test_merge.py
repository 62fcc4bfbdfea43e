"""merge3: three-way merges the way git merge-file does them."""

from __future__ import annotations

import pytest

from kbsync.errors import KbsyncError
from kbsync.pull.merge import MergeResult, merge3

BASE = "# Title\n\nfirst\n\nmiddle\n\nlast\n"


def test_disjoint_edits_merge_cleanly() -> None:
    local = BASE.replace("first", "first, edited here")
    remote = BASE.replace("last", "last, edited there")
    assert merge3(BASE, local, remote) == MergeResult(
        "# Title\n\nfirst, edited here\n\nmiddle\n\nlast, edited there\n", 0)


def test_same_line_edited_both_ways_conflicts_with_markers() -> None:
    result = merge3(BASE, BASE.replace("middle", "mine"), BASE.replace("middle", "theirs"))
    assert result.conflicts == 1
    assert "<<<<<<< local\nmine\n=======\ntheirs\n>>>>>>> remote\n" in result.text


def test_labels_name_the_sides() -> None:
    result = merge3("a\n", "b\n", "c\n", labels=("guides/a.md", "last sync", "initdesk"))
    assert result.text == "<<<<<<< guides/a.md\nb\n=======\nc\n>>>>>>> initdesk\n"


def test_conflicts_are_counted() -> None:
    base = "".join(f"{n}\n" for n in range(1, 12))
    local = base.replace("2\n", "2a\n").replace("10\n", "10a\n")
    remote = base.replace("2\n", "2b\n").replace("10\n", "10b\n")
    assert merge3(base, local, remote).conflicts == 2


def test_identical_edits_on_both_sides_are_one_edit() -> None:
    edited = BASE.replace("middle", "same change")
    assert merge3(BASE, edited, edited) == MergeResult(edited, 0)


def test_one_sided_change_is_taken() -> None:
    edited = BASE + "\nappended\n"
    assert merge3(BASE, BASE, edited) == MergeResult(edited, 0)
    assert merge3(BASE, edited, BASE) == MergeResult(edited, 0)


def test_crlf_local_merges_with_lf_remote_and_stays_crlf() -> None:
    local = BASE.replace("first", "first, edited").replace("\n", "\r\n")
    remote = BASE.replace("last", "last, edited")
    result = merge3(BASE, local, remote)
    assert result.conflicts == 0
    assert result.text == BASE.replace("first", "first, edited").replace(
        "last", "last, edited").replace("\n", "\r\n")


def test_lf_local_stays_lf_when_remote_is_crlf() -> None:
    remote = BASE.replace("last", "last, edited").replace("\n", "\r\n")
    result = merge3(BASE, BASE, remote)
    assert result == MergeResult(BASE.replace("last", "last, edited"), 0)


def test_empty_base_with_equal_sides_is_clean() -> None:
    assert merge3("", "same\n", "same\n") == MergeResult("same\n", 0)


def test_empty_base_with_different_sides_conflicts() -> None:
    result = merge3("", "mine\n", "theirs\n")
    assert result.conflicts == 1
    assert result.text == "<<<<<<< local\nmine\n=======\ntheirs\n>>>>>>> remote\n"


def test_missing_final_newline_is_kept() -> None:
    assert merge3("a\nb", "a\nb", "a\nc") == MergeResult("a\nc", 0)


def test_unicode_survives() -> None:
    base = "שלום\n\nmiddle\n\nemoji 🎉\n"
    assert merge3(base, "é " + base, base.replace("🎉", "🎈")).text == (
        "é שלום\n\nmiddle\n\nemoji 🎈\n")


def test_git_failure_is_a_kbsync_error() -> None:
    with pytest.raises(KbsyncError, match="git merge-file failed"):
        merge3("a\x00\n", "b\x00\n", "c\x00\n")
