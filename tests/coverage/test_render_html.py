"""The HTML report: one self-contained file with the chart and every question."""

from __future__ import annotations

from html.parser import HTMLParser

from kbsync.coverage.render_html import render_comparison_html, render_html
from kbsync.coverage.report import compare
from tests.coverage.helpers import sample_outcomes, sample_report


class Page(HTMLParser):
    """Everything the tests look at: tags with attributes, text per table row."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.rows: list[str] = []
        self.text: list[str] = []
        self._row: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "tr":
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.append(" ".join(self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._row is not None and data.strip():
            self._row.append(data.strip())

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v
                                                            for k, v in attrs.items())]


def test_the_chart_has_a_bar_per_collection_sized_by_coverage() -> None:
    page = Page(render_html(sample_report()))
    groups = page.all("g", **{"class": "bar"})
    assert [g["data-collection"] for g in groups] == ["billing", "shipping", ""]
    bars = page.all("rect", **{"class": "coverage"})
    assert [b["width"] for b in bars] == ["253.3", "190.0", "0.0"]  # of 380


def test_every_question_is_there_and_covered_ones_link_to_their_article() -> None:
    report = sample_report()
    page = Page(render_html(report))
    question_rows = [row for row in page.rows if not row.startswith("Question")]
    for outcome in report.outcomes:
        assert any(row.startswith(outcome.question.title) for row in question_rows), \
            outcome.question.title
    links = [a["href"] for a in page.all("a")]
    assert "https://help.example.com/billing/refunds-1" in links
    covered = page.all("tr", **{"data-covered": "yes"})
    assert len(covered) == 3


def test_uncovered_groups_with_their_counts() -> None:
    text = "".join(Page(render_html(sample_report())).text)
    assert "cash, delivery (5 asked)" in text
    assert "Do you support cash on delivery? (asked 3)" in text


def test_self_contained_and_escaped() -> None:
    html = render_html(sample_report())
    page = Page(html)
    assert not page.all("script") and not page.all("link") and not page.all("img")
    assert all(not a.get("src") for _, a in page.tags)
    assert "Android app &lt;for&gt; scanning | parcels" in html


def test_a_javascript_link_is_never_a_link() -> None:
    outcomes = sample_outcomes()
    hits = tuple(h.__class__(h.slug, h.title, h.score, h.collection, h.collection_name,
                             "javascript:alert(1)") for h in outcomes[0].hits)
    outcomes[0] = outcomes[0].__class__(outcomes[0].question, hits, True, "expect", 3, 5.0,
                                        1, hits[0])
    assert "javascript:" not in render_html(sample_report(outcomes=outcomes))


def test_the_comparison_page_has_before_and_after_bars() -> None:
    page = Page(render_comparison_html(compare(sample_report("remote"),
                                               sample_report("local"))))
    assert len(page.all("rect", **{"class": "before"})) == 3
    assert len(page.all("rect", **{"class": "after"})) == 3
    assert len(page.all("tr", **{"data-delta": "0"})) == 6
