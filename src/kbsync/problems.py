"""A problem found in the user's files: where, which key, what is wrong, what to do.

validate, config loading and pull all report through this one shape so that every
message reads the same: ``path:line: key: message (hint)``.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Literal

from kbsync.controls import UNSAFE, escape

Severity = Literal["error", "warning"]
#: The longest value a message quotes: a hostile file must not make a message huge.
SHOWN_MAX = 80


class _Bounded(reprlib.Repr):
    """repr that never builds more than a few hundred characters, however big or deep
    (or self-referring) the value: an alias bomb must not cost gigabytes to quote."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxset = self.maxdict = 8
        self.maxstring = self.maxother = self.maxlong = limit + 2

    def repr_str(self, x: str, level: int) -> str:
        # cut first, then repr: quoting stays Python's, the cost stays bounded
        return repr(x[: self.maxstring]) if len(x) > self.maxstring else repr(x)


def shown(value: object, limit: int = SHOWN_MAX) -> str:
    """``repr(value)``, cut to ``limit`` characters with an ellipsis when longer.

    Bounded in time and memory as well as length, and safe to print: control characters
    come out as escapes, as ``repr`` writes them.
    """
    text = escaped(_Bounded(limit).repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escaped(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\n``).

    For names and values that come from outside (file names, slugs, remote titles) on
    their way into one line of output: a file named ``a\\x1b[2Jb.md`` must not clear the
    screen, a name with a newline must not forge a line of its own.
    """
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub(lambda match: escape(match.group()), text)


def clipped(text: str, limit: int = SHOWN_MAX) -> str:
    """``text`` escaped and cut to ``limit`` characters with an ellipsis (no quotes)."""
    text = escaped(text[: limit * 4] if len(text) > limit * 4 else text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # relative to the knowledge-base root, POSIX separators
    message: str
    line: int | None = None
    key: str | None = None
    hint: str | None = None
    severity: Severity = "error"
    #: The problem hides which remote item a file is (its slug, or all of its front
    #: matter): even pull, which tolerates other errors, refuses to run on it.
    identity: bool = False
    #: Where on ``line`` the problem is, 1-based, ``end_column`` just past it (a link's
    #: destination, a key): what an editor underlines. None: the whole line.
    column: int | None = None
    end_column: int | None = None
    #: What the text between the columns should become ("did you mean"): an editor's
    #: quick fix, a script's auto-fix. None: no single fix is known.
    suggestion: str | None = None

    def __str__(self) -> str:
        """One line, always: whatever a file name, key or value holds is escaped."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        key = f" {self.key}:" if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        label = "warning: " if self.severity == "warning" else ""
        return escaped(f"{where}:{key} {label}{self.message}{hint}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True, slots=True)
class Findings:
    """What ``validate`` found, for its formats (``render.findings``): every problem, and
    how much was checked."""

    problems: tuple[Problem, ...]
    articles: int
    collections: int
    #: The knowledge base's folder from the repository root, for formats that name files
    #: as the repository does (GitHub's annotations); "" at the root or outside one.
    prefix: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for problem in self.problems if problem.is_error)


def sort_key(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.key or "")
