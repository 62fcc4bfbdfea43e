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
                     f"{_mark(outcome.covered)} | {rank_label(outcome, report.fetched)} | "
                     f"{_hits(outcome)} |")
    lines += ["", "<details><summary>Per collection</summary>", "",
              "| Collection | Covered | Questions | Coverage |", "|---|---:|---:|---:|"]
    for collection in report.collections:
        tally = collection.tally
        lines.append(f"| {text_cell(collection.name)} | {tally.covered} | {tally.questions} | "
                     f"{percent(tally.coverage)} |")
    lines += ["", "</details>", *_groups(report)]
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
                     f"{_mark(row.before.covered)} | {_mark(row.after.covered)} | {change} |")
    lines += ["", "<details><summary>Per collection</summary>", "",
              "| Collection | Before | After |", "|---|---:|---:|"]
    for name, old, new in collection_pairs(comparison):
        lines.append(f"| {text_cell(name)} | {percent(old.tally.coverage) if old else '-'} | "
                     f"{percent(new.tally.coverage) if new else '-'} |")
    lines += ["", "</details>", *_groups(after)]
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


def _mark(covered: bool) -> str:
    return "✅" if covered else "❌"


def _hits(outcome: Outcome) -> str:
    if not outcome.hits:
        return "no hits"
    return ", ".join(f"{cell(code(hit.slug))} {hit.score:.1f}" for hit in outcome.hits[:BEST_HITS])
