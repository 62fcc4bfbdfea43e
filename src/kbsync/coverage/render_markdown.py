"""The coverage report as GitHub Markdown, for a pull-request comment. Pure.

Questions, topic words and titles come from customers' tickets and from initdesk: all of
it goes through ``render.markdown.text`` (or ``code``), so that nothing a customer wrote
pings a team, links somewhere or loads an image in the pull request.
"""

from __future__ import annotations

from kbsync.coverage.report import (
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
from kbsync.render.markdown import cell, code, text, text_cell

BEST_HITS = 3


def render_markdown(report: Report) -> str:
    lines = [f"### kbsync {summary_line(report)}", "",
             f"Questions from {text('; '.join(report.sources))}, searched in "
             f"{text(report.target)} "
             f"(top {report.settings.top_k}, min score {report.settings.min_score:g}).", "",
             "| Question | Asked | Covered | Rank | Best hits (score) |",
             "|---|---:|:-:|---:|---|"]
    for outcome in report.outcomes:
        lines.append(f"| {text_cell(outcome.question.title)} | {outcome.question.count} | "
                     f"{_mark(outcome.covered, outcome.error)} | "
                     f"{rank_label(outcome, report.fetched)} | {_hits(outcome)} |")
    lines += ["", "<details><summary>Per collection</summary>", "",
              "| Collection | Covered | Questions | Coverage |", "|---|---:|---:|---:|"]
    for collection in report.collections:
        tally = collection.tally
        lines.append(f"| {text_cell(collection.name)} | {tally.covered} | {tally.questions} | "
                     f"{percent(tally.coverage)} |")
    lines += ["", "</details>", *_groups(report), *_notes(report)]
    return "\n".join(lines) + "\n"


def render_comparison_markdown(comparison: Comparison) -> str:
    after = comparison.after
    lines = [f"### kbsync {comparison_line(comparison)}", "",
             f"Before: {text(comparison.before.target)}. After: {text(after.target)} "
             f"(top {after.settings.top_k}, min score {after.settings.min_score:g}).", "",
             "| Question | Asked | Before | After | |", "|---|---:|:-:|:-:|:-:|"]
    for row in comparison.rows:
        change = {1: "**+1**", -1: "**-1**"}.get(row.delta, "")
        lines.append(f"| {text_cell(row.after.question.title)} | {row.after.question.count} | "
                     f"{_mark(row.before.covered, row.before.error)} | "
                     f"{_mark(row.after.covered, row.after.error)} | {change} |")
    lines += ["", "<details><summary>Per collection</summary>", "",
              "| Collection | Before | After |", "|---|---:|---:|"]
    for name, old, new in collection_pairs(comparison):
        lines.append(f"| {text_cell(name)} | {percent(old.tally.coverage) if old else '-'} | "
                     f"{percent(new.tally.coverage) if new else '-'} |")
    lines += ["", "</details>", *_groups(after), *_notes(comparison.before, "Before: "),
              *_notes(after, "After: ", cut=False)]
    return "\n".join(lines) + "\n"


def _groups(report: Report) -> list[str]:
    if not report.groups:
        return []
    lines = ["", "**Topics with no article**", ""]
    for group in report.groups:
        titles = "; ".join(text_cell(o.question.title) for o in group.outcomes[:5])
        draft = (f" (the draft *{text_cell(group.draft.title)}* would answer them: "
                 "publish it)" if group.draft is not None else "")
        lines.append(f"- **{text(', '.join(group.words)) or 'no topic words'}** "
                     f"({group.count} asked): {titles}{draft}")
    return lines


def _notes(report: Report, side: str = "", *, cut: bool = True) -> list[str]:
    """The searches that failed and the questions cut for the search, as lists."""
    lines = []
    if report.failed:
        lines += ["", f"**{side}searches that failed** (counted as not covered)", ""]
        lines += [f"- {_source(o)}: {text_cell(o.error or '')}" for o in report.failed]
    if cut and report.cut:
        lines += ["", "**Questions cut for the search**", ""]
        lines += [f"- {_source(o)}: {cut_note(o)}" for o in report.cut]
    return lines


def _source(outcome: Outcome) -> str:
    question = outcome.question
    where = question.sources[0] if question.sources else "question"
    return f"{text_cell(where)} ({text_cell(question.title)})"


def _mark(covered: bool, error: str | None = None) -> str:
    return "⚠️ search failed" if error else "✅" if covered else "❌"


def _hits(outcome: Outcome) -> str:
    if outcome.error:
        return "search failed: see below"
    if not outcome.hits:
        return "no hits"
    return ", ".join(f"{cell(code(hit.slug))} {hit.score:.1f}" for hit in outcome.hits[:BEST_HITS])
