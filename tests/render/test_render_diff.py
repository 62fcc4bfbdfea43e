"""render.diff: body diffs are line based, trimmed, and never silently empty."""

from __future__ import annotations

from kbsync.render.diff import ONLY_LINE_ENDINGS, line_count, trim, unified_diff


def test_diff_is_remote_to_local_with_headers() -> None:
    assert unified_diff("a\nb\n", "a\nc\n", max_lines=80) == [
        "--- remote", "+++ local", "@@ -1,2 +1,2 @@", " a", "-b", "+c"]


def test_long_diff_is_cut_with_a_count_of_the_rest() -> None:
    before = "".join(f"old {n}\n" for n in range(100))
    after = "".join(f"new {n}\n" for n in range(100))
    lines = unified_diff(before, after, max_lines=10)
    assert lines[:3] == ["--- remote", "+++ local", "@@ -1,100 +1,100 @@"]
    assert len(lines) == 11
    assert lines[-1] == "… (193 more lines)"


def test_trim_keeps_a_diff_that_fits_and_counts_one_line_in_the_singular() -> None:
    assert trim(["a", "b"], 2) == ["a", "b"]
    assert trim(["a", "b"], 1) == ["a", "… (1 more line)"]


def test_none_is_an_empty_body() -> None:
    assert unified_diff(None, "new\n", max_lines=80)[-1] == "+new"


def test_a_difference_in_line_endings_only_is_said_not_hidden() -> None:
    assert unified_diff("a\r\nb", "a\nb\n", max_lines=80) == [ONLY_LINE_ENDINGS]


def test_line_count() -> None:
    assert [line_count(t) for t in ("", None, "one", "a\nb\n")] == [
        "(empty)", "(empty)", "(1 line)", "(2 lines)"]
