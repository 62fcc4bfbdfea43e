"""safe_name / safe_join against hostile slugs and titles."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from kbsync.errors import KbsyncError
from kbsync.pull.paths import STEM_MAX_BYTES, STEM_MAX_CHARS, safe_join, safe_name


def name(slug: str, title: str = "", taken: set[str] | None = None, suffix: str = ".md") -> str:
    return safe_name(slug, title, taken=taken or set(), suffix=suffix)


def test_a_good_slug_is_used_as_it_is() -> None:
    assert name("refunds", "Refunds and fees") == "refunds.md"
    assert name("getting-started", suffix="") == "getting-started"


@pytest.mark.parametrize(("slug", "title", "expected"), [
    ("../../etc/passwd", "", "etc-passwd.md"),
    ("../../etc/passwd", "Passwords", "passwords.md"),
    ("/etc/passwd", "", "etc-passwd.md"),
    ("a\\b", "", "a-b.md"),
    ("a\x00b", "", "ab.md"),
    ("", "Hello\x00 world\x1b[31m", "hello-world-31m.md"),
    ("", "", "article.md"),
    ("...", "..", "article.md"),
    (" . ", "", "article.md"),
    ("", "🎉🎉🎉", "article.md"),
    ("", "Refunds & Fees: 2024!", "refunds-fees-2024.md"),
    ("", "\uff26\uff55\uff4c\uff4c \uff57\uff49\uff44\uff54\uff48", "full-width.md"),
    ("-rf", "", "rf.md"),
    ("trailing.", "", "trailing.md"),
])
def test_hostile_slugs_and_titles_become_safe_names(slug: str, title: str, expected: str) -> None:
    assert name(slug, title) == expected


WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{port}{n}" for port in ("COM", "LPT") for n in [*"0123456789", "\u00b9", "\u00b2", "\u00b3"]}


@pytest.mark.parametrize("slug", ["CON", "con", "con.md", "nul", "Aux", "prn.txt", "COM1",
                                  "lpt9", "com\u00b9", "CON .md", "conin$"])
def test_windows_device_names_are_never_produced(slug: str) -> None:
    for result in (name(slug), name("", slug), name(slug, slug, suffix="")):
        assert result.split(".")[0].rstrip(" ").upper() not in WINDOWS_DEVICES


def test_reserved_names_get_the_kind_appended() -> None:
    assert name("CON") == "con-article.md"
    assert name("nul", suffix="") == "nul-collection"


def test_right_to_left_titles_keep_their_letters_without_bidi_controls() -> None:
    assert name("", "מדריך התקנה") == "מדריך-התקנה.md"
    assert name("", "دليل التثبيت") == "دليل-التثبيت.md"
    assert name("", "abc\u202edcba\u200f") == "abcdcba.md"


def test_long_titles_are_cut_to_a_bounded_valid_name() -> None:
    for title in ("x" * 300, "é" * 300, "😀a" * 300, "ש" * 300):
        result = name("", title)
        stem = result.removesuffix(".md")
        assert 0 < len(stem) <= STEM_MAX_CHARS
        assert len(stem.encode("utf-8")) <= STEM_MAX_BYTES
        assert result.encode("utf-8").decode("utf-8") == result


def test_names_are_unique_regardless_of_case() -> None:
    taken = {"Refunds.md", "refunds-2.md"}
    assert name("refunds", taken=taken) == "refunds-3.md"
    assert name("refunds", suffix="", taken={"refunds.md"}) == "refunds"


def test_uniqueness_suffix_keeps_long_names_bounded() -> None:
    first = name("", "y" * 300)
    second = name("", "y" * 300, taken={first})
    assert second.endswith("-2.md") and len(second.removesuffix(".md")) <= STEM_MAX_CHARS


def test_unicode_spellings_of_one_name_count_as_taken() -> None:
    nfd = unicodedata.normalize("NFD", "café.md")
    assert name("", "Café", taken={nfd}) == "café-2.md"


@pytest.mark.parametrize("slug", ["a", "x" * 80, "v1.2", "a_b"])
def test_result_is_always_a_single_plain_component(slug: str) -> None:
    result = name(slug)
    assert "/" not in result and "\\" not in result and result not in (".", "..")
    assert Path(result).name == result


# -- safe_join ---------------------------------------------------------------------------

def test_safe_join_inside_root(tmp_path: Path) -> None:
    assert safe_join(tmp_path, "guides", "a.md") == tmp_path / "guides" / "a.md"
    assert safe_join(tmp_path, "guides/../a.md") == tmp_path / "guides/../a.md"


@pytest.mark.parametrize("parts", [("..", "x.md"), ("../../etc/passwd",), ("/etc/passwd",),
                                   ("a", "..", "..", "b")])
def test_safe_join_refuses_escapes(tmp_path: Path, parts: tuple[str, ...]) -> None:
    with pytest.raises(KbsyncError, match="outside"):
        safe_join(tmp_path / "kb", *parts)


def test_safe_join_refuses_nul_bytes(tmp_path: Path) -> None:
    with pytest.raises(KbsyncError):
        safe_join(tmp_path, "a\x00b.md")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_safe_join_follows_symlinks_out_of_root(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (root / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(KbsyncError, match="outside"):
        safe_join(root, "link", "a.md")
    (root / "inner").mkdir()
    (root / "ok").symlink_to(root / "inner")
    assert safe_join(root, "ok", "a.md") == root / "ok" / "a.md"
