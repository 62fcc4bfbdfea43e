"""The coverage report: plain data every renderer reads, and the remote -> local comparison.

Pure. Coverage is counted over distinct questions (a folded question counts once);
``asked`` weighs each by how often it was asked, for the ticket view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kbsync.coverage.groups import Group, group_uncovered
from kbsync.coverage.scoring import Outcome, Settings
from kbsync.remote.wire import SEARCH_QUERY_MAX as QUESTION_MAX

#: Bump when the JSON report's shape changes incompatibly.
REPORT_FORMAT_VERSION = 1
NO_COLLECTION = "(no article found)"

Where = Literal["remote", "local"]


@dataclass(frozen=True, slots=True)
class Tally:
    """Covered out of total, counted per distinct question and per question asked."""

    questions: int = 0
    covered: int = 0
    asked: int = 0
    asked_covered: int = 0

    @property
    def coverage(self) -> float:
        return self.covered / self.questions if self.questions else 0.0

    @property
    def asked_coverage(self) -> float:
        return self.asked_covered / self.asked if self.asked else 0.0

    def add(self, outcome: Outcome) -> Tally:
        hit = 1 if outcome.covered else 0
        count = outcome.question.count
        return Tally(self.questions + 1, self.covered + hit, self.asked + count,
                     self.asked_covered + hit * count)


@dataclass(frozen=True, slots=True)
class CollectionTally:
    slug: str | None  # None: questions no article was found for
    name: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class Report:
    where: Where
    target: str  # what was searched, for people: "the local tree (as after apply)", a URL
    sources: tuple[str, ...]  # where the questions came from, for people
    settings: Settings
    outcomes: tuple[Outcome, ...]
    collections: tuple[CollectionTally, ...]
    groups: tuple[Group, ...]
    searches: int  # search requests sent (one per distinct question)
    fetched: int  # hits asked for per search: an expected article past it is "> fetched"
    total: Tally

    @property
    def failed(self) -> tuple[Outcome, ...]:
        """Questions whose search failed (counted as not covered)."""
        return tuple(o for o in self.outcomes if o.error is not None)

    @property
    def cut(self) -> tuple[Outcome, ...]:
        """Questions searched by their first ``QUESTION_MAX`` characters only."""
        return tuple(o for o in self.outcomes if o.question.cut_from is not None)


def build_report(outcomes: Sequence[Outcome], *, where: Where, target: str,
                 sources: Sequence[str], settings: Settings, searches: int,
                 fetched: int) -> Report:
    total = Tally()
    by_collection: dict[str | None, tuple[str, Tally]] = {}
    for outcome in outcomes:
        total = total.add(outcome)
        if outcome.error is not None:
            continue  # no hits, so no collection; it is listed with its error instead
        slug, name = outcome.collection or (None, NO_COLLECTION)
        _, tally = by_collection.get(slug, (name, Tally()))
        by_collection[slug] = (name, tally.add(outcome))
    collections = sorted(
        (CollectionTally(slug, name, tally) for slug, (name, tally) in by_collection.items()),
        key=lambda c: (c.slug is None, c.name.lower()))
    return Report(where=where, target=target, sources=tuple(sources), settings=settings,
                  outcomes=tuple(outcomes), collections=tuple(collections),
                  groups=tuple(group_uncovered(outcomes)), searches=searches,
                  fetched=fetched, total=total)


@dataclass(frozen=True, slots=True)
class Row:
    """One question, before (remote) and after (local)."""

    before: Outcome
    after: Outcome

    @property
    def delta(self) -> int:
        """+1 newly covered, -1 no longer covered, 0 unchanged."""
        return int(self.after.covered) - int(self.before.covered)


@dataclass(frozen=True, slots=True)
class Comparison:
    before: Report
    after: Report
    rows: tuple[Row, ...]

    @property
    def delta(self) -> int:
        """Distinct questions covered after minus before."""
        return self.after.total.covered - self.before.total.covered

    @property
    def gained(self) -> int:
        return sum(1 for row in self.rows if row.delta > 0)

    @property
    def lost(self) -> int:
        return sum(1 for row in self.rows if row.delta < 0)


def compare(before: Report, after: Report) -> Comparison:
    """Pair each question of ``before`` with the same question of ``after``."""
    after_by_key = {o.question.key: o for o in after.outcomes}
    rows = tuple(Row(o, after_by_key[o.question.key]) for o in before.outcomes
                 if o.question.key in after_by_key)
    return Comparison(before, after, rows)


def collection_pairs(
    comparison: Comparison,
) -> list[tuple[str, CollectionTally | None, CollectionTally | None]]:
    """Each collection of either report: (name, before, after), by name."""
    before = {c.slug: c for c in comparison.before.collections}
    after = {c.slug: c for c in comparison.after.collections}
    names = {c.slug: c.name for c in [*comparison.before.collections,
                                      *comparison.after.collections]}
    order = sorted(names, key=lambda slug: (slug is None, names[slug].lower()))
    return [(names[slug], before.get(slug), after.get(slug)) for slug in order]


def rank_label(outcome: Outcome, fetched: int) -> str:
    """The expected article's rank: ``1``, ``>10`` (not among the hits asked for),
    ``none`` (not found at all) or ``-`` (no article expected)."""
    if outcome.rule != "expect":
        return "-"
    if outcome.expected_rank is not None:
        return str(outcome.expected_rank)
    return f">{fetched}" if outcome.searched >= fetched else "none"  # drafts fill hits too


def percent(share: float) -> str:
    """76% (never 100% unless it is, never 0% unless it is)."""
    value = share * 100
    if 0 < value < 1:
        return "<1%"
    if 99 < value < 100:
        return ">99%"
    return f"{value:.0f}%"


def summary_line(report: Report) -> str:
    """``coverage 76% (19 of 25 questions)``, plus the asked share when counts differ
    and the searches that failed."""
    total = report.total
    line = (f"coverage {percent(total.coverage)} ({total.covered} of {total.questions} "
            f"question{'s' if total.questions != 1 else ''})")
    if total.asked != total.questions:
        line += f"; {percent(total.asked_coverage)} of {total.asked} asked"
    return line + failed_note(len(report.failed))


def failed_note(count: int) -> str:
    """``; 2 searches failed (counted as not covered)``, or nothing."""
    if not count:
        return ""
    return f"; {count} search{'es' if count != 1 else ''} failed (counted as not covered)"


def cut_note(outcome: Outcome) -> str:
    """Why a question was cut, for every report: ``searched by its first 512 of 70,000
    characters (the longest search kbsync sends)``."""
    return (f"searched by its first {QUESTION_MAX} of {outcome.question.cut_from:,} "
            "characters (the longest search kbsync sends)")


def comparison_line(comparison: Comparison) -> str:
    """``coverage 64% → 76%, +3 questions``."""
    before, after = comparison.before.total, comparison.after.total
    delta = comparison.delta
    change = f"{delta:+d} question{'s' if abs(delta) != 1 else ''}" if delta else "no change"
    line = f"coverage {percent(before.coverage)} → {percent(after.coverage)}, {change}"
    if comparison.gained and comparison.lost:
        line += f" ({comparison.gained} newly covered, {comparison.lost} no longer)"
    return line + failed_note(len(comparison.before.failed) + len(comparison.after.failed))
