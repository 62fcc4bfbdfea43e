"""All terminal output: the only module that imports rich.

Colour only on a terminal, never with ``NO_COLOR``, ``--no-color`` or in GitHub Actions;
``-q`` keeps the main output and errors, ``-v`` adds detail (each request, each step).
Commands report through this object and never print, so tests capture everything a
user sees in one place.

Three audiences:

* a terminal: colour, a spinner while reading, a progress bar while applying;
* a CI log (stderr is not a terminal): plain lines only, no control codes, no prompts;
  long work prints a progress line at most every few seconds instead of nothing;
* GitHub Actions (``github=True``): a CI log, plus problems, conflicts and drift as
  annotations on the files (paths relative to the repository root) and long logs
  folded into ``::group::`` blocks. The formatting is :mod:`kbsync.render.github`'s;
  whether a run is in GitHub Actions is for the command line to say
  (:mod:`kbsync.github.environment`), not for the output to guess.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from rich.console import Console as RichConsole
from rich.markup import escape as markup_escape
from rich.text import Text

from kbsync.controls import inert
from kbsync.plan.model import Change, Plan
from kbsync.problems import Problem, escaped
from kbsync.render import github
from kbsync.words import plural

if TYPE_CHECKING:  # the bars load when one is shown: validate shows none
    from rich.progress import Progress, TaskID

_SYMBOL_STYLES = {"+": "green", "-": "red", "~": "yellow", "↕": "cyan", "!": "magenta",
                  "?": "dim", "=": "blue"}
#: How the text format of findings marks a warning (``Problem.__str__``).
_WARNING = " warning: "
#: How many lines of a text plan one print takes (see Console.plan).
_PLAN_LINES_PER_PRINT = 2000
#: Off a terminal, the shortest time between two progress lines.
PROGRESS_EVERY = 5.0

Clock = Callable[[], float]


class Console:
    def __init__(self, *, color: bool | None = None, verbosity: int = 0,
                 stdout: IO[str] | None = None, stderr: IO[str] | None = None,
                 github: bool = False, clock: Clock = time.monotonic,
                 progress_every: float = PROGRESS_EVERY) -> None:
        self.github = github
        #: The knowledge-base folder relative to the repository root, for annotations.
        self.annotation_prefix = ""
        self.verbosity = verbosity
        self.color = color
        self._stdout = stdout
        self._stderr = stderr
        self._clock = clock
        self._progress_every = progress_every
        self._reading: _Ticker | None = None  # off a terminal, inside status()
        self._out, self._err = self._rich_consoles()

    def _rich_consoles(self) -> tuple[RichConsole, RichConsole]:
        no_color = bool(os.environ.get("NO_COLOR")) or self.color is False or self.github
        return tuple(  # type: ignore[return-value]
            RichConsole(file=file, no_color=no_color,
                        force_terminal=True if self.color and not self.github else None,
                        highlight=False, soft_wrap=True)
            for file in (self._stdout or sys.stdout, self._stderr or sys.stderr))

    def reconfigure(self, *, color: bool | None = None, verbosity: int | None = None) -> None:
        """``--no-color`` / ``-q`` / ``-v`` given after the command name."""
        if color is not None:
            self.color = color
        if verbosity is not None:
            self.verbosity = verbosity
        self._out, self._err = self._rich_consoles()

    @property
    def interactive(self) -> bool:
        """A person can answer a prompt: a terminal, and not a CI runner."""
        return not self.github and self._out.is_terminal and sys.stdin.isatty()

    @property
    def live(self) -> bool:
        """Spinners and bars may redraw stderr in place."""
        return not self.github and self._err.is_terminal

    # -- lines -----------------------------------------------------------------------------

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
        """The one line a failed command ends with; an error annotation in GitHub Actions
        (so the run's summary says why it failed)."""
        if self.github:
            self._err.print(Text(github.annotation("error", _safe(text), title="kbsync")))
            return
        self._err.print(Text(f"Error: {_safe(text)}", style="bold red"))

    def problem(self, problem: Problem) -> None:
        """A problem beside the main output (stderr); an annotation in GitHub Actions."""
        if self.github:
            self._err.print(Text(github.problem_annotation(problem, self.annotation_prefix)))
            return
        self._err.print(Text(str(problem), style="red" if problem.is_error else "yellow"))

    def findings(self, text: str) -> None:
        """validate's findings in its text format, the main output (stdout): one per
        line, a warning (marked ``warning:``) yellow, an error red."""
        out = Text()
        for line in _safe(text).splitlines():
            out.append(line + "\n", style="yellow" if _WARNING in line else "red")
        out.rstrip()
        self._out.print(out)

    def annotate_plan(self, plan: Plan) -> None:
        """Conflicts, drift and plan warnings as annotations; nothing off GitHub."""
        if self.github:
            self._annotations(github.plan_annotations(plan, self.annotation_prefix))

    def _annotations(self, lines: Iterable[str]) -> None:
        for line in lines:
            self._err.print(Text(line))

    def show_plan(self, plan: Plan) -> None:
        """The plan as text, under its summary (one foldable group in GitHub Actions):
        what ``plan`` shows by default and ``apply`` before it asks."""
        from kbsync.render.text import render_text, summary

        with self.group(f"kbsync plan: {summary(plan)}"):
            self.plan(render_text(plan))

    def plan(self, text: str) -> None:
        """A rendered text plan, each change line coloured by its leading symbol.

        Printed a few thousand lines at a time: printing a big plan line by line through
        rich costs seconds, and all at once (100,000 lines for 10,000 new articles) a
        hundred megabytes.
        """
        lines = _safe(text).rstrip().splitlines() or [""]
        for start in range(0, len(lines), _PLAN_LINES_PER_PRINT):
            out = Text()
            for index, line in enumerate(lines[start:start + _PLAN_LINES_PER_PRINT]):
                symbol = line.strip()[:1]
                style = _diff_style(line) or (
                    _SYMBOL_STYLES.get(symbol)
                    if line.startswith("  ") and not line.startswith("      ") else None)
                if index:
                    out.append("\n")
                out.append(line, style=style or "")
            self._out.print(out)

    # -- the remote ------------------------------------------------------------------------

    def request(self, method: str, path: str, status: int | None, seconds: float) -> None:
        """``-v``: ``GET /organizations/1/portal/articles/?page=2 -> 200 (35 ms)``.

        Only what the client hands over (method, path, status): never a header, so
        never the token.
        """
        answer = "no answer" if status is None else str(status)
        self.detail(f"{method} {path} -> {answer} ({seconds * 1000:.0f} ms)")
        if self._reading is not None and self.verbosity == 0:
            line = self._reading.tick()
            if line:
                self.info(line)

    def waiting(self, seconds: float, reason: str) -> None:
        """The client pauses: for the rate limit (a 429, the server's headers, or the
        minute's budget spent), said on and off a terminal when it is worth a line;
        before a retry after an error, under ``-v``."""
        shown = max(1, math.ceil(seconds))
        if reason in ("429", "server") or (reason == "budget" and seconds >= 5):
            self.info(f"initdesk rate limit: waiting {shown} s")
        elif reason == "budget":
            self.detail(f"initdesk rate limit: waiting {seconds:.1f} s")
        elif reason == "unreachable":  # the wait is long in all: say why nothing happens
            self.info(f"the Help Center is unreachable: trying again in {shown} s")
        else:
            self.detail(f"initdesk answered {reason}: retrying in {shown} s")

    # -- interaction and long work ---------------------------------------------------------

    def confirm(self, question: str) -> bool:
        self._err.print(Text(question + " Only 'yes' will be accepted: ", style="bold"), end="")
        try:
            answer = input()
        except EOFError:
            return False
        return answer.strip().lower() == "yes"

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A foldable block of log lines in GitHub Actions; nothing anywhere else."""
        if not self.github:
            yield
            return
        self._err.print(Text(github.group(title)))
        try:
            yield
        finally:
            self._err.print(Text(github.ENDGROUP))

    @contextmanager
    def status(self, message: str) -> Iterator[None]:
        """A spinner on a terminal while waiting on the Help Center; off one, the
        message as a plain line, then (if requests are reported through
        :meth:`request`) ``Reading the Help Center: 40 requests, 41 s`` at most every
        few seconds, so a long read under the throttle is not minutes of silence."""
        if self.verbosity < 0:
            yield
        elif not self.live:
            self.info(message)
            self._reading = _Ticker(message.rstrip("…. "), self._clock, self._progress_every)
            try:
                yield
            finally:
                self._reading = None
        else:
            with self._err.status(message):
                yield

    @contextmanager
    def progress(self, description: str,
                 requests: Callable[[], int] | None = None) -> Iterator[ProgressHooks]:
        """Progress hooks for the apply executor: a bar on a terminal, lines off one.

        ``requests`` (the client's count so far) goes into the lines and the bar.
        """
        if self.live or self.verbosity < 0:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[item]}"), TimeElapsedColumn(),
                console=self._err, disable=self.verbosity < 0, transient=False,
            )
            with progress:
                yield BarHooks(progress, description, self)
            return
        with self.group(description):
            yield LineHooks(description, self, requests or (lambda: 0), self._clock,
                            self._progress_every)

    @contextmanager
    def counting(self, description: str, total: int) -> Iterator[Callable[[], None]]:
        """Count ``total`` steps: a bar on a terminal; elsewhere a plain line per tenth
        when there are enough steps (50) for the wait to matter."""
        if self.verbosity < 0 or total <= 0 or (total < 50 and not self.live):
            yield lambda: None
            return
        if self.live:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(), console=self._err) as bar:
                task = bar.add_task(description, total=total)
                yield lambda: bar.advance(task)
            return
        done = [0]

        def step() -> None:
            done[0] += 1
            if done[0] == total or done[0] * 10 // total > (done[0] - 1) * 10 // total:
                self._err.print(Text(f"{description}: {done[0]}/{total}"))

        yield step


class ProgressHooks:
    """ApplyHooks for the executor; both kinds add one line per step under ``-v``."""

    def __init__(self, description: str, console: Console) -> None:
        self._description = description
        self._console = console

    def started(self, total: int) -> None:
        raise NotImplementedError

    def step_done(self, change: Change, note: str) -> None:
        self._console.detail(f"{note}: {change.kind} {change.key}")


class BarHooks(ProgressHooks):
    """A rich progress bar (on a terminal)."""

    def __init__(self, progress: Progress, description: str, console: Console) -> None:
        super().__init__(description, console)
        self._progress = progress
        self._task: TaskID | None = None

    def started(self, total: int) -> None:
        self._task = self._progress.add_task(self._description, total=total, item="")

    def step_done(self, change: Change, note: str) -> None:
        if self._task is not None:
            # the column reads rich markup: a file named "a[/]b.md" must stay a name
            self._progress.update(self._task, advance=1, item=markup_escape(escaped(change.key)))
        super().step_done(change, note)


class LineHooks(ProgressHooks):
    """Plain progress lines for a log: the first step's, then at most one every
    ``every`` seconds, and the last: ``Applying: 120/2048 done, 131 requests, about
    3 min left``. Steps, not plan lines: a link fix-up after a create is a step too."""

    def __init__(self, description: str, console: Console, requests: Callable[[], int],
                 clock: Clock, every: float) -> None:
        super().__init__(description, console)
        self._requests = requests
        self._clock = clock
        self._every = every
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._last: float | None = None

    def started(self, total: int) -> None:
        self._total = total
        self._started = self._clock()
        self._console.info(f"{self._description}: {plural(total, 'step')} to run")

    def step_done(self, change: Change, note: str) -> None:
        super().step_done(change, note)
        self._done += 1
        now = self._clock()
        last_step = self._done >= self._total
        if last_step or self._last is None or now - self._last >= self._every:
            self._last = now
            self._console.info(self.line(now))

    def line(self, now: float) -> str:
        elapsed = now - self._started
        text = (f"{self._description}: {self._done}/{self._total} done, "
                f"{plural(self._requests(), 'request')}")
        remaining = self._total - self._done
        if remaining <= 0:
            return f"{text}, {_duration(elapsed)}"
        if elapsed >= 1:  # before that, an estimate says little
            return f"{text}, about {_duration(elapsed / self._done * remaining)} left"
        return text


class _Ticker:
    """Counts requests; a line when the last one is ``every`` seconds old."""

    def __init__(self, label: str, clock: Clock, every: float) -> None:
        self._label = label
        self._clock = clock
        self._every = every
        self._started = self._last = clock()
        self._count = 0

    def tick(self) -> str | None:
        self._count += 1
        now = self._clock()
        if now - self._last < self._every:
            return None
        self._last = now
        return (f"{self._label}: {plural(self._count, 'request')}, "
                f"{_duration(now - self._started)}")


def _duration(seconds: float) -> str:
    """``"4 s"``, ``"3 min"``, ``"1 h 5 min"``: a log line's precision."""
    if seconds < 60:
        return f"{max(0, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def _safe(text: str) -> str:
    """Every line of ``text`` with its control characters escaped (the newlines between
    lines kept): whatever a message quotes from a file or a server, it cannot move the
    cursor, clear the screen or retitle the terminal."""
    return inert(text)


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
