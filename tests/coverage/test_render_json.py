"""The JSON report's schema, pinned by strict models that forbid unknown fields."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict

from kbsync.coverage.render_json import render_comparison_json, render_json
from kbsync.coverage.report import compare
from tests.coverage.helpers import sample_report


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class HitJson(Strict):
    slug: str
    title: str
    score: float
    collection: str | None
    link: str | None


class QuestionJson(Strict):
    question: str
    text: str
    count: int
    sources: list[str]
    expect: list[str]
    rule: Literal["expect", "score"]
    top_k: int
    min_score: float
    covered: bool
    expected_rank: int | None
    answer: HitJson | None
    collection: str | None
    hits: list[HitJson]
    error: str | None  # the search failed: counted as not covered
    cut_from: int | None  # the question's length when it was cut for the search


class TallyJson(Strict):
    questions: int
    covered: int
    coverage: float
    asked: int
    asked_covered: int
    asked_coverage: float


class SummaryJson(TallyJson):
    failed: int
    cut: int


class CollectionJson(TallyJson):
    slug: str | None
    name: str


class SettingsJson(Strict):
    top_k: int
    min_score: float
    fetched: int
    question_max_chars: int


class DraftJson(Strict):
    slug: str
    title: str
    link: str | None


class GroupJson(Strict):
    words: list[str]
    count: int
    questions: list[str]
    draft: DraftJson | None  # a draft that would answer the group once published


class ReportData(Strict):
    where: Literal["remote", "local"]
    target: str
    sources: list[str]
    settings: SettingsJson
    searches: int
    summary: SummaryJson
    collections: list[CollectionJson]
    questions: list[QuestionJson]
    uncovered_groups: list[GroupJson]


class ReportJson(ReportData):
    format_version: Literal[1]
    kind: Literal["coverage"]


class DeltaJson(Strict):
    questions: int
    gained: int
    lost: int
    coverage: float


class ChangeJson(Strict):
    question: str
    count: int
    before: bool
    after: bool
    delta: Literal[-1, 1]


class ComparisonJson(Strict):
    format_version: Literal[1]
    kind: Literal["coverage-comparison"]
    before: ReportData
    after: ReportData
    delta: DeltaJson
    changes: list[ChangeJson]


def test_the_report_matches_its_schema() -> None:
    data = json.loads(render_json(sample_report()))
    report = ReportJson.model_validate(data)
    assert report.summary.coverage == 0.5 and len(report.questions) == 6
    first = report.questions[0]
    assert first.answer is not None and first.answer.slug == "refunds"
    assert first.expected_rank == 1 and first.rule == "expect"
    assert report.uncovered_groups[0].words == ["cash", "delivery"]


def test_the_comparison_matches_its_schema() -> None:
    data = json.loads(render_comparison_json(compare(sample_report("remote"),
                                                     sample_report("local"))))
    comparison = ComparisonJson.model_validate(data)
    assert comparison.delta.questions == 0 and comparison.changes == []
