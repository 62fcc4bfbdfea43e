"""Counted nouns for messages: "1 request", "2 requests", never "2 request(s)".

Every count kbsync prints goes through :func:`plural`, so a CI log reads like a sentence
and a test can pin the exact wording.
"""

from __future__ import annotations

__all__ = ["plural"]

#: Nouns whose plural is not the noun plus "s".
_IRREGULAR = {"entry": "entries", "library": "libraries", "match": "matches"}


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``"1 article"``, ``"0 articles"``, ``"2 entries"``; ``plural_form`` overrides."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_form or _IRREGULAR.get(noun, noun + 's')}"
