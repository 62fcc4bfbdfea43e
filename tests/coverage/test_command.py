"""`kbsync coverage` end to end against the emulator: questions, requests, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kbsync.commands import coverage as coverage_command
from kbsync.commands import validate as validate_command
from kbsync.config import load_config
from kbsync.console import Console
from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.problems import Problem
from tests.coverage.conftest import NOW, CoverageKB
from tests.engine.conftest import TOKEN

FILE_QUESTIONS = (
    "q: How do I reset my password?\n    expect: reset-your-password",
    "q: Can I get my money back for a label?\n    expect: [refunds, track-a-parcel]",
    "q: How do I book a pickup for my parcels?\n    expect: schedule-a-pickup",
    "q: Do you support cash on delivery?",
)


def _report(outcome_out: str) -> dict:  # type: ignore[type-arg]
    return json.loads(outcome_out)  # type: ignore[no-any-return]


def test_file_questions_one_search_each_and_expectations_decide(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    outcome = kb.coverage(fmt="json")
    assert outcome.code == 0, outcome.err
    report = _report(outcome.out)
    covered = {q["question"]: q["covered"] for q in report["questions"]}
    assert covered == {"How do I reset my password?": True,
                       "Can I get my money back for a label?": True,
                       "How do I book a pickup for my parcels?": False,  # a draft
                       "Do you support cash on delivery?": False}
    assert kb.searches() == 4 == report["searches"]
    assert report["summary"]["coverage"] == 0.5


def test_a_draft_never_counts_even_when_it_is_the_best_match(kb: CoverageKB) -> None:
    kb.questions("q: Schedule a carrier pickup\n    expect: schedule-a-pickup")
    for local in (False, True):
        report = _report(kb.coverage(fmt="json", local=local).out)
        question = report["questions"][0]
        assert question["covered"] is False
        assert "schedule-a-pickup" not in [h["slug"] for h in question["hits"]]
        assert question["expected_rank"] is None


def test_tickets_spam_left_out_near_duplicates_folded_one_search_each(kb: CoverageKB) -> None:
    outcome = kb.coverage(from_tickets=True, use_file=False, fmt="json")
    assert outcome.code == 0, outcome.err
    report = _report(outcome.out)
    titles = {q["question"]: q["count"] for q in report["questions"]}
    assert "WIN A PRIZE" not in titles
    assert titles["Forgot my password"] == 2  # tickets 1 and 2 fold
    assert report["summary"]["asked"] == 5 and report["summary"]["questions"] == 4
    assert kb.searches() == 4
    refund = next(q for q in report["questions"] if q["question"] == "Refund for a label")
    assert "money back for the unused label" in refund["text"]  # the HTML-only body
    assert "6 tickets" not in outcome.err and "Read 5 tickets" in outcome.err


def test_since_and_limit_narrow_the_tickets(kb: CoverageKB) -> None:
    recent = _report(kb.coverage(from_tickets=True, use_file=False, since="30d",
                                 fmt="json").out)
    assert "Cash on delivery possible?" not in [q["question"] for q in recent["questions"]]
    newest = _report(kb.coverage(from_tickets=True, use_file=False, limit=2,
                                 fmt="json").out)
    assert newest["summary"]["asked"] == 2


def test_file_and_ticket_questions_fold_together_keeping_the_expectation(
        kb: CoverageKB) -> None:
    kb.questions("q: I forgot my password and cannot sign in. How do I reset it?\n"
                 "    expect: reset-your-password")
    report = _report(kb.coverage(from_tickets=True, fmt="json").out)
    question = report["questions"][0]
    assert question["expect"] == ["reset-your-password"] and question["rule"] == "expect"
    # the tickets' subjects repeat words of their text, and repeats are ignored
    assert question["count"] == 3
    assert question["sources"] == ["coverage.yaml:2", "ticket 1", "ticket 2"]


def test_local_sends_no_request_at_all(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    outcome = kb.coverage(local=True)
    assert outcome.code == 0, outcome.err
    assert kb.requests() == []
    assert "against the local tree (as after apply)" in outcome.out


def test_local_sees_an_edit_before_it_is_applied(kb: CoverageKB) -> None:
    kb.questions("q: Do you support cash on delivery?")
    kb.article("billing/cash-on-delivery.md", "Cash on delivery",
               "Cash on delivery: your customers pay the carrier on delivery.")
    remote = _report(kb.coverage(fmt="json").out)["questions"][0]
    local = _report(kb.coverage(fmt="json", local=True).out)["questions"][0]
    assert (remote["covered"], local["covered"]) == (False, True)
    assert local["answer"]["slug"] == "cash-on-delivery"
    assert local["answer"]["link"].endswith("billing/cash-on-delivery.md")


def test_compare_shows_remote_to_local_per_question_and_in_total(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    kb.article("billing/cash-on-delivery.md", "Cash on delivery",
               "Cash on delivery: your customers pay the carrier on delivery.")
    text = kb.coverage(compare=True)
    assert text.code == 0, text.err
    assert "coverage 50% → 75%, +1 question" in text.out
    assert kb.searches() == 4  # the remote side only; the local side sends nothing
    data = _report(kb.coverage(compare=True, fmt="json").out)
    assert data["kind"] == "coverage-comparison"
    assert data["delta"] == {"questions": 1, "gained": 1, "lost": 0, "coverage": 0.25}
    assert data["changes"] == [{"question": "Do you support cash on delivery?", "count": 1,
                                "before": False, "after": True, "delta": 1}]


def test_min_coverage_exit_codes(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    assert kb.coverage(min_coverage=0.5).code == 0
    below = kb.coverage(min_coverage=0.8)
    assert below.code == 1
    assert "coverage 50% is below --min-coverage 80%" in below.err


def test_usage_errors_exit_64_before_any_request(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    assert kb.coverage(since="30d").code == 64
    assert kb.coverage(from_tickets=True, since="yesterday").code == 64
    assert kb.coverage(use_file=False).code == 64
    assert kb.requests() == []


def test_the_usage_errors_and_the_empty_result_say_what_was_given(
        kb: CoverageKB, capsys: pytest.CaptureFixture[str]) -> None:
    kb.coverage(since="30d")
    kb.coverage(since="30d", use_file=False)
    assert capsys.readouterr().err.splitlines() == [
        "Usage error: --since only goes with --from-tickets",
        "Usage error: --since and --no-file only go with --from-tickets"]
    assert "no tickets were found (try a longer --since)" in kb.coverage(
        from_tickets=True, use_file=False, since="1h").err


def test_no_tickets_without_since_does_not_advise_a_longer_one(tmp_path: Path) -> None:
    app = create_app(EmulatorConfig(token=TOKEN))
    outcome = CoverageKB(tmp_path, app).coverage(from_tickets=True, use_file=False)
    assert "no tickets were found" in outcome.err and "--since" not in outcome.err


def test_no_questions_is_an_error_that_says_what_to_do(kb: CoverageKB) -> None:
    outcome = kb.coverage()
    assert outcome.code == 1
    assert "no questions to check" in outcome.err and "--from-tickets" in outcome.err


def test_a_bad_coverage_file_is_reported_with_lines_and_nothing_is_sent(
        kb: CoverageKB) -> None:
    kb.write("coverage.yaml", "questions:\n  - q: Hi\n    expct: refunds\n")
    outcome = kb.coverage()
    assert outcome.code == 1
    assert "coverage.yaml:3: expct: unknown key (did you mean 'expect'?)" in outcome.err
    assert kb.requests() == []


def test_an_expected_slug_that_does_not_exist_is_a_warning_said_once(kb: CoverageKB) -> None:
    kb.questions("q: Refund?\n    expect: refund")
    outcome = kb.coverage(local=True)
    assert outcome.err.splitlines().count(
        "coverage.yaml:3: expect: warning: expects 'refund', but no article has that slug "
        "(did you mean 'refunds'?)") == 1


def test_html_report_goes_to_a_file_and_links_local_hits_to_their_files(
        kb: CoverageKB, tmp_path: Path) -> None:
    kb.questions(*FILE_QUESTIONS)
    out = tmp_path / "reports" / "coverage.html"
    outcome = kb.coverage(local=True, fmt="html", out=out)
    assert outcome.code == 0 and outcome.out == ""
    assert f"Wrote the html report to {out}" in outcome.err
    page = out.read_text(encoding="utf-8")
    assert 'href="../kb/account/reset-your-password.md"' in page


def test_suggest_writes_draft_stubs_that_validate_accepts(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    outcome = kb.coverage(from_tickets=True, local=True, suggest=kb.root)
    assert outcome.code == 0, outcome.err
    stubs = sorted(p.relative_to(kb.root).as_posix() for p in kb.root.rglob("*.md")
                   if "Questions this article must answer" in p.read_text())
    assert stubs, outcome.err
    text = (kb.root / stubs[0]).read_text()
    assert "status: draft" in text and "slug: " in text and "excerpt: " in text
    problems: list[Problem] = []
    validate_command.run(kb.config(), strict=True, emit=problems.append)
    assert [p for p in problems if p.path in stubs] == []  # (coverage.yaml expects a draft)
    again = kb.coverage(from_tickets=True, local=True, suggest=kb.root)
    assert "already there; not overwritten" in again.err
    assert sorted(p.relative_to(kb.root).as_posix() for p in kb.root.rglob("*.md")
                  if "Questions this article must answer" in p.read_text()) == stubs


def test_a_stub_lands_in_the_collection_its_best_hits_came_from(kb: CoverageKB,
                                                               tmp_path: Path) -> None:
    kb.questions("q: Can I get my money back for an unused label?\n    min_score: 1000")
    target = tmp_path / "suggestions"
    assert kb.coverage(local=True, suggest=target).code == 0
    written = [p.relative_to(target).as_posix() for p in target.rglob("*.md")]
    assert len(written) == 1 and written[0].startswith("billing/"), written


def test_a_broken_tree_stops_local_checks_before_any_request(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    kb.write("billing/broken.md", "---\ntitle: Broken\n---\n\nSee [gone](nope.md).\n")
    outcome = kb.coverage(compare=True)
    assert outcome.code == 1
    assert "billing/broken.md:5: broken link: nope.md: no such file" in outcome.err
    assert kb.requests() == []


def test_the_token_never_shows_in_any_report(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    for fmt in ("text", "markdown", "json", "html"):
        outcome = kb.coverage(fmt=fmt, from_tickets=True, compare=True)
        assert outcome.code == 0
        assert TOKEN not in outcome.out + outcome.err


def test_over_real_http_through_the_default_client(kb: CoverageKB) -> None:
    kb.questions(*FILE_QUESTIONS)
    out, err = io.StringIO(), io.StringIO()
    with running_server(kb.app) as url:
        config = load_config(kb.root, environ={"INITDESK_TOKEN": TOKEN, "INITDESK_BASE_URL": url,
                                               "INITDESK_ORG_ID": "1", "INITDESK_RPM": "0"})
        code = coverage_command.run(config, Console(color=False, stdout=out, stderr=err),
                                    coverage_command.Options(from_tickets=True, fmt="json"),
                                    now=lambda: NOW)
    assert code == 0, err.getvalue()
    report = _report(out.getvalue())
    assert report["summary"]["questions"] == 8 and kb.searches() == 8
    scored = {q["question"]: q["covered"] for q in report["questions"] if q["rule"] == "score"}
    assert scored["Forgot my password"] is True  # a ticket, decided by score
    assert scored["Do you support cash on delivery?"] is False


def test_json_beside_another_format_is_the_same_run_with_no_second_search(
        kb: CoverageKB, tmp_path: Path) -> None:
    kb.questions("q: How do I get a refund?\n    expect: refunds")
    report = tmp_path / "out" / "coverage.json"
    outcome = kb.coverage(fmt="markdown", json_out=report)
    assert outcome.code == 0, outcome.err
    assert outcome.out.startswith("### kbsync coverage 100% (1 of 1 question)")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["kind"] == "coverage" and data["summary"]["coverage"] == 1.0
    assert kb.searches() == 1
    assert f"Wrote the JSON report to {report}." in outcome.err


def test_suggest_says_to_publish_the_draft_that_answers_a_topic(kb: CoverageKB) -> None:
    kb.questions("q: How do I book a pickup for my parcels?\n    expect: schedule-a-pickup")
    outcome = kb.coverage(local=True, fmt="json", suggest=kb.root)
    assert outcome.code == 0, outcome.err
    group = _report(outcome.out)["uncovered_groups"][0]
    assert group["draft"]["slug"] == "schedule-a-pickup"
    assert "! publish" in outcome.err and "schedule-a-pickup" in outcome.err
    assert not [p for p in kb.root.rglob("*.md")
                if "Questions this article must answer" in p.read_text()]


def test_against_the_help_center_drafts_are_one_more_search_per_uncovered_question(
        kb: CoverageKB, tmp_path: Path) -> None:
    kb.questions("q: How do I reset my password?\n    expect: reset-your-password",
                 "q: How do I book a pickup for my parcels?\n    expect: schedule-a-pickup")
    outcome = kb.coverage(fmt="json", suggest=tmp_path / "stubs")
    assert outcome.code == 0, outcome.err
    report = _report(outcome.out)
    assert kb.searches() == 3 == report["searches"]  # two questions, one uncovered
    assert report["uncovered_groups"][0]["draft"]["slug"] == "schedule-a-pickup"
    assert not (tmp_path / "stubs").exists() or not list((tmp_path / "stubs").rglob("*.md"))
    assert kb.coverage(fmt="json").code == 0 and kb.searches() == 3 + 2  # no --suggest
