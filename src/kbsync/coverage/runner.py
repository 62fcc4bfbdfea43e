"""One coverage run: questions -> searches -> outcomes -> reports, and the stubs of
``--suggest``.

Questions come from coverage.yaml and/or the Help Center's tickets; each distinct one
is searched once, in the Help Center (through the throttled client), in the local tree
as ``apply`` would leave it (``--local``: nothing is sent), or both (``--compare``).
The run reports its progress through a :class:`Reporter` (the console implements it)
and returns a :class:`Run`; the command shows it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kbsync.config import COVERAGE_FILE, Config
from kbsync.controls import inert
from kbsync.coverage.local_articles import Layout, layout_of, local_articles, local_layout
from kbsync.coverage.questions import Question, fold, from_spec, parse_since
from kbsync.coverage.report import (
    Comparison,
    Report,
    Where,
    build_report,
    compare,
    comparison_line,
    summary_line,
)
from kbsync.coverage.scoring import (
    Outcome,
    Settings,
    covering_draft,
    decide,
    failed,
)
from kbsync.coverage.search import FATAL, Found, LocalSearcher, RemoteSearcher, Searcher, search_all
from kbsync.coverage.spec import CoverageSpec, read_coverage
from kbsync.coverage.suggest import Stub, Suggestions, existing_files, plan_stubs, write_stubs
from kbsync.coverage.tickets import read_ticket_questions
from kbsync.defaults import DEFAULT_MIN_SCORE, DEFAULT_TICKET_LIMIT, DEFAULT_TOP_K
from kbsync.errors import KbsyncError, UsageError, ValidationFailed
from kbsync.problems import Problem
from kbsync.render.formats import COMPARISON, COVERAGE
from kbsync.words import plural

if TYPE_CHECKING:
    from kbsync.remote.client import HelpCenterClient
    from kbsync.session import Connect

__all__ = ["LOCAL_TARGET", "Options", "Reporter", "Run", "Suggested", "run"]

LOCAL_TARGET = "the local tree (as after apply)"


@dataclass(frozen=True)
class Options:
    local: bool = False
    compare: bool = False
    use_file: bool = True
    from_tickets: bool = False
    since: str | None = None
    limit: int | None = DEFAULT_TICKET_LIMIT
    top_k: int | None = None
    min_score: float | None = None
    fmt: str = "text"  # a name of render.formats.COVERAGE
    out: Path | None = None
    json_out: Path | None = None  # the JSON report too, whatever ``fmt`` shows
    min_coverage: float | None = None
    suggest: Path | None = None

    @property
    def remote_search(self) -> bool:
        return self.compare or not self.local

    @property
    def local_search(self) -> bool:
        return self.compare or self.local


class Reporter(Protocol):
    """Where a run says how it goes (``kbsync.console.Console`` is one)."""

    def problem(self, problem: Problem) -> None: ...
    def info(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...
    def detail(self, text: str) -> None: ...
    def status(self, message: str) -> AbstractContextManager[None]: ...
    def counting(self, description: str,
                 total: int) -> AbstractContextManager[Callable[[], None]]: ...


@dataclass(frozen=True)
class Suggested:
    """What ``--suggest`` did in its folder."""

    directory: Path
    planned: Suggestions | None  # None: every question is covered, nothing to suggest
    written: tuple[Stub, ...] = ()


@dataclass(frozen=True)
class Run:
    """A finished run: its reports (``remote``, ``local`` or both) and what follows."""

    options: Options
    reports: dict[Where, Report]
    suggested: Suggested | None = None
    comparison: Comparison | None = field(default=None)

    @property
    def final(self) -> Report:
        """The report that decides (the local one of a comparison)."""
        return self.reports.get("local") or self.reports["remote"]

    @property
    def line(self) -> str:
        """One line: the coverage, or the comparison's change."""
        if self.comparison is not None:
            return comparison_line(self.comparison)
        return summary_line(self.final)

    @property
    def below_minimum(self) -> bool:
        """Whether coverage is below ``--min-coverage`` (the command then exits 1)."""
        minimum = self.options.min_coverage
        return minimum is not None and self.final.total.coverage < minimum

    def render(self, fmt: str) -> str:
        """The report (or the comparison) in ``fmt`` (``render.formats.COVERAGE``),
        inert: customers' text holds whatever they typed, and a report is printed,
        written with --out, posted and ``cat``-ed (controls.inert)."""
        if self.comparison is not None:
            text = COMPARISON.renderer(fmt)(self.comparison)
        else:
            text = COVERAGE.renderer(fmt)(self.final)
        return inert(text, json=fmt == "json")


def run(config: Config, options: Options, reporter: Reporter, *, connect: Connect,
        now: datetime) -> Run:
    """Check the questions; UsageError, ValidationFailed or KbsyncError before any
    search when the options or the files do not allow a run."""
    _check_usage(options)
    since = _since(options, now)
    spec, spec_problems = _read_spec(config) if options.use_file else (None, [])
    if spec is None and not options.from_tickets:
        raise KbsyncError(f"no questions to check: there is no {COVERAGE_FILE} in "
                          f"{config.root} (write one, see `kbsync coverage --help`) and "
                          "--from-tickets was not given")
    settings = _settings(spec, options)
    file_questions = from_spec(spec, COVERAGE_FILE) if spec else []
    kb = None
    if options.local_search:
        # checked before any request, like plan; its warnings hold coverage.yaml's, with
        # each expect: checked against the tree's articles
        kb = local_articles(config)
        spec_problems = list(kb.warnings)
    for problem in spec_problems:
        reporter.problem(problem)
    sources = [f"{COVERAGE_FILE}: {len(file_questions)}"] if spec else []
    reports: dict[Where, Report] = {}
    if options.from_tickets or options.remote_search:
        with connect(config) as client:
            ticket_questions = _tickets(client, reporter, since, options, sources)
            questions = _fold(reporter, [*file_questions, *ticket_questions], since)
            if options.remote_search:
                reports["remote"] = _check(
                    questions, RemoteSearcher(client), settings, reporter, where="remote",
                    target=_remote_target(config), sources=sources,
                    drafts=options.suggest is not None and kb is None)
            reporter.detail(f"{client.request_count} requests sent (reads only)")
    else:
        questions = _fold(reporter, file_questions, since)
    if kb is not None:
        with LocalSearcher(kb, _linker(config, options.out)) as searcher:
            reports["local"] = _check(questions, searcher, settings, reporter, where="local",
                                      target=LOCAL_TARGET, sources=sources,
                                      drafts=options.suggest is not None)
    comparison = compare(reports["remote"], reports["local"]) if options.compare else None
    done = Run(options, reports, comparison=comparison)
    if options.suggest is not None:
        layout = layout_of(kb) if kb is not None else local_layout(config)
        done = replace(done, suggested=_suggest(done.final, layout, options.suggest))
    return done


# --- steps -------------------------------------------------------------------------------------


def _check_usage(options: Options) -> None:
    if not options.from_tickets:
        given = [name for name, value in (("--since", options.since is not None),
                                          ("--no-file", not options.use_file)) if value]
        if given:
            verb = "goes" if len(given) == 1 else "go"
            raise UsageError(f"{' and '.join(given)} only {verb} with --from-tickets")
    if options.limit is not None and options.limit < 1:
        raise UsageError(f"--limit must be at least 1 (got {options.limit})")


def _since(options: Options, now: datetime) -> datetime | None:
    if options.since is None:
        return None
    try:
        return parse_since(options.since, now)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _read_spec(config: Config) -> tuple[CoverageSpec | None, list[Problem]]:
    """coverage.yaml, or ValidationFailed with every problem when it has errors."""
    spec, problems = read_coverage(config.root)
    if any(p.is_error for p in problems):
        raise ValidationFailed(problems)
    return spec, problems


def _settings(spec: CoverageSpec | None, options: Options) -> Settings:
    top_k = options.top_k or (spec.top_k if spec else None) or DEFAULT_TOP_K
    min_score = next((value for value in (options.min_score,
                                          spec.min_score if spec else None)
                      if value is not None), DEFAULT_MIN_SCORE)
    return Settings(top_k=top_k, min_score=min_score)


def _tickets(client: HelpCenterClient, reporter: Reporter, since: datetime | None,
             options: Options, sources: list[str]) -> list[Question]:
    if not options.from_tickets:
        return []
    with reporter.status("Reading tickets…"):
        read = read_ticket_questions(client, since=since, limit=options.limit)
    skipped = [f"{read.spam} spam"] if read.spam else []
    skipped += [f"{read.empty} empty"] if read.empty else []
    sources.append(f"tickets: {len(read.questions)}"
                   + (f" ({', '.join(skipped)} left out)" if skipped else ""))
    reporter.info(f"Read {plural(read.read, 'ticket')}"
                  + (f" since {since:%Y-%m-%d %H:%M} UTC" if since else "")
                  + (f"; left out {', '.join(skipped)}" if skipped else "") + ".")
    return read.questions


def _fold(reporter: Reporter, questions: Sequence[Question],
          since: datetime | None) -> list[Question]:
    folded = fold(questions)
    if not folded:
        advice = " (try a longer --since)" if since is not None else ""
        raise KbsyncError("no questions to check: coverage.yaml has none and no tickets "
                          f"were found{advice}")
    if len(folded) != len(questions):
        reporter.info(f"{len(questions)} questions, {len(folded)} after folding "
                      "near-duplicates.")
    return folded


def _check(questions: Sequence[Question], searcher: Searcher, settings: Settings,
           reporter: Reporter, *, where: Where, target: str, sources: Sequence[str],
           drafts: bool = False) -> Report:
    """Search and decide; with ``drafts`` (for ``--suggest``), each uncovered question is
    searched once more among draft articles, to name one that would answer it."""
    limit = settings.fetch(questions)
    with reporter.counting(f"Searching {target}", len(questions)) as step:
        found = search_all(questions, searcher, limit=limit, tick=lambda _q: step())
    outcomes = [failed(q, hits, settings) if isinstance(hits, str) else decide(q, hits, settings)
                for q, hits in zip(questions, found, strict=True)]
    for outcome in outcomes:
        if outcome.error is not None:
            reporter.warn(f"search failed for {outcome.question.sources[0]} "
                          f"({outcome.question.title!r}): {outcome.error}")
    if drafts:
        outcomes = _with_drafts(outcomes, found, searcher, settings, reporter, limit)
    return build_report(outcomes, where=where, target=target, sources=sources,
                        settings=settings, searches=searcher.searches, fetched=limit)


def _with_drafts(outcomes: Sequence[Outcome], found: Sequence[Found],
                 searcher: Searcher, settings: Settings, reporter: Reporter,
                 limit: int) -> list[Outcome]:
    uncovered = [i for i, outcome in enumerate(outcomes)
                 if not outcome.covered and outcome.error is None]
    named = list(outcomes)
    with reporter.counting("Searching draft articles", len(uncovered)) as step:
        for index in uncovered:
            question = outcomes[index].question
            try:
                drafts = searcher.search(question.text, limit, drafts=True)
            except FATAL:
                raise
            except KbsyncError as exc:  # a suggestion less, said; the report stands
                reporter.warn(f"drafts not searched for {question.sources[0]}: {exc}")
                drafts = []
            published = found[index]
            assert not isinstance(published, str)  # a failed search is not uncovered
            hits = sorted([*published, *drafts], key=lambda hit: -hit.score)
            named[index] = replace(outcomes[index],
                                   draft=covering_draft(question, hits, settings))
            step()
    return named


def _suggest(report: Report, layout: Layout, directory: Path) -> Suggested:
    """Stubs for the largest uncovered topics, written where none is yet."""
    if not report.groups:
        return Suggested(directory, None)
    planned = plan_stubs(report.groups, layout, existing_files(directory))
    return Suggested(directory, planned, tuple(write_stubs(planned.stubs, directory)))


def _remote_target(config: Config) -> str:
    remote = config.remote
    if remote.is_local:
        return "the embedded Help Center (.kbsync/local.db)"
    return f"the Help Center at {remote.base_url} (organization {remote.organization_id})"


def _linker(config: Config, out: Path | None) -> Callable[[str], str]:
    """A local hit links to its file, relative to where the report is read from."""
    start = (out.parent if out is not None else Path.cwd()).resolve()
    root = config.root.resolve()

    def link(key: str) -> str:
        return Path(os.path.relpath(root / key, start)).as_posix()

    return link

