"""``kbsync coverage``: how many customer questions find the right article through search.

Questions come from coverage.yaml and/or the Help Center's tickets; each distinct one
is searched once, in the Help Center (through the throttled client), in the local tree
as ``apply`` would leave it (``--local``: nothing is sent), or both (``--compare``).
Exit 0, or 1 when coverage is below ``--min-coverage`` or on an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TypeVar

from kbsync.config import COVERAGE_FILE, Config
from kbsync.console import Console
from kbsync.controls import inert
from kbsync.coverage.local_articles import (
    Layout,
    LocalKnowledgeBase,
    layout_of,
    local_articles,
    local_layout,
)
from kbsync.coverage.questions import Question, fold, from_spec, parse_since
from kbsync.coverage.report import (
    Report,
    Where,
    build_report,
    compare,
    comparison_line,
    percent,
    summary_line,
)
from kbsync.coverage.scoring import (
    Outcome,
    Settings,
    covering_draft,
    decide,
    failed,
)
from kbsync.coverage.search import (
    FATAL,
    Found,
    LocalSearcher,
    RemoteSearcher,
    Searcher,
    search_all,
)
from kbsync.coverage.spec import CoverageSpec, read_coverage
from kbsync.coverage.suggest import existing_files, plan_stubs, write_stubs
from kbsync.coverage.tickets import read_ticket_questions
from kbsync.defaults import DEFAULT_MIN_SCORE, DEFAULT_TICKET_LIMIT, DEFAULT_TOP_K
from kbsync.errors import KbsyncError, UsageError, ValidationFailed
from kbsync.problems import Problem
from kbsync.remote.client import HelpCenterClient
from kbsync.render.formats import COMPARISON, COVERAGE
from kbsync.session import Connect, open_client
from kbsync.words import plural

LOCAL_TARGET = "the local tree (as after apply)"
T = TypeVar("T")


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


def run(config: Config, console: Console, options: Options = Options(), *,
        connect: Connect = open_client,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> int:
    _check_usage(options)
    since = _since(options, now())
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
        console.problem(problem)
    sources = [f"{COVERAGE_FILE}: {len(file_questions)}"] if spec else []
    reports: dict[Where, Report] = {}
    if options.from_tickets or options.remote_search:
        with connect(config) as client:
            ticket_questions = _tickets(client, console, since, options, sources)
            questions = _fold(console, [*file_questions, *ticket_questions], since)
            if options.remote_search:
                reports["remote"] = _check(
                    questions, RemoteSearcher(client), settings, console, where="remote",
                    target=_remote_target(config), sources=sources,
                    drafts=options.suggest is not None and kb is None)
            console.detail(f"{client.request_count} requests sent (reads only)")
    else:
        questions = _fold(console, file_questions, since)
    if kb is not None:
        with LocalSearcher(kb, _linker(config, options.out)) as searcher:
            reports["local"] = _check(questions, searcher, settings, console, where="local",
                                      target=LOCAL_TARGET, sources=sources,
                                      drafts=options.suggest is not None)
    return _finish(config, console, options, reports, kb)


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


def _tickets(client: HelpCenterClient, console: Console, since: datetime | None,
             options: Options, sources: list[str]) -> list[Question]:
    if not options.from_tickets:
        return []
    with console.status("Reading tickets…"):
        read = read_ticket_questions(client, since=since, limit=options.limit)
    skipped = [f"{read.spam} spam"] if read.spam else []
    skipped += [f"{read.empty} empty"] if read.empty else []
    sources.append(f"tickets: {len(read.questions)}"
                   + (f" ({', '.join(skipped)} left out)" if skipped else ""))
    console.info(f"Read {plural(read.read, 'ticket')}"
                 + (f" since {since:%Y-%m-%d %H:%M} UTC" if since else "")
                 + (f"; left out {', '.join(skipped)}" if skipped else "") + ".")
    return read.questions


def _fold(console: Console, questions: Sequence[Question],
          since: datetime | None) -> list[Question]:
    folded = fold(questions)
    if not folded:
        advice = " (try a longer --since)" if since is not None else ""
        raise KbsyncError("no questions to check: coverage.yaml has none and no tickets "
                          f"were found{advice}")
    if len(folded) != len(questions):
        console.info(f"{len(questions)} questions, {len(folded)} after folding "
                     "near-duplicates.")
    return folded


def _check(questions: Sequence[Question], searcher: Searcher, settings: Settings,
           console: Console, *, where: Where, target: str, sources: Sequence[str],
           drafts: bool = False) -> Report:
    """Search and decide; with ``drafts`` (for ``--suggest``), each uncovered question is
    searched once more among draft articles, to name one that would answer it."""
    limit = settings.fetch(questions)
    with console.counting(f"Searching {target}", len(questions)) as step:
        found = search_all(questions, searcher, limit=limit, tick=lambda _q: step())
    outcomes = [failed(q, hits, settings) if isinstance(hits, str) else decide(q, hits, settings)
                for q, hits in zip(questions, found, strict=True)]
    for outcome in outcomes:
        if outcome.error is not None:
            console.warn(f"search failed for {outcome.question.sources[0]} "
                         f"({outcome.question.title!r}): {outcome.error}")
    if drafts:
        outcomes = _with_drafts(outcomes, found, searcher, settings, console, limit)
    return build_report(outcomes, where=where, target=target, sources=sources,
                        settings=settings, searches=searcher.searches, fetched=limit)


def _with_drafts(outcomes: Sequence[Outcome], found: Sequence[Found],
                 searcher: Searcher, settings: Settings, console: Console,
                 limit: int) -> list[Outcome]:
    uncovered = [i for i, outcome in enumerate(outcomes)
                 if not outcome.covered and outcome.error is None]
    named = list(outcomes)
    with console.counting("Searching draft articles", len(uncovered)) as step:
        for index in uncovered:
            question = outcomes[index].question
            try:
                drafts = searcher.search(question.text, limit, drafts=True)
            except FATAL:
                raise
            except KbsyncError as exc:  # a suggestion less, said; the report stands
                console.warn(f"drafts not searched for {question.sources[0]}: {exc}")
                drafts = []
            published = found[index]
            assert not isinstance(published, str)  # a failed search is not uncovered
            hits = sorted([*published, *drafts], key=lambda hit: -hit.score)
            named[index] = replace(outcomes[index],
                                   draft=covering_draft(question, hits, settings))
            step()
    return named


def _finish(config: Config, console: Console, options: Options,
            reports: dict[Where, Report], kb: LocalKnowledgeBase | None) -> int:
    final = reports.get("local") or reports["remote"]
    if options.compare:
        comparison = compare(reports["remote"], reports["local"])
        line = comparison_line(comparison)
        render: Callable[[str], str] = partial(_render, COMPARISON.renderer, comparison)
    else:
        line = summary_line(final)
        render = partial(_render, COVERAGE.renderer, final)
    if options.out is not None:
        _write(options.out, render(options.fmt))
        console.info(f"Wrote the {options.fmt} report to {options.out}: {line}")
    else:
        console.out(render(options.fmt).rstrip("\n"))
    if options.json_out is not None:
        _write(options.json_out, render("json"))
        console.info(f"Wrote the JSON report to {options.json_out}.")
    if options.suggest is not None:
        layout = layout_of(kb) if kb is not None else local_layout(config)
        _suggest(console, final, layout, options.suggest)
    if options.min_coverage is not None and final.total.coverage < options.min_coverage:
        console.warn(f"coverage {percent(final.total.coverage)} is below --min-coverage "
                     f"{percent(options.min_coverage)}")
        return 1
    return 0


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _render(renderer: Callable[[str], Callable[[T], str]], report: T, fmt: str) -> str:
    """The report (or comparison) in ``fmt``, inert: customers' text holds whatever they
    typed, and a report is printed, written with --out, posted and ``cat``-ed
    (controls.inert)."""
    return inert(renderer(fmt)(report), json=fmt == "json")


def _suggest(console: Console, report: Report, layout: Layout, directory: Path) -> None:
    if not report.groups:
        console.info("No stubs to suggest: every question is covered.")
        return
    planned = plan_stubs(report.groups, layout, existing_files(directory))
    for path in planned.kept:
        console.info(f"  = kept      {directory / path} (already there; not overwritten)")
    for group in planned.publish:
        draft = group.draft
        assert draft is not None  # plan_stubs put the group here for its draft
        console.info(f"  ! publish   {draft.link or draft.slug}: the draft {draft.title!r} "
                     f"answers {group.count} asked ({', '.join(group.words)}); no stub")
    for stub in write_stubs(planned.stubs, directory):
        console.info(f"  + suggested {directory / stub.path}  ({stub.group.count} asked: "
                     f"{', '.join(stub.group.words)})")


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
