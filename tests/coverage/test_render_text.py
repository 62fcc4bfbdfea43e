"""The terminal table and the Markdown report."""

from __future__ import annotations

from kbsync.coverage.render_markdown import render_comparison_markdown, render_markdown
from kbsync.coverage.render_text import render_comparison_text, render_text
from kbsync.coverage.report import compare
from tests.coverage.helpers import sample_report


def test_one_line_per_question_with_count_hits_covered_and_rank() -> None:
    lines = render_text(sample_report()).splitlines()
    assert lines[0] == ("Coverage of 6 questions (coverage.yaml: 2; tickets: 4) against the "
                        "Help Center; top 3, min score 5")
    row = next(line for line in lines if "Where are my invoices?" in line)
    assert row.split()[:3] == ["yes", "2", "1"]
    assert row.endswith("plans 6.0 · invoices 3.0")
    cash = next(line for line in lines if "Cash on delivery for Poland?" in line)
    assert cash.split()[:3] == ["no", "-", "2"] and cash.endswith("(no hits)")
    assert "  cash, delivery (5 asked): Do you support cash on delivery?; Cash on delivery " \
           "for Poland?" in lines
    assert lines[-1] == "coverage 50% (3 of 6 questions); 50% of 12 asked"


def test_the_comparison_marks_changed_questions() -> None:
    text = render_comparison_text(compare(sample_report("remote"), sample_report("local")))
    assert text.splitlines()[-1] == "coverage 50% → 50%, no change"
    assert "Per collection (remote → local):" in text


def test_markdown_cells_cannot_break_the_table() -> None:
    markdown = render_markdown(sample_report())
    assert markdown.startswith("### kbsync coverage 50% (3 of 6 questions)")
    assert "| Android app \\<for\\> scanning \\| parcels | 1 | ❌ | - |" in markdown
    comparison = render_comparison_markdown(compare(sample_report(), sample_report("local")))
    assert comparison.startswith("### kbsync coverage 50% → 50%, no change")
