"""Reading the buffer around the cursor: is it in the front matter, on a key, inside a
link being typed. What the cursor is on in a finished file (a link, a heading) the
engine answers from the check (``engine.links``); this is for text the check has not
seen yet, or that no check reads as such (a key name under the cursor)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kbsync.local.frontmatter import DELIMITER

__all__ = ["Typed", "front_matter_lines", "key_at", "typed_link"]

_CLOSERS = (DELIMITER, "...")
#: The start of a line up to the cursor inside a link's destination: ``see [x](../gu``.
_LINK = re.compile(r"(?P<image>!?)\[[^\]\n]*\]\([ \t]*<?(?P<typed>[^)\s<>]*)$")
_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:")


@dataclass(frozen=True, slots=True)
class Typed:
    """A link destination being typed: what is typed so far, and whether it is an
    image's."""

    text: str
    is_image: bool


def front_matter_lines(lines: Sequence[str]) -> tuple[int, int] | None:
    """The 1-based first and last line inside the front matter's fences, or None (no
    front matter, or one not closed yet: then the lines after the fence)."""
    if not lines or lines[0].rstrip() != DELIMITER:
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSERS:
            return 2, index
    return 2, len(lines)


def key_at(line: str, column: int) -> str | None:
    """The front-matter key written at the start of ``line`` when the cursor (1-based)
    is on it."""
    found = _KEY.match(line)
    if found is None or not found.start("key") < column <= found.end("key") + 1:
        return None
    return found.group("key")


def typed_link(before_cursor: str) -> Typed | None:
    """The destination being typed when the cursor is inside one."""
    found = _LINK.search(before_cursor)
    if found is None:
        return None
    return Typed(found.group("typed"), bool(found.group("image")))
