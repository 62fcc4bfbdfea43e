"""Control characters: refused in what users publish, made inert in what kbsync writes.

Text from outside (a customer's ticket, a file name, a server's answer) can hold
characters that act instead of showing: C0 and C1 controls (an ANSI escape clears a
terminal or retitles it, a NUL ends a C string, a newline forges a line of output), the
bidirectional overrides that reorder what is shown (U+202A to U+202E, U+2066 to U+2069), and
lone surrogates (how Python spells bytes that are not UTF-8; writing one as UTF-8
fails). This module names them once:

* :func:`find_control` finds one in a value a user wrote (validate refuses it);
* :func:`inert` makes a whole report safe to print, write and ``cat``: every such
  character becomes a visible escape (``\\x1b``, ``\\u202e``), in JSON the JSON escape
  (the data read back is unchanged), and the line breaks of the report itself stay.
"""

from __future__ import annotations

import functools
import re

__all__ = ["CONTROLS", "UNSAFE", "escape", "find_control", "inert", "plain", "searchable"]

#: C0 controls, DEL and the C1 controls.
CONTROLS = "\x00-\x1f\x7f-\x9f"
#: What must never reach a terminal, a log or a report as it is.
UNSAFE = re.compile(f"[{CONTROLS}\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                                 "\ud800-\udfff]")
_UNSAFE_BUT_WHITESPACE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e"
                                    "\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def find_control(text: str, *, allow: str = "") -> int | None:
    """The index of the first C0/C1 control character in ``text`` that is not in
    ``allow`` (say a tab and a newline in a multi-line value), or None."""
    found = _controls_but(allow).search(text)
    return None if found is None else found.start()


@functools.lru_cache(maxsize=16)
def _controls_but(allow: str) -> re.Pattern[str]:
    """A character class of the C0/C1 controls outside ``allow``: every article body is
    searched, and a regular expression does it in C (a loop over the characters in
    Python took a third of a warm validate of 10,000 articles)."""
    codes = [*range(0x20), *range(0x7F, 0xA0)]
    return re.compile("[" + "".join(f"\\x{code:02x}" for code in codes
                                    if chr(code) not in allow) + "]")


def escape(char: str) -> str:
    """One unsafe character as its visible escape: ``\\n``, ``\\x1b``, ``\\u202e``."""
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str, *, json: bool = False) -> str:
    """``text`` (a whole report) with every unsafe character escaped and its own line
    breaks kept. ``json``: the text is JSON, where such characters can only stand inside
    strings, so each becomes the JSON escape ``\\u001b`` and reads back as it was."""
    if json:
        return _UNSAFE_BUT_NEWLINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return _UNSAFE_BUT_NEWLINE.sub(lambda m: escape(m.group()), text)


def searchable(text: str) -> str:
    """``text`` as a search can take it: unsafe characters become spaces (a lone
    surrogate cannot even be put into a URL), tabs and line breaks stay."""
    return _UNSAFE_BUT_WHITESPACE.sub(" ", text)


def plain(text: str) -> str:
    """``text`` as one plain line: unsafe characters and runs of white space become one
    space (for a title kbsync writes into a file, such as a ``--suggest`` stub)."""
    return " ".join(UNSAFE.sub(" ", text).split())
