"""The coverage report as versioned JSON, for CI and dashboards.

Pure. ``format_version`` is bumped on any incompatible change; fields are only added
otherwise. ``kind`` is ``coverage`` for one report and ``coverage-comparison`` for
``--compare`` (then ``before`` is the Help Center and ``after`` the local tree).
"""

from __future__ import annotations

import json
from typing import Any

from kbsync.coverage.report import (
    REPORT_FORMAT_VERSION,
    CollectionTally,
    Comparison,
    Report,
    Tally,
)
from kbsync.coverage.scoring import Hit, Outcome
from kbsync.remote.wire import SEARCH_QUERY_MAX as QUESTION_MAX


def render_json(report: Report) -> str:
    return _dump({"format_version": REPORT_FORMAT_VERSION, "kind": "coverage",
                  **report_data(report)})


def render_comparison_json(comparison: Comparison) -> str:
    return _dump({
        "format_version": REPORT_FORMAT_VERSION,
        "kind": "coverage-comparison",
        "before": report_data(comparison.before),
        "after": report_data(comparison.after),
        "delta": {"questions": comparison.delta, "gained": comparison.gained,
                  "lost": comparison.lost,
                  "coverage": round(comparison.after.total.coverage
                                    - comparison.before.total.coverage, 4)},
        "changes": [{"question": row.after.question.title, "count": row.after.question.count,
                     "before": row.before.covered, "after": row.after.covered,
                     "delta": row.delta}
                    for row in comparison.rows if row.delta],
    })


def report_data(report: Report) -> dict[str, Any]:
    return {
        "where": report.where,
        "target": report.target,
        "sources": list(report.sources),
        "settings": {"top_k": report.settings.top_k, "min_score": report.settings.min_score,
                     "fetched": report.fetched, "question_max_chars": QUESTION_MAX},
        "searches": report.searches,
        "summary": {**_tally(report.total), "failed": len(report.failed),
                    "cut": len(report.cut)},
        "collections": [_collection(c) for c in report.collections],
        "questions": [_outcome(o) for o in report.outcomes],
        "uncovered_groups": [
            {"words": list(g.words), "count": g.count,
             "questions": [o.question.title for o in g.outcomes],
             "draft": None if g.draft is None else {
                 "slug": g.draft.slug, "title": g.draft.title, "link": g.draft.link}}
            for g in report.groups],
    }


def _tally(tally: Tally) -> dict[str, Any]:
    return {"questions": tally.questions, "covered": tally.covered,
            "coverage": round(tally.coverage, 4), "asked": tally.asked,
            "asked_covered": tally.asked_covered,
            "asked_coverage": round(tally.asked_coverage, 4)}


def _collection(collection: CollectionTally) -> dict[str, Any]:
    return {"slug": collection.slug, "name": collection.name, **_tally(collection.tally)}


def _outcome(outcome: Outcome) -> dict[str, Any]:
    question = outcome.question
    return {
        "question": question.title,
        "text": question.text,
        "count": question.count,
        "sources": list(question.sources),
        "expect": list(question.expect),
        "rule": outcome.rule,
        "top_k": outcome.top_k,
        "min_score": outcome.min_score,
        "covered": outcome.covered,
        "expected_rank": outcome.expected_rank,
        "answer": _hit(outcome.answer) if outcome.answer else None,
        "collection": outcome.collection[0] if outcome.collection else None,
        "hits": [_hit(hit) for hit in outcome.hits],
        "error": outcome.error,  # the search failed: counted as not covered
        "cut_from": question.cut_from,  # searched by its first question_max_chars only
    }


def _hit(hit: Hit) -> dict[str, Any]:
    return {"slug": hit.slug, "title": hit.title, "score": round(hit.score, 4),
            "collection": hit.collection, "link": hit.link}


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
