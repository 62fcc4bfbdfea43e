"""The coverage command on the command line: help text, usage errors, progress lines."""

from __future__ import annotations

import io

import pytest

from kbsync.cli import run
from kbsync.console import Console
from tests.coverage.conftest import CoverageKB


def test_help_states_the_folding_rule_and_the_options(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    assert run(["coverage", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Folding: two questions are folded into one (with a count) when their " \
           "normalised texts are equal" in text
    for option in ("--local", "--compare", "--from-tickets", "--since", "--limit",
                   "--top-k", "--min-score", "--format", "--out", "--min-coverage",
                   "--suggest"):
        assert option in text


@pytest.mark.parametrize("args", [["--top-k", "0"], ["--min-coverage", "80"],
                                  ["--format", "pdf"], ["--limit", "0"]])
def test_bad_options_are_usage_errors(kb: CoverageKB, args: list[str]) -> None:
    assert run(["-C", str(kb.root), "coverage", *args]) == 64
    assert kb.requests() == []


def test_progress_is_plain_lines_off_a_terminal_and_silent_when_quiet() -> None:
    err = io.StringIO()
    console = Console(color=False, stdout=io.StringIO(), stderr=err)
    with console.counting("Searching", 120) as step:
        for _ in range(120):
            step()
    lines = err.getvalue().splitlines()
    assert lines[0] == "Searching: 12/120" and lines[-1] == "Searching: 120/120"
    assert len(lines) == 10
    quiet_err = io.StringIO()
    quiet = Console(color=False, verbosity=-1, stdout=io.StringIO(), stderr=quiet_err)
    with quiet.counting("Searching", 120) as step:
        step()
    assert quiet_err.getvalue() == ""
