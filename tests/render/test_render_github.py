"""GitHub workflow commands: escaping by GitHub's rules, annotations at file and line."""

from __future__ import annotations

from kbsync.plan.model import Action, Change, Plan, RemoteRef
from kbsync.problems import Problem
from kbsync.render.github import (
    annotation,
    escape_data,
    escape_property,
    group,
    plan_annotations,
    problem_annotation,
    repo_path,
)

REMOTE = RemoteRef("https://api.initdesk.com", 1)


def test_a_message_escapes_percent_first_then_cr_and_lf() -> None:
    assert escape_data("100%\r\nnext: a,b") == "100%25%0D%0Anext: a,b"
    assert escape_data("%0A") == "%250A"  # an escape in the text is not taken for one


def test_a_property_also_escapes_colon_and_comma() -> None:
    assert escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"


def test_an_annotation_leaves_out_what_it_does_not_have() -> None:
    assert annotation("warning", "careful") == "::warning::careful"
    assert annotation("error", "bad", file="docs/a,b.md", line=3, title="kbsync: slug") == \
        "::error file=docs/a%2Cb.md,line=3,title=kbsync%3A slug::bad"
    assert annotation("notice", "x", line=3) == "::notice::x"  # a line needs a file


def test_a_group_title_is_a_message() -> None:
    assert group("Plan: 1 to create\n") == "::group::Plan: 1 to create%0A"


def test_paths_are_relative_to_the_repository_root() -> None:
    assert repo_path("", "a/b.md") == "a/b.md"
    assert repo_path("docs/kb", "a/b.md") == "docs/kb/a/b.md"


def test_a_problem_is_annotated_at_its_file_and_line_and_keeps_the_plain_text() -> None:
    problem = Problem("g/bad.md", "must be draft or published, got 'live'", line=3,
                      key="status", hint="draft hides it")
    assert problem_annotation(problem, "docs") == (
        "::error file=docs/g/bad.md,line=3,title=kbsync%3A status::docs/g/bad.md:3: status: "
        "must be draft or published, got 'live' (draft hides it)")
    warning = Problem("kbsync.toml", "unknown key", severity="warning")
    assert problem_annotation(warning) == \
        "::warning file=kbsync.toml,title=kbsync::kbsync.toml: unknown key"


def test_a_multi_line_message_stays_one_workflow_command() -> None:
    line = problem_annotation(Problem("a.md", "first\nsecond", line=1))
    assert "\n" not in line and "first%0Asecond" in line


def test_conflicts_are_errors_unmanaged_items_warnings_other_changes_silent() -> None:
    plan = Plan(REMOTE, changes=(
        Change("article", "billing/refunds.md", Action.CONFLICT, "refunds", "Refunds",
               remote_id=4, reason="edited in initdesk since the last sync"),
        Change("article", "remote:old-faq", Action.UNMANAGED, "old-faq", "Old FAQ",
               remote_id=9, reason="absent locally; kept: plan --prune deletes it"),
        Change("article", "a.md", Action.CREATE, "a", "A"),
    ), warnings=("apply will refuse this plan: 12 deletes",))
    lines = plan_annotations(plan, "kb")
    assert lines[0] == "::warning title=kbsync plan::apply will refuse this plan: 12 deletes"
    assert lines[1].startswith(
        "::error file=kb/billing/refunds.md,title=kbsync%3A conflict::article "
        "kb/billing/refunds.md ('Refunds', slug 'refunds'): edited in initdesk since the last "
        "sync; apply leaves it alone. Run `kbsync pull`")
    assert lines[2] == (
        "::warning title=kbsync%3A only in initdesk::article remote:old-faq "
        "('Old FAQ', slug 'old-faq'): absent locally; kept: plan --prune deletes it")
    assert len(lines) == 3
