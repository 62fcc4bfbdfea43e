"""The coverage report as plain text for a terminal or a CI log: one line per question.

Pure, fixed columns, no colour, so the same text reads well in a log and pins in tests.
"""

from __future__ import annotations

from collections.abc import Iterable

from kbsync.coverage.report import (
    CollectionTally,
    Comparison,
    Report,
    collection_pairs,
    comparison_line,
    cut_note,
    percent,
    rank_label,
    summary_line,
)
from kbsync.coverage.scoring import Outcome

QUESTION_WIDTH = 48
BEST_HITS = 3
_BAR = 20


def render_text(report: Report) -> str:
    lines = [heading(report), ""]
    lines.append(f"  {'covered':<8}{'rank':>5}{'asked':>7}  {'question':<{QUESTION_WIDTH}}  "
                 "best hits (score)")
    for outcome in report.outcomes:
        covered = "error" if outcome.error else "yes" if outcome.covered else "no"
        lines.append(f"  {covered:<8}{rank_label(outcome, report.fetched):>5}"
                     f"{outcome.question.count:>7}  {_cell(outcome.question.title)}  "
                     f"{hits_label(outcome)}")
    lines += ["", *_collections(report), *_groups(report), *notes(report),
              summary_line(report)]
    return "\n".join(lines) + "\n"


def render_comparison_text(comparison: Comparison) -> str:
    before, after = comparison.before, comparison.after
    lines = [f"Coverage of {_questions(after)}: {before.target} → {after.target}; "
             f"{_settings(after)}", ""]
    lines.append(f"     {'remote':<11}{'local':<11}{'asked':>5}  question")
    for row in comparison.rows:
        mark = {1: "+", -1: "-"}.get(row.delta, " ")
        lines.append(f"  {mark}  {_state(row.before, before.fetched):<11}"
                     f"{_state(row.after, after.fetched):<11}{row.after.question.count:>5}  "
                     f"{_cell(row.after.question.title).rstrip()}")
    lines += ["", "Per collection (remote → local):"]
    pairs = collection_pairs(comparison)
    width = _name_width(name for name, _, _ in pairs)
    for name, old, new in pairs:
        lines.append(f"  {_clip(name, width):<{width}}  {_share(old)} → {_share(new)}")
    lines += ["", *_groups(after), *notes(before, "remote: "), *notes(after, "local: "),
              comparison_line(comparison)]
    return "\n".join(lines) + "\n"


def heading(report: Report) -> str:
    return (f"Coverage of {_questions(report)} ({'; '.join(report.sources)}) against "
            f"{report.target}; {_settings(report)}")


def notes(report: Report, side: str = "") -> list[str]:
    """The searches that failed and the questions that were cut, one line each."""
    lines = []
    if report.failed:
        lines.append(f"{side}Searches that failed (counted as not covered):")
        lines += [f"  {_source(o)}: {o.error}" for o in report.failed]
    if report.cut and not side.startswith("local"):  # the same questions on both sides
        lines.append("Questions cut for the search:")
        lines += [f"  {_source(o)}: {cut_note(o)}" for o in report.cut]
    return [*lines, ""] if lines else []


def _source(outcome: Outcome) -> str:
    question = outcome.question
    where = question.sources[0] if question.sources else "question"
    return f"{where} ({_clip(question.title, QUESTION_WIDTH)!r})"


def hits_label(outcome: Outcome, count: int = BEST_HITS) -> str:
    if outcome.error:
        return "(search failed: see below)"
    if not outcome.hits:
        return "(no hits)"
    return " · ".join(f"{hit.slug} {hit.score:.1f}" for hit in outcome.hits[:count])


def _questions(report: Report) -> str:
    count = report.total.questions
    return f"{count} question{'s' if count != 1 else ''}"


def _settings(report: Report) -> str:
    return f"top {report.settings.top_k}, min score {report.settings.min_score:g}"


def _cell(text: str) -> str:
    return f"{_clip(text, QUESTION_WIDTH):<{QUESTION_WIDTH}}"


def _state(outcome: Outcome, fetched: int) -> str:
    if not outcome.covered:
        return "error" if outcome.error else "no"
    rank = rank_label(outcome, fetched)
    return f"yes ({rank})" if rank != "-" else "yes"


def _collections(report: Report) -> list[str]:
    if not report.collections:
        return []
    width = _name_width(c.name for c in report.collections)
    lines = ["Per collection:"]
    for collection in report.collections:
        tally = collection.tally
        filled = round(tally.coverage * _BAR)
        bar = "#" * filled + "." * (_BAR - filled)
        lines.append(f"  {_clip(collection.name, width):<{width}}  {bar}  "
                     f"{percent(tally.coverage):>4}  ({tally.covered} of {tally.questions})")
    return [*lines, ""]


def _groups(report: Report) -> list[str]:
    if not report.groups:
        return []
    lines = ["Topics with no article (most asked first):"]
    for group in report.groups:
        titles = "; ".join(o.question.title for o in group.outcomes[:3])
        more = f"; and {len(group.outcomes) - 3} more" if len(group.outcomes) > 3 else ""
        lines.append(f"  {', '.join(group.words) or '(no topic words)'} "
                     f"({group.count} asked): {titles}{more}")
        draft = group.draft
        if draft is not None:
            lines.append(f"    the draft {draft.title!r} ({draft.link or draft.slug}) would "
                         "answer them: publish it")
    return [*lines, ""]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _name_width(names: Iterable[str]) -> int:
    return min(40, max((len(name) for name in names), default=0))


def _share(collection: CollectionTally | None) -> str:
    if collection is None:
        return "-"
    tally = collection.tally
    return f"{percent(tally.coverage)} ({tally.covered}/{tally.questions})"
