"""GitHub Actions workflow commands: annotations and log groups, as plain strings.

GitHub reads lines such as ``::error file=docs/a.md,line=3,title=kbsync::message`` from
a step's output and shows them on the pull request's files and the run's summary. The
rules for writing them are GitHub's (the ``@actions/core`` toolkit's ``command.ts``):
in the message ``%``, CR and LF are percent-encoded; in a property value ``:`` and
``,`` are too, since they separate properties. Everything here is a pure function of its
arguments; the console decides when to print, :mod:`kbsync.github.environment` where
the repository root is.

Paths in annotations are relative to the repository root (GitHub matches them against
the files of the commit), so each function takes ``prefix``: the knowledge-base folder
relative to that root (``""`` when they are the same).
"""

from __future__ import annotations

import posixpath
from typing import Literal

from kbsync.plan.model import Action, Change, Plan
from kbsync.problems import Problem
from kbsync.render.text import conflict_advice

__all__ = ["ENDGROUP", "Level", "annotation", "command", "escape_data", "escape_property",
           "group", "plan_annotations", "problem_annotation", "repo_path"]

Level = Literal["error", "warning", "notice"]
ENDGROUP = "::endgroup::"

_DATA = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY = (*_DATA, (":", "%3A"), (",", "%2C"))


def escape_data(text: str) -> str:
    """A message: ``%`` first (so the other escapes are not escaped again), then CR, LF."""
    for raw, escaped in _DATA:
        text = text.replace(raw, escaped)
    return text


def escape_property(text: str) -> str:
    """A property value: as a message, plus ``:`` and ``,``."""
    for raw, escaped in _PROPERTY:
        text = text.replace(raw, escaped)
    return text


def command(name: str, message: str = "", **properties: str | int | None) -> str:
    """``::name key=value,...::message``; properties that are None are left out."""
    shown = ",".join(f"{key}={escape_property(str(value))}"
                     for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + shown if shown else ''}::{escape_data(message)}"


def annotation(level: Level, message: str, *, file: str | None = None,
               line: int | None = None, title: str | None = None) -> str:
    """An error, warning or notice, attached to ``file`` (and ``line``) when given."""
    return command(level, message, file=file, line=line if file else None, title=title)


def group(title: str) -> str:
    """Start of a foldable block of log lines; :data:`ENDGROUP` closes it."""
    return command("group", title)


def repo_path(prefix: str, path: str) -> str:
    """A knowledge-base path as GitHub names it: relative to the repository root."""
    return posixpath.normpath(posixpath.join(prefix, path)) if prefix else path


def problem_annotation(problem: Problem, prefix: str = "") -> str:
    """A validation problem at its file and line; the message repeats ``path:line: key:``
    so the plain log line still says where, as a linter's does."""
    path = repo_path(prefix, problem.path)
    where = f"{path}:{problem.line}" if problem.line else path
    key = f" {problem.key}:" if problem.key else ""
    hint = f" ({problem.hint})" if problem.hint else ""
    title = f"kbsync: {problem.key}" if problem.key else "kbsync"
    return annotation("error" if problem.is_error else "warning",
                      f"{where}:{key} {problem.message}{hint}", file=path, line=problem.line,
                      title=title)


def plan_annotations(plan: Plan, prefix: str = "") -> list[str]:
    """The parts of a plan a reviewer must not miss: conflicts (errors: apply leaves them
    and fails), remote items absent from the files (warnings) and the plan's warnings."""
    lines = [annotation("warning", warning, title="kbsync plan") for warning in plan.warnings]
    for change in plan.changes:
        if change.action is Action.CONFLICT:
            lines.append(_change_annotation(
                "error", change, prefix, "conflict",
                f"{change.reason or 'edited in initdesk since the last sync'}; apply leaves "
                f"it alone. {conflict_advice([change])}"))
        elif change.action is Action.UNMANAGED:
            lines.append(_change_annotation(
                "warning", change, prefix, "only in initdesk",
                change.reason or "exists in initdesk but not in the files"))
    return lines


def _change_annotation(level: Level, change: Change, prefix: str, title: str,
                       detail: str) -> str:
    remote_only = change.key.startswith("remote:")
    path = None if remote_only else repo_path(prefix, change.key)
    name = f"{change.kind} {path or change.key} ({change.title!r}, slug {change.slug!r})"
    return annotation(level, f"{name}: {detail}", file=path, title=f"kbsync: {title}")
