"""The console off a terminal and in GitHub Actions: plain lines, progress, annotations."""

from __future__ import annotations

import io
from dataclasses import dataclass

from kbsync.console import Console
from kbsync.plan.model import Action, Change, Plan, RemoteRef
from kbsync.problems import Problem

PROBLEM = Problem("g/bad.md", "missing title", line=1, key="title")
WARNING = Problem("g/bad.md", "unknown key", line=2, key="titel", severity="warning")


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


def captured(**options: object) -> tuple[Console, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    console = Console(stdout=out, stderr=err, **options)  # type: ignore[arg-type]
    return console, out, err


def change(key: str) -> Change:
    return Change("article", key, Action.CREATE, key, key)


def test_off_a_terminal_apply_prints_progress_lines_at_most_every_few_seconds() -> None:
    clock = Clock()
    requests = [0]
    console, _, err = captured(clock=clock, progress_every=5.0)
    with console.progress("Applying", requests=lambda: requests[0]) as hooks:
        hooks.started(10)
        for step in range(10):
            clock.now += 1.0
            requests[0] += 2 if step == 3 else 1
            hooks.step_done(change(f"a{step}.md"), "created")
    assert err.getvalue().splitlines() == [
        "Applying: 10 steps to run",
        "Applying: 1/10 done, 1 request, about 9 s left",
        "Applying: 6/10 done, 7 requests, about 4 s left",
        "Applying: 10/10 done, 11 requests, 10 s",
    ]


def test_progress_lines_say_minutes_for_long_work_and_no_estimate_at_first() -> None:
    clock = Clock()
    console, _, err = captured(clock=clock, progress_every=5.0)
    with console.progress("Applying", requests=lambda: 1) as hooks:
        hooks.started(2048)
        hooks.step_done(change("first.md"), "created")  # no time has passed: no estimate
        clock.now += 60.0
        for _ in range(59):
            hooks.step_done(change("a.md"), "created")
    assert err.getvalue().splitlines() == [
        "Applying: 2048 steps to run", "Applying: 1/2048 done, 1 request",
        "Applying: 2/2048 done, 1 request, about 17 h 3 min left"]


def test_quiet_keeps_progress_and_status_silent() -> None:
    console, out, err = captured(verbosity=-1)
    with console.status("Reading the Help Center…"), console.progress("Applying") as hooks:
        hooks.started(1)
        hooks.step_done(change("a.md"), "created")
    assert out.getvalue() == err.getvalue() == ""


def test_off_a_terminal_a_status_is_one_plain_line_without_control_codes() -> None:
    console, _, err = captured()
    with console.status("Reading the Help Center…"):
        console.warn("inside")
    assert err.getvalue() == "Reading the Help Center…\ninside\n"


def test_a_rate_limit_wait_is_said_a_retry_only_under_v() -> None:
    console, _, err = captured()
    console.waiting(11.2, "429")
    console.waiting(0.3, "HTTP 503")
    assert err.getvalue() == "initdesk rate limit: waiting 12 s\n"
    verbose, _, verbose_err = captured(verbosity=1)
    verbose.waiting(0.3, "HTTP 503")
    assert verbose_err.getvalue() == "initdesk answered HTTP 503: retrying in 1 s\n"


def test_a_wait_for_an_unreachable_help_center_is_said_without_v() -> None:
    console, _, err = captured()
    console.waiting(4.5, "unreachable")
    assert err.getvalue() == "the Help Center is unreachable: trying again in 5 s\n"


def test_v_shows_each_request_with_its_status_and_time() -> None:
    console, _, err = captured(verbosity=1)
    console.request("GET", "/organizations/1/portal/articles/?page=2", 200, 0.0351)
    console.request("POST", "/organizations/1/portal/articles/", None, 1.5)
    assert err.getvalue().splitlines() == [
        "GET /organizations/1/portal/articles/?page=2 -> 200 (35 ms)",
        "POST /organizations/1/portal/articles/ -> no answer (1500 ms)"]
    quiet, _, quiet_err = captured()
    quiet.request("GET", "/x", 200, 0.1)
    assert quiet_err.getvalue() == ""


def test_in_github_actions_problems_are_annotations_relative_to_the_repository() -> None:
    console, out, err = captured(github=True, color=True)
    console.annotation_prefix = "docs"
    console.problem(PROBLEM)
    assert err.getvalue() == ("::error file=docs/g/bad.md,line=1,title=kbsync%3A title::"
                              "docs/g/bad.md:1: title: missing title\n")  # no colour codes
    assert out.getvalue() == ""


def test_off_github_problems_are_plain_lines_findings_on_stdout() -> None:
    console, out, err = captured()
    console.findings(f"{PROBLEM}\n{WARNING}\n")
    console.problem(PROBLEM)
    assert out.getvalue() == f"{PROBLEM}\n{WARNING}\n"
    assert err.getvalue() == "g/bad.md:1: title: missing title\n"


def test_on_a_terminal_an_error_finding_is_red_and_a_warning_yellow() -> None:
    console, out, _ = captured(color=True)
    console.findings(f"{PROBLEM}\n{WARNING}\n")
    assert out.getvalue().splitlines() == [f"\x1b[31m{PROBLEM}\x1b[0m",
                                           f"\x1b[33m{WARNING}\x1b[0m"]


def test_groups_and_plan_annotations_only_in_github_actions() -> None:
    plan = Plan(RemoteRef("https://x", 1), changes=(
        Change("article", "a.md", Action.CONFLICT, "a", "A", remote_id=1),))
    plain, _, plain_err = captured()
    with plain.group("Applying"):
        plain.annotate_plan(plan)
    assert plain_err.getvalue() == ""
    github, _, err = captured(github=True)
    with github.group("Applying"):
        github.annotate_plan(plan)
    lines = err.getvalue().splitlines()
    assert lines[0] == "::group::Applying" and lines[-1] == "::endgroup::"
    assert lines[1].startswith("::error file=a.md,title=kbsync%3A conflict::")


def test_github_actions_never_prompts_and_progress_is_lines() -> None:
    console, _, err = captured(github=True)
    assert not console.interactive and not console.live
    with console.progress("Applying") as hooks:
        hooks.started(1)
        hooks.step_done(change("a.md"), "created")
    assert err.getvalue().splitlines() == ["::group::Applying", "Applying: 1 step to run",
                                           "Applying: 1/1 done, 0 requests, 0 s",
                                           "::endgroup::"]


def test_github_mode_is_off_unless_asked_for() -> None:
    """The console does not read the environment: the command line tells it."""
    assert not Console().github and Console(github=True).github


def test_reconfigure_keeps_the_streams() -> None:
    console, out, err = captured()
    console.reconfigure(verbosity=1, color=False)
    console.detail("more")
    console.out("main")
    assert err.getvalue() == "more\n" and out.getvalue() == "main\n"


def test_off_a_terminal_a_long_read_reports_its_requests_every_few_seconds() -> None:
    clock = Clock()
    console, _, err = captured(clock=clock, progress_every=5.0)
    with console.status("Reading the Help Center…"):
        for _ in range(12):
            clock.now += 1.0
            console.request("GET", "/organizations/1/portal/articles/", 200, 0.01)
    console.request("GET", "/after", 200, 0.01)  # outside the status: nothing
    assert err.getvalue().splitlines() == ["Reading the Help Center…",
                                           "Reading the Help Center: 5 requests, 5 s",
                                           "Reading the Help Center: 10 requests, 10 s"]


def test_a_long_plan_prints_every_line_once_in_order() -> None:
    """Printed a few thousand lines at a time: blank lines at a boundary stay."""
    lines = [f"  + article a{i}.md" if i % 1999 else "" for i in range(1, 4501)]
    out = io.StringIO()
    Console(color=False, stdout=out, stderr=io.StringIO()).plan("\n".join(lines) + "\n\n")
    assert out.getvalue() == "\n".join(lines) + "\n"
