"""Tallies, per-collection figures and the remote -> local comparison."""

from __future__ import annotations

from dataclasses import replace

from kbsync.coverage.report import compare, comparison_line, percent, summary_line
from tests.coverage.helpers import hit, outcome, sample_outcomes, sample_report


def test_totals_count_distinct_questions_and_questions_asked() -> None:
    report = sample_report()
    assert (report.total.questions, report.total.covered) == (6, 3)
    assert (report.total.asked, report.total.asked_covered) == (12, 6)
    assert summary_line(report) == "coverage 50% (3 of 6 questions); 50% of 12 asked"


def test_per_collection_by_the_answering_or_best_hit() -> None:
    report = sample_report()
    figures = [(c.slug, c.name, c.tally.covered, c.tally.questions) for c in report.collections]
    assert figures == [("billing", "Billing", 2, 3), ("shipping", "Shipping", 1, 2),
                       (None, "(no article found)", 0, 1)]


def test_compare_pairs_questions_and_counts_the_delta() -> None:
    before = sample_report("remote")
    improved = sample_outcomes()
    improved[3] = outcome("Do you support cash on delivery?",
                          [hit("cash-on-delivery", 8.0, "shipping", "Shipping")], count=3)
    improved[4] = outcome("Cash on delivery for Poland?",
                          [hit("cash-on-delivery", 6.0, "shipping", "Shipping")], count=2)
    improved[0] = outcome("How do I get a refund?", [hit("plans", 9.0)], expect=("refunds",))
    after = sample_report("local", improved)
    comparison = compare(before, after)
    assert [row.delta for row in comparison.rows] == [-1, 0, 0, 1, 1, 0]
    assert (comparison.delta, comparison.gained, comparison.lost) == (1, 2, 1)
    assert comparison_line(comparison) == (
        "coverage 50% → 67%, +1 question (2 newly covered, 1 no longer)")
    same = compare(before, replace(before, where="local"))
    assert comparison_line(same) == "coverage 50% → 50%, no change"


def test_percent_never_rounds_to_a_lie() -> None:
    assert [percent(x) for x in (0, 0.004, 0.5, 0.996, 1)] == ["0%", "<1%", "50%", ">99%",
                                                                "100%"]
