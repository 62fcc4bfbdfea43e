"""Customers' text is bounded and inert: every report format survives hostile tickets.

The 28 hostile tickets of the reliability corpus (``bench/reliability.py``), a 1 MB
ticket and a ticket of nothing but control characters go through ``coverage
--from-tickets`` against the Help Center, the local tree and both, in every format, to
standard output and to a file: each run completes, and no output holds a raw control
or bidi-override character.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kbsync.commands import validate as validate_command
from kbsync.config import Config, Secret
from kbsync.controls import find_control
from kbsync.emulator.server import running_server
from kbsync.problems import Problem
from kbsync.remote.client import HelpCenterClient
from kbsync.remote.wire import SEARCH_QUERY_MAX
from tests.bench import load
from tests.coverage.conftest import SEARCH, CoverageKB, coverage_kb, ticket
from tests.engine.conftest import TOKEN

#: What no report may hold raw: C0 (but the line break), DEL, C1, bidi overrides and
#: isolates, lone surrogates.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
CONTROLS = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]) + \
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ud800"
TICKETS = [
    *load("reliability").hostile_tickets(),
    ticket(1, "One megabyte", "refund label " * 80_660),  # 1,048,580 characters
    ticket(2, "Controls " + CONTROLS, CONTROLS * 50, html=f"<p>{CONTROLS}</p>"),
    ticket(3, "Refund for a label", "Can I get my money back for an unused label?"),
]
FORMATS = ["text", "markdown", "json", "html"]
MODES = {"remote": {}, "local": {"local": True}, "compare": {"compare": True}}


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[CoverageKB]:
    with coverage_kb(tmp_path, TICKETS) as kb:
        yield kb


def _raw(text: str) -> list[str]:
    return sorted({repr(char) for char in RAW.findall(text)})


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_of_hostile_tickets_completes_and_is_inert(
        hostile: CoverageKB, tmp_path: Path, fmt: str, mode: str) -> None:
    out = tmp_path / f"report.{fmt}"
    written = hostile.coverage(from_tickets=True, fmt=fmt, out=out, json_out=tmp_path / "r.json",
                               **MODES[mode])
    printed = hostile.coverage(from_tickets=True, fmt=fmt, **MODES[mode])
    assert written.code == printed.code == 0, written.err
    for text in (out.read_text("utf-8"), (tmp_path / "r.json").read_text("utf-8"),
                 printed.out, printed.err, written.err):
        assert _raw(text) == []
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    report = data["after"] if mode == "compare" else data
    cut = [q for q in report["questions"] if q["cut_from"]]
    assert {q["cut_from"] for q in cut} >= {1_048_593, 70_212}, cut  # subject, 2, body
    assert all(len(q["text"]) <= SEARCH_QUERY_MAX for q in report["questions"])
    said = f"by its first {SEARCH_QUERY_MAX} of 1,048,593 characters"
    assert fmt == "json" or (said in out.read_text("utf-8") and said in printed.out)


def test_the_questions_the_search_gets_are_cut_and_say_so(hostile: CoverageKB) -> None:
    outcome = hostile.coverage(from_tickets=True)
    assert outcome.code == 0
    sent = [r["query"]["q"] for r in hostile.requests() if r["path"].endswith(SEARCH)]
    assert sent and max(len(q) for q in sent) <= SEARCH_QUERY_MAX
    assert "Questions cut for the search:" in outcome.out
    assert ("  ticket 1 ('One megabyte'): searched by its first 512 of 1,048,593 characters "
            "(the longest search kbsync sends)") in outcome.out


@contextmanager
def _over_http(kb: CoverageKB) -> Iterator[Callable[[Config], Any]]:
    with running_server(kb.app) as url:
        @contextmanager
        def connect(config: Config) -> Iterator[HelpCenterClient]:
            with httpx.Client(base_url=url) as http:
                yield HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                       requests_per_minute=0)

        yield connect


def test_a_ticket_past_the_url_limit_is_searched_over_real_http(hostile: CoverageKB) -> None:
    """The issue's case: a 70,000-character ticket stopped the run with httpx's 'URL
    component query too long'."""
    with _over_http(hostile) as connect:
        hostile.connect = connect  # type: ignore[method-assign]
        outcome = hostile.coverage(from_tickets=True, fmt="json")
    assert outcome.code == 0, outcome.err
    report = json.loads(outcome.out)
    assert report["summary"]["failed"] == 0 and report["summary"]["cut"] >= 4


def _failing_search(kb: CoverageKB, marker: str) -> None:
    """Connect ``kb`` to its emulator through a gateway that answers 500 to every search
    whose text holds ``marker`` (after the client's retries: a ServerError)."""
    app = kb.app

    def gateway(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["PATH_INFO"].endswith(SEARCH) and marker in environ["QUERY_STRING"]:
            start_response("500 Internal Server Error", [("Content-Type", "application/json")])
            return [b'{"detail": "search broke"}']
        return app(environ, start_response)

    @contextmanager
    def connect(config: Config) -> Iterator[HelpCenterClient]:
        with httpx.Client(transport=httpx.WSGITransport(app=gateway),
                          base_url="http://emulator.test") as http:
            yield HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                   requests_per_minute=0, sleep=lambda s: None)

    kb.connect = connect  # type: ignore[method-assign]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_search_that_fails_is_that_questions_error_and_the_run_completes(
        kb: CoverageKB, fmt: str) -> None:
    kb.questions("q: How do I reset my password?\n    expect: reset-your-password",
                 "q: BREAKME refund please")
    _failing_search(kb, "BREAKME")
    outcome = kb.coverage(fmt=fmt)
    assert outcome.code == 0, outcome.err
    assert "search failed for coverage.yaml:4 ('BREAKME refund please')" in outcome.err
    if fmt == "json":
        data = json.loads(outcome.out)
        assert data["summary"]["failed"] == 1 and data["summary"]["covered"] == 1
        failed = [q for q in data["questions"] if q["error"]]
        assert [q["question"] for q in failed] == ["BREAKME refund please"]
        assert "server error" in failed[0]["error"] or "500" in failed[0]["error"]
    else:
        assert "1 search failed (counted as not covered)" in outcome.out
        assert "BREAKME refund please" in outcome.out
        assert "earches that failed" in outcome.out


def test_a_failed_search_counts_against_min_coverage(kb: CoverageKB) -> None:
    kb.questions("q: How do I reset my password?\n    expect: reset-your-password",
                 "q: BREAKME refund please")
    _failing_search(kb, "BREAKME")
    assert kb.coverage(min_coverage=0.5).code == 0
    outcome = kb.coverage(min_coverage=0.6)
    assert outcome.code == 1 and "coverage 50% is below --min-coverage 60%" in outcome.err


def test_searches_failing_again_and_again_stop_the_run(kb: CoverageKB) -> None:
    kb.questions(*(f"q: BREAKME {word}" for word in
                   ("apple", "berry", "cherry", "damson", "elder", "fig", "grape", "hazel")))
    _failing_search(kb, "BREAKME")
    outcome = kb.coverage()
    assert outcome.code == 1
    assert "5 searches in a row failed, so the search itself seems down; stopped" in outcome.err


def test_stubs_suggested_from_hostile_tickets_hold_nothing_validate_refuses(
        hostile: CoverageKB) -> None:
    outcome = hostile.coverage(from_tickets=True, local=True, suggest=hostile.root)
    assert outcome.code == 0, outcome.err
    stubs = {p.relative_to(hostile.root).as_posix(): p.read_text("utf-8")
             for p in hostile.root.rglob("*.md")
             if "Questions this article must answer" in p.read_text("utf-8")}
    assert len(stubs) == 5
    assert [_raw(text) for text in stubs.values()] == [[]] * 5
    titles = [yaml.safe_load(text.split("---\n")[1])["title"] for text in stubs.values()]
    assert [find_control(title) for title in titles] == [None] * 5  # nor as YAML escapes
    problems: list[Problem] = []
    validate_command.run(hostile.config(), strict=False, emit=problems.append)
    assert [str(p) for p in problems if p.path in stubs and p.is_error] == []
