"""coverage's Markdown report: what customers wrote pings no one and links nowhere."""

from __future__ import annotations

from kbsync.coverage.render_markdown import render_comparison_markdown, render_markdown
from kbsync.coverage.report import compare
from tests.coverage.helpers import hit, outcome, sample_report
from tests.gfm import pings_and_links

HOSTILE = ("@octocat @acme/security see #12, GH-7, www.evil.example/x, "
           "https://evil.example/a, ![p](https://evil.example/p.png), ops@evil.example")


def hostile_report(where: str = "remote"):  # type: ignore[no-untyped-def]
    outcomes = [outcome(HOSTILE, [hit("odd`slug|x", 6.0)], count=3),
                outcome(HOSTILE + " again", [], count=2)]
    return sample_report(where, outcomes)


def test_ticket_text_in_the_report_is_inert() -> None:
    markdown = render_markdown(hostile_report())
    assert pings_and_links(markdown) == []
    assert "@&#8203;octocat @&#8203;acme/security see \\#&#8203;12" in markdown


def test_ticket_text_in_the_comparison_is_inert() -> None:
    comparison = compare(hostile_report(), hostile_report("local"))
    assert pings_and_links(render_comparison_markdown(comparison)) == []


def test_a_slug_with_a_backtick_or_pipe_stays_in_its_cell() -> None:
    row = next(line for line in render_markdown(hostile_report()).splitlines()
               if "odd" in line)
    assert "``odd`slug\\|x`` 6.0 |" in row
