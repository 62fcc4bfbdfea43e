"""Counted nouns for messages: "1 request", "2 requests", never "2 request(s)".

Every count kbsync prints goes through :func:`plural`, so a CI log reads like a sentence
and a test can pin the exact wording.
"""

from __future__ import annotations

__all__ = ["file_size", "plural"]

#: Nouns whose plural is not the noun plus "s".
_IRREGULAR = {"entry": "entries", "library": "libraries", "match": "matches"}


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``"1 article"``, ``"0 articles"``, ``"2 entries"``; ``plural_form`` overrides."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_form or _IRREGULAR.get(noun, noun + 's')}"


def file_size(count: int) -> str:
    """Bytes as people read file sizes: ``89 bytes``, ``182 KB``, ``3.1 MB`` (powers of
    1000, as file managers and S3 consoles show them)."""
    if count < 1000:
        return plural(count, "byte")
    if count < 1_000_000:
        return f"{count / 1000:.0f} KB"
    return f"{count / 1_000_000:.1f} MB"
