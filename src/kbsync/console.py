"""All terminal output: the only module that imports rich.

Colour only on a terminal, never with ``NO_COLOR`` or ``--no-color``; ``-q`` keeps the
main output and errors, ``-v`` adds detail. Commands report through this object and
never print, so tests capture everything a user sees in one place.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console as RichConsole
from rich.markup import escape as markup_escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from kbsync.plan.model import Change
from kbsync.problems import Problem, escaped

_SYMBOL_STYLES = {"+": "green", "-": "red", "~": "yellow", "↕": "cyan", "!": "magenta",
                  "?": "dim", "=": "blue"}


class Console:
    def __init__(self, *, color: bool | None = None, verbosity: int = 0,
                 stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> None:
        no_color = bool(os.environ.get("NO_COLOR")) or color is False
        self.color = color
        self.verbosity = verbosity
        self._out = RichConsole(file=stdout or sys.stdout, no_color=no_color,
                                force_terminal=True if color else None, highlight=False,
                                soft_wrap=True)
        self._err = RichConsole(file=stderr or sys.stderr, no_color=no_color,
                                force_terminal=True if color else None, highlight=False,
                                soft_wrap=True)

    @property
    def interactive(self) -> bool:
        return self._out.is_terminal and sys.stdin.isatty()

    def out(self, text: str = "") -> None:
        """The command's main output (plans, reports): stdout, never suppressed."""
        self._out.print(Text(_safe(text)))

    def info(self, text: str) -> None:
        if self.verbosity >= 0:
            self._err.print(Text(_safe(text)))

    def detail(self, text: str) -> None:
        if self.verbosity > 0:
            self._err.print(Text(_safe(text), style="dim"))

    def success(self, text: str) -> None:
        if self.verbosity >= 0:
            self._err.print(Text(_safe(text), style="green"))

    def warn(self, text: str) -> None:
        self._err.print(Text(_safe(text), style="yellow"))

    def error(self, text: str) -> None:
        self._err.print(Text(f"Error: {_safe(text)}", style="bold red"))

    def problem(self, problem: Problem) -> None:
        style = "red" if problem.is_error else "yellow"
        self._err.print(Text(str(problem), style=style))

    def plan(self, text: str) -> None:
        """A rendered text plan, each change line coloured by its leading symbol.

        Built as one Text and printed once: printing a big plan line by line through
        rich costs seconds.
        """
        out = Text()
        for line in _safe(text).splitlines():
            symbol = line.strip()[:1]
            style = _diff_style(line) or (
                _SYMBOL_STYLES.get(symbol)
                if line.startswith("  ") and not line.startswith("      ") else None)
            out.append(line + "\n", style=style or "")
        out.rstrip()
        self._out.print(out)

    def confirm(self, question: str) -> bool:
        self._err.print(Text(question + " Only 'yes' will be accepted: ", style="bold"), end="")
        try:
            answer = input()
        except EOFError:
            return False
        return answer.strip().lower() == "yes"

    @contextmanager
    def status(self, message: str) -> Iterator[None]:
        """A spinner while waiting on the Help Center (throttled reads take a while)."""
        if self.verbosity < 0 or not self._err.is_terminal:
            yield
            return
        with self._err.status(message):
            yield

    @contextmanager
    def progress(self, description: str) -> Iterator[ProgressHooks]:
        progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[item]}"), TimeElapsedColumn(),
            console=self._err, disable=self.verbosity < 0 or not self._err.is_terminal,
            transient=False,
        )
        hooks = ProgressHooks(progress, description, self)
        with progress:
            yield hooks


class ProgressHooks:
    """ApplyHooks for the executor: a progress bar on a terminal, lines under -v."""

    def __init__(self, progress: Progress, description: str, console: Console) -> None:
        self._progress = progress
        self._description = description
        self._console = console
        self._task: TaskID | None = None

    def started(self, total: int) -> None:
        self._task = self._progress.add_task(self._description, total=total, item="")

    def step_done(self, change: Change, note: str) -> None:
        if self._task is not None:
            # the column reads rich markup: a file named "a[/]b.md" must stay a name
            self._progress.update(self._task, advance=1, item=markup_escape(escaped(change.key)))
        self._console.detail(f"{note}: {change.kind} {change.key}")


def _safe(text: str) -> str:
    """Every line of ``text`` with its control characters escaped (the newlines between
    lines kept): whatever a message quotes from a file or a server, it cannot move the
    cursor, clear the screen or retitle the terminal."""
    return "\n".join(escaped(line) for line in text.split("\n"))


def _diff_style(line: str) -> str | None:
    stripped = line.lstrip()
    if not line.startswith("        "):
        return None
    if stripped.startswith(("+++", "---")):
        return "bold"
    if stripped.startswith("+"):
        return "green"
    if stripped.startswith("-"):
        return "red"
    if stripped.startswith("@@"):
        return "cyan"
    return None
