"""A problem found in the user's files: where, which key, what is wrong, what to do.

validate, config loading and pull all report through this one shape so that every
message reads the same: ``path:line: key: message (hint)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
#: The longest value a message quotes: a hostile file must not make a message huge.
SHOWN_MAX = 80


def shown(value: object, limit: int = SHOWN_MAX) -> str:
    """``repr(value)``, cut to ``limit`` characters with an ellipsis when longer."""
    text = repr(value)
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

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        key = f" {self.key}:" if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        label = "warning: " if self.severity == "warning" else ""
        return f"{where}:{key} {label}{self.message}{hint}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def sort_key(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line or 0, problem.key or "")
