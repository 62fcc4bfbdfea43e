"""Safe file and folder names for remote articles and collections.

A slug or title from the Help Center can hold anything: ``../../etc/passwd``, ``CON``,
a NUL byte, 300 characters of emoji, right-to-left marks. ``pull`` and
``init --from-remote`` turn them into names that are valid and harmless on Linux, macOS
and Windows checkouts alike.

The slug is used as it is whenever it already makes a good file name, because kbsync
derives an article's slug from its file name: equal names mean no ``slug:`` front matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from kbsync.errors import KbsyncError

__all__ = ["STEM_MAX_BYTES", "STEM_MAX_CHARS", "safe_join", "safe_name"]

STEM_MAX_CHARS = 80
# 80 characters of emoji are 320 bytes, past the 255-byte name limit of most filesystems.
STEM_MAX_BYTES = 180

_PORTABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")  # POSIX portable file name set
_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|(COM|LPT)[0-9\u00b9\u00b2\u00b3])\Z")
_TRIM = "-_. "


def safe_name(slug: str, title: str, *, taken: set[str], suffix: str = ".md") -> str:
    """A file (``suffix=".md"``) or folder (``suffix=""``) name for a remote item.

    The slug as it is when it is already a good name; else the title made into one; else
    the slug made into one; else ``article`` / ``collection``. Unique among ``taken``
    without regard to case (``-2``, ``-3`` ...), since macOS and Windows fold case. The
    caller adds the result to ``taken`` before naming the next sibling.
    """
    fallback = "article" if suffix else "collection"
    stem = next(_candidates(slug, title), fallback)
    if _is_reserved(stem):
        stem = f"{stem}-{fallback}"
    return _unique(stem, suffix, taken)


def safe_join(root: Path, *parts: str) -> Path:
    """``root / parts``, refused with KbsyncError when it would end up outside ``root``.

    Symlinks are followed (``resolve()``), so a link inside the tree that points out of
    it is caught as well as ``..`` and absolute parts.
    """
    joined = root.joinpath(*parts)
    shown = "/".join(parts)
    try:
        base = root.resolve()
        target = joined.resolve()
    except (OSError, ValueError) as exc:  # ValueError: embedded NUL byte
        raise KbsyncError(f"refusing unusable path {shown!r} under {root}: {exc}") from exc
    if target != base and base not in target.parents:
        raise KbsyncError(f"refusing path {shown!r}: it leads outside {root}")
    return joined


def _candidates(slug: str, title: str) -> Iterator[str]:
    if _is_good_as_is(slug):
        yield slug
    for text in (title, slug):
        cleaned = _clean(text)
        if cleaned:
            yield cleaned


def _is_good_as_is(slug: str) -> bool:
    """A slug that is already a portable, bounded, non-reserved name (the usual case)."""
    return (_PORTABLE.match(slug) is not None and len(slug) <= STEM_MAX_CHARS
            and not slug.endswith(".") and not _is_reserved(slug))


def _clean(text: str) -> str:
    """``text`` as a lower-case name: letters, marks and digits of any script, dashes.

    NFKC folds look-alikes (full-width letters, ligatures); control and format
    characters (NUL, bidi overrides, zero-width joiners) go; every other run of
    characters (``/``, ``\\``, ``.``, ``:``, spaces, emoji ...) becomes one dash.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LMN" or ch == "_" else
        ("" if unicodedata.category(ch)[0] == "C" else "-")
        for ch in text)
    kept = re.sub(r"-{2,}", "-", kept).strip(_TRIM)
    return _cut(kept, STEM_MAX_CHARS)


def _cut(stem: str, max_chars: int) -> str:
    """At most ``max_chars`` characters and ``STEM_MAX_BYTES`` UTF-8 bytes, cut cleanly."""
    stem = stem[:max_chars]
    encoded = stem.encode("utf-8")
    if len(encoded) > STEM_MAX_BYTES:
        stem = encoded[:STEM_MAX_BYTES].decode("utf-8", "ignore")
    return stem.rstrip(_TRIM)


def _is_reserved(stem: str) -> bool:
    """Windows device names, which it reserves whatever the extension (``con.md``)."""
    return _RESERVED.match(stem.split(".")[0].rstrip(" ").upper()) is not None


def _unique(stem: str, suffix: str, taken: set[str]) -> str:
    folded = {_fold(name) for name in taken}
    name = stem + suffix
    number = 2
    while _fold(name) in folded:
        tail = f"-{number}"
        name = _cut(stem, STEM_MAX_CHARS - len(tail)) + tail + suffix
        number += 1
    return name


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()
