"""The coverage report as one self-contained HTML file. Pure.

No script, font, stylesheet or image is fetched: the style is inline and the chart is
inline SVG, so the file opens anywhere, offline, and can be kept as a CI artifact.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

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
from kbsync.coverage.scoring import Hit, Outcome

BEST_HITS = 3
_ROW = 26
_LABEL = 270
_BAR = 380
_FAILED = '<span class="no">search failed</span>'

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.8em; }
.meta { color: #57606a; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #d0d7de;
         vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; }
.yes { color: #1a7f37; font-weight: 600; } .no { color: #cf222e; font-weight: 600; }
.hits { color: #57606a; font-size: .92em; }
.group { margin: .8em 0; } .group .words { font-weight: 600; }
svg text { font: 13px system-ui, sans-serif; fill: #1f2328; }
"""


def render_html(report: Report) -> str:
    body = [
        f"<h1>{_e(summary_line(report).capitalize())}</h1>",
        f'<p class="meta">Questions from {_e("; ".join(report.sources))}, searched in '
        f"{_e(report.target)} (top {report.settings.top_k}, min score "
        f"{report.settings.min_score:g}); {report.searches} searches.</p>",
        "<h2>Coverage per collection</h2>",
        _chart([(c.name, c.slug, None, c) for c in report.collections]),
        *_groups(report),
        *_notes(report),
        "<h2>Questions</h2>",
        _question_table(report),
    ]
    return _page(summary_line(report), body)


def render_comparison_html(comparison: Comparison) -> str:
    before, after = comparison.before, comparison.after
    line = comparison_line(comparison)
    rows = []
    for row in comparison.rows:
        change = {1: "+1", -1: "-1"}.get(row.delta, "")
        rows.append(
            f'<tr data-delta="{row.delta}"><td>{_question(row.after)}</td>'
            f'<td class="num">{row.after.question.count}</td>'
            f"<td>{_covered(row.before, before.fetched)}</td>"
            f"<td>{_covered(row.after, after.fetched)}</td><td>{change}</td></tr>")
    body = [
        f"<h1>{_e(line.capitalize())}</h1>",
        f'<p class="meta">Before: {_e(before.target)}. After: {_e(after.target)} '
        f"(top {after.settings.top_k}, min score {after.settings.min_score:g}).</p>",
        "<h2>Coverage per collection</h2>",
        _chart([(name, _slug(old, new), old, new)
                for name, old, new in collection_pairs(comparison)]),
        *_groups(after),
        *_notes(before, "Before: "),
        *_notes(after, "After: ", cut=False),
        "<h2>Questions</h2>",
        '<table class="questions"><thead><tr><th>Question</th><th>Asked</th>'
        "<th>Before</th><th>After</th><th>Change</th></tr></thead><tbody>",
        *rows, "</tbody></table>",
    ]
    return _page(line, body)


# --- parts ---------------------------------------------------------------------------------


def _page(title: str, body: Sequence[str]) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>kbsync {_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _chart(bars: Sequence[tuple[str, str | None, CollectionTally | None,
                                CollectionTally | None]]) -> str:
    """One horizontal bar per collection (two when comparing: before grey, after green)."""
    if not bars:
        return "<p>No questions.</p>"
    compare = any(before is not None for _, _, before, _ in bars)
    per_row = _ROW * (2 if compare else 1) + 8
    height = per_row * len(bars) + 4
    parts = [f'<svg id="coverage-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'width="{_LABEL + _BAR + 210}" height="{height}" '
             f'aria-label="Coverage per collection">']
    for index, (name, slug, before, after) in enumerate(bars):
        top = index * per_row
        parts.append(f'<g class="bar" data-collection="{_e(slug or "")}">'
                     f'<text x="0" y="{top + 17}">{_e(_clip(name))}</text>')
        shown = [(before, "#8c959f", "before"), (after, "#2da44e", "after")] if compare \
            else [(after, "#2da44e", "coverage")]
        for offset, (tally, colour, label) in enumerate(shown):
            y = top + offset * _ROW
            parts.append(f'<rect x="{_LABEL}" y="{y + 4}" width="{_BAR}" height="{_ROW - 8}" '
                         'fill="#eaeef2"/>')
            if tally is None:
                parts.append(f'<text x="{_LABEL + 6}" y="{y + 17}">{label}: -</text>')
                continue
            share = tally.tally.coverage
            parts.append(f'<rect class="{label}" x="{_LABEL}" y="{y + 4}" '
                         f'width="{share * _BAR:.1f}" height="{_ROW - 8}" fill="{colour}">'
                         f"<title>{_e(name)}: {percent(share)}</title></rect>")
            caption = (f"{label} " if compare else "") + (
                f"{percent(share)} ({tally.tally.covered} of {tally.tally.questions})")
            parts.append(f'<text x="{_LABEL + _BAR + 8}" y="{y + 17}">{_e(caption)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def _groups(report: Report) -> list[str]:
    if not report.groups:
        return ["<h2>Topics with no article</h2>", "<p>None: every question is covered.</p>"]
    out = ["<h2>Topics with no article</h2>",
           '<p class="meta">Uncovered questions grouped by the words they share, the most '
           "asked first.</p>"]
    for group in report.groups:
        items = "".join(f'<li>{_e(o.question.title)} <span class="meta">'
                        f"(asked {o.question.count})</span></li>" for o in group.outcomes)
        draft = (f' <span class="meta">the draft {_e(repr(group.draft.title))} would answer '
                 "them: publish it</span>" if group.draft is not None else "")
        out.append(f'<div class="group"><span class="words">'
                   f"{_e(', '.join(group.words) or 'no topic words')}</span> "
                   f'<span class="meta">({group.count} asked)</span>{draft}<ul>{items}</ul>'
                   "</div>")
    return out


def _notes(report: Report, side: str = "", *, cut: bool = True) -> list[str]:
    """The searches that failed and the questions cut for the search."""
    out = []
    if report.failed:
        out.append(f"<h2>{_e(side)}Searches that failed</h2>")
        out.append('<p class="meta">Counted as not covered.</p><ul class="failed">' + "".join(
            f"<li>{_source(o)}: {_e(o.error or '')}</li>" for o in report.failed) + "</ul>")
    if cut and report.cut:
        out.append("<h2>Questions cut for the search</h2>")
        out.append('<ul class="cut">' + "".join(
            f"<li>{_source(o)}: {_e(cut_note(o))}</li>" for o in report.cut) + "</ul>")
    return out


def _source(outcome: Outcome) -> str:
    question = outcome.question
    where = question.sources[0] if question.sources else "question"
    return f'{_e(where)} <span class="meta">({_e(question.title)})</span>'


def _question_table(report: Report) -> str:
    rows = []
    for outcome in report.outcomes:
        state = "error" if outcome.error else "yes" if outcome.covered else "no"
        rows.append(
            f'<tr data-covered="{state}">'
            f"<td>{_question(outcome)}</td>"
            f'<td class="num">{outcome.question.count}</td>'
            f"<td>{_FAILED if outcome.error else _yes_no(outcome.covered)}</td>"
            f'<td class="num">{_e(rank_label(outcome, report.fetched))}</td>'
            f'<td class="hits">{_hits(outcome.hits)}</td></tr>')
    return ('<table class="questions"><thead><tr><th>Question</th><th>Asked</th>'
            "<th>Covered</th><th>Rank</th><th>Best hits (score)</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _question(outcome: Outcome) -> str:
    """The question, linked to the article that answers it when it is covered."""
    title = _e(outcome.question.title)
    answer = outcome.answer
    if answer is not None and _safe(answer.link):
        return f'<a href="{_e(answer.link or "")}">{title}</a>'
    return title


def _yes_no(covered: bool) -> str:
    return '<span class="yes">yes</span>' if covered else '<span class="no">no</span>'


def _covered(outcome: Outcome, fetched: int) -> str:
    if outcome.error:
        return _FAILED
    if not outcome.covered:
        return _yes_no(False)
    rank = rank_label(outcome, fetched)
    return '<span class="yes">yes</span>' + (f" ({_e(rank)})" if rank != "-" else "")


def _hits(hits: Sequence[Hit]) -> str:
    if not hits:
        return "no hits"
    parts = []
    for hit in hits[:BEST_HITS]:
        name = _e(hit.title)
        linked = f'<a href="{_e(hit.link or "")}">{name}</a>' if _safe(hit.link) else name
        parts.append(f"{linked} {hit.score:.1f}")
    return "<br>".join(parts)


def _safe(link: str | None) -> bool:
    """http(s) URLs and relative paths only: never javascript: or data: links."""
    if not link:
        return False
    scheme = link.split(":", 1)[0].lower() if ":" in link.split("/", 1)[0] else ""
    return scheme in ("", "http", "https")


def _slug(old: CollectionTally | None, new: CollectionTally | None) -> str | None:
    either = new or old
    return either.slug if either else None


def _clip(name: str, width: int = 36) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
