"""Unified diffs of article bodies, shared by the text and Markdown renderers.

A body is compared line by line so that a reviewer sees the paragraph that changed rather
than the whole article, and a long diff is cut so that one rewritten article cannot bury
the rest of a plan. Nothing here knows about plans; it works on two strings.
"""

from __future__ import annotations

import difflib

from kbsync.words import plural

#: Shown when two bodies differ only in line endings or a final newline, which a line
#: diff cannot show (an empty diff would read as "nothing changed").
ONLY_LINE_ENDINGS = "(only line endings changed)"


def unified_diff(before: str | None, after: str | None, *, max_lines: int) -> list[str]:
    """The remote (before) -> local (after) diff, at most ``max_lines`` lines plus a note.

    ``None`` counts as an empty body, so a body that appears or disappears still diffs.
    """
    old, new = before or "", after or ""
    lines = list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), fromfile="remote", tofile="local", lineterm=""
        )
    )
    if not lines and old != new:
        return [ONLY_LINE_ENDINGS]
    return trim(lines, max_lines)


def trim(lines: list[str], max_lines: int) -> list[str]:
    """Keep the first ``max_lines`` lines and say how many more there were."""
    hidden = len(lines) - max(max_lines, 0)
    if hidden <= 0:
        return lines
    return [*lines[: max(max_lines, 0)], f"… ({plural(hidden, 'more line')})"]


def line_count(text: str | None) -> str:
    """How long a body is, for a create (whose whole body is new, so a diff says nothing)."""
    count = len((text or "").splitlines())
    if count == 0:
        return "(empty)"
    return f"({plural(count, 'line')})"
