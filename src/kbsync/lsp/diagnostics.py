"""validate's problems as the editor's diagnostics: the same finding, at its line and
columns, with its severity; the message reads as ``validate`` prints it (key, message,
hint), and a "did you mean" travels with it for the quick fix (``actions``)."""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types

from kbsync.lsp.positions import Lines, problem_range
from kbsync.problems import Problem, escaped

__all__ = ["SOURCE", "diagnostic", "diagnostics", "message_of"]

SOURCE = "kbsync"
_SEVERITY = {"error": types.DiagnosticSeverity.Error,
             "warning": types.DiagnosticSeverity.Warning}


def diagnostics(problems: Iterable[Problem], lines: Lines) -> list[types.Diagnostic]:
    return [diagnostic(problem, lines) for problem in problems]


def diagnostic(problem: Problem, lines: Lines) -> types.Diagnostic:
    data = {"suggestion": problem.suggestion} if problem.suggestion is not None else None
    return types.Diagnostic(
        range=problem_range(lines, problem.line, problem.column, problem.end_column),
        message=message_of(problem), severity=_SEVERITY[problem.severity], source=SOURCE,
        data=data)


def message_of(problem: Problem) -> str:
    """What ``validate`` prints after ``path:line:`` (the severity is the editor's)."""
    key = f"{problem.key}: " if problem.key else ""
    hint = f" ({problem.hint})" if problem.hint else ""
    return escaped(f"{key}{problem.message}{hint}")
