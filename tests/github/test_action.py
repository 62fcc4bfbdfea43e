"""The action's steps, run as GitHub runs them, against the emulator.

Each test uses the action as a workflow does (``uses: ./`` with inputs), through
``tests.github.actions_runner``: the composite's conditions decide, its ``run`` lines go to
bash with ``GITHUB_ACTIONS=true`` and fresh ``GITHUB_STEP_SUMMARY`` / ``GITHUB_OUTPUT``
files; the Help Center is the emulator over HTTP on 127.0.0.1 and GitHub's comment API
a local stand-in (``tests.github.scene``). The knowledge base sits in a subfolder.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbsync.console import Console
from kbsync.github import action
from kbsync.model.remote import ArticleFields
from tests.gfm import pings_and_links
from tests.github.scene import GITHUB_TOKEN, PR, TOKEN, Scene, scene

KB_DIR = "docs/kb"  # the knowledge base sits in a subfolder of the repository


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Scene]:
    with scene(tmp_path, KB_DIR) as kb:
        yield kb


def _apply_then_edit_next_in_initdesk(runner: Scene, fields: dict[str, Any] | None) -> None:
    """Apply the knowledge base, then change its "next" article in the web editor (patch
    ``fields``; None: delete it)."""
    assert runner.step("apply").code == 0
    with runner.remote_client() as client:
        article = next(a for a in client.list_articles() if a.fields.slug == "next")
        if fields is None:
            client.delete_article(article.id)
        else:
            client.patch_article(article.id, fields)


def test_plan_writes_the_summary_the_outputs_and_one_sticky_comment(runner: Scene) -> None:
    step = runner.step("plan")
    assert step.code == 0, step.log
    assert step.summary.startswith("### kbsync plan")
    assert "**Plan: 3 to create.**" in step.summary
    assert step.outputs["has-changes"] == "true" and step.outputs["conflicts"] == "0"
    plan = json.loads(step.outputs["plan-json"])
    assert plan["summary"]["create"] == 3 and plan["format_version"] == 2
    assert Path(step.outputs["plan-file"]).is_file()
    assert "::group::kbsync plan: Plan: 3 to create." in step.stderr
    [comment] = runner.github.comments[PR]
    assert comment["body"].startswith("<!-- kbsync-plan:docs/kb -->\n### kbsync plan")
    assert "https://github.test/acme/help/actions/runs/4242" in comment["body"]

    runner.write("guides/02-next.md", "---\ntitle: Next steps, renamed\n---\n\nMore text.\n")
    again = runner.step("plan")
    assert again.code == 0, again.log
    [updated] = runner.github.comments[PR]  # still one comment: the same, updated
    assert updated["id"] == comment["id"] and "Next steps, renamed" in updated["body"]
    writes = [(m, p.split("?")[0]) for m, p in runner.github.log if m != "GET"]
    assert writes == [("POST", "/repos/acme/help/issues/7/comments"),
                      ("PATCH", f"/repos/acme/help/issues/comments/{comment['id']}")]


def test_someone_elses_comments_are_paged_through_and_left_alone(runner: Scene) -> None:
    runner.github.per_page_max = 2
    for index in range(5):
        runner.github.add(PR, f"review comment {index}")
    assert runner.step("plan").code == 0
    assert runner.step("plan").code == 0
    bodies = [c["body"] for c in runner.github.comments[PR]]
    assert bodies[:5] == [f"review comment {i}" for i in range(5)]
    assert len(bodies) == 6 and bodies[5].startswith("<!-- kbsync-plan:docs/kb -->")


def test_without_a_github_token_there_is_no_comment(runner: Scene) -> None:
    step = runner.step("plan", github_token="")
    assert step.code == 0 and step.outputs["has-changes"] == "true"
    assert runner.github.log == []


def test_a_marker_comment_by_someone_else_is_left_alone(runner: Scene) -> None:
    """Anyone can paste the marker: the plan goes into a new comment of the bot's own."""
    spoof = runner.github.add(PR, "<!-- kbsync-plan:docs/kb -->\nPlan: no changes, merge away")
    step = runner.step("plan")
    assert step.code == 0, step.log
    spoofed, ours = runner.github.comments[PR]
    assert spoofed["body"] == "<!-- kbsync-plan:docs/kb -->\nPlan: no changes, merge away"
    assert ours["user"]["login"] == "github-actions[bot]" and "3 to create" in ours["body"]
    assert runner.github.writes() == [("POST", "/repos/acme/help/issues/7/comments")]
    assert ("GET", "/user") in runner.github.log and spoof != ours["id"]


def test_a_users_token_updates_only_that_users_comment(runner: Scene) -> None:
    runner.github.tokens["ghp_docs_bot_token"] = "docs-bot"
    bots = runner.github.add(PR, "<!-- kbsync-plan:docs/kb -->\nby the actions bot",
                             user="github-actions[bot]")
    own = runner.github.add(PR, "<!-- kbsync-plan:docs/kb -->\nold plan", user="docs-bot")
    assert runner.step("plan", github_token="ghp_docs_bot_token").code == 0
    assert runner.github.writes() == [("PATCH", f"/repos/acme/help/issues/comments/{own}")]
    first, second = runner.github.comments[PR]
    assert first["id"] == bots and first["body"].endswith("by the actions bot")
    assert "3 to create" in second["body"]


def test_a_comment_github_refuses_fails_the_step_naming_the_permission(runner: Scene) -> None:
    runner.github.tokens["ghs_read_only"] = "github-actions[bot]"
    runner.github.read_only.add("ghs_read_only")
    step = runner.step("plan", github_token="ghs_read_only")
    assert step.code == 1
    assert ("::error title=kbsync action::could not comment on pull request #7: POST "
            "/repos/acme/help/issues/7/comments answered HTTP 403: Resource not accessible "
            "by integration (add `pull-requests: write`") in step.log
    assert step.outputs["has-changes"] == "true" and "3 to create" in step.summary
    assert "ghs_read_only" not in step.log and runner.github.comments == {}


def test_a_token_github_does_not_know_fails_the_step(runner: Scene) -> None:
    step = runner.step("plan", github_token="not-a-token")
    assert step.code == 1
    assert "GET /user answered HTTP 401: Bad credentials (the github-token input is not a "\
           "valid token)" in step.log
    assert "not-a-token" not in step.log


def test_validate_annotates_file_and_line_relative_to_the_repository(runner: Scene) -> None:
    runner.write("guides/03-bad.md", "---\ntitle: Bad\nstatus: live\n---\n\n[x](nope.md)\n")
    step = runner.step("validate")
    assert step.code == 1
    assert ("::error file=docs/kb/guides/03-bad.md,line=3,title=kbsync%3A status::"
            "docs/kb/guides/03-bad.md:3: status: must be draft or published") in step.stderr
    assert "::error file=docs/kb/guides/03-bad.md,line=6,title=kbsync::" in step.stderr
    assert "3 articles in 1 collection: 2 errors." in step.summary
    assert "| `guides/03-bad.md` | 3 | status |" in step.summary
    assert step.outputs == {"errors": "2", "warnings": "0"}


def test_apply_publishes_then_plan_has_nothing_left(runner: Scene) -> None:
    step = runner.step("apply")
    assert step.code == 0, step.log
    assert step.summary.rstrip().endswith("Applied.")
    assert step.outputs["has-changes"] == "true"
    assert "Apply complete: 3 created" in step.stderr
    assert (runner.repo / KB_DIR / "kbsync.lock").is_file()
    after = runner.step("plan")
    assert after.outputs["has-changes"] == "false"
    assert "No changes" in after.summary


def test_apply_that_leaves_a_conflict_fails_and_annotates_it(runner: Scene) -> None:
    _apply_then_edit_next_in_initdesk(runner, {"title": "Edited in initdesk"})
    runner.write("guides/02-next.md", "---\ntitle: Edited here\n---\n\nMore text.\n")
    runner.write("guides/03-new.md", "---\ntitle: New\n---\n\nNew text.\n")
    step = runner.step("apply")
    assert step.code == 1
    assert step.outputs["conflicts"] == "1"
    assert ("::error file=docs/kb/guides/02-next.md,title=kbsync%3A conflict::"
            "article docs/kb/guides/02-next.md") in step.stderr
    assert "1 conflict left untouched" in step.summary
    with runner.remote_client() as client:  # the rest was applied
        assert "new" in {a.fields.slug for a in client.list_articles()}


def test_a_bad_input_is_one_annotated_line_and_exit_64(runner: Scene) -> None:
    step = runner.step("publish")
    assert step.code == 64
    assert step.stdout.startswith("::error title=kbsync action::command must be one of")
    again = runner.step("plan", args="--format text")
    assert again.code == 64 and "the action sets --format for plan itself" in again.stdout


def test_the_initdesk_token_never_reaches_the_log_or_the_files(runner: Scene) -> None:
    step = runner.step("apply", args="-v")
    assert step.code == 0
    assert "GET /organizations/1/" in step.stderr  # -v lists the requests
    for text in (step.log, step.summary, json.dumps(step.outputs)):
        assert TOKEN not in text and GITHUB_TOKEN not in text


def test_coverage_compare_reports_in_the_summary_and_one_comment(runner: Scene) -> None:
    """The plan workflow's coverage step: the Markdown report, the local share as the
    output, one comment kept up to date (another marker than the plan's)."""
    runner.write("coverage.yaml", "questions:\n  - q: Where do I start?\n    expect: start\n"
                                  "  - q: What are the next steps?\n    expect: next\n"
                                  "  - q: Is there an Android app?\n    expect: android\n")
    assert runner.step("apply").code == 0
    runner.write("guides/03-android.md", "---\ntitle: Android app\nslug: android\n---\n\n"
                                         "Is there an Android app? Yes: Parcelly for Android.\n")
    step = runner.step("coverage", args="--compare")
    assert step.code == 0, step.log
    assert step.summary.startswith("### kbsync coverage 67% → 100%"), step.summary[:200]
    assert "| Is there an Android app? | 1 | ❌ | ✅ | **+1** |" in step.summary
    assert step.outputs == {"coverage": "1"}
    [comment] = runner.github.comments[PR]
    assert comment["body"].startswith("<!-- kbsync-coverage:docs/kb -->\n### kbsync coverage")
    assert runner.step("coverage", args="--compare").code == 0
    assert len(runner.github.comments[PR]) == 1


def test_coverage_without_compare_reports_in_the_summary_only(runner: Scene) -> None:
    runner.write("coverage.yaml", "questions:\n  - q: Where do I start?\n    expect: start\n")
    step = runner.step("coverage", args="--local")
    assert step.code == 0, step.log
    assert step.summary.startswith("### kbsync coverage 100% (1 of 1 question)")
    assert step.outputs == {"coverage": "1"}
    assert runner.github.comments.get(PR, []) == []
    refused = runner.step("coverage", args="--json x.json")
    assert refused.code == 64 and "the action sets --json for coverage itself" in refused.stdout


def test_pull_outputs_count_a_file_written_with_conflict_markers(runner: Scene) -> None:
    """The nightly workflow's pull (--on-conflict markers): such a file is a conflict."""
    _apply_then_edit_next_in_initdesk(runner, {"content_html": "<p>Remote text.</p>"})
    runner.write("guides/02-next.md", "---\ntitle: Next steps\n---\n\nLocal text.\n")
    subprocess.run(["git", "-C", str(runner.repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(runner.repo), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-qm", "kb"], check=True)  # committed: pull may write markers
    step = runner.step("pull", args="--on-conflict markers")
    assert "! markers" in step.summary, step.log
    assert step.outputs == {"has-changes": "true", "conflicts": "1"}, step.log


def test_pull_that_only_reports_a_remote_deletion_has_no_changes(runner: Scene) -> None:
    _apply_then_edit_next_in_initdesk(runner, None)
    reported = runner.step("pull")
    assert reported.code == 0, reported.log
    assert "? deleted in initdesk" in reported.summary
    assert reported.outputs == {"has-changes": "false", "conflicts": "0"}


def test_a_file_deleted_in_the_repository_is_deleted_by_apply_and_left_so_by_pull(
        runner: Scene) -> None:
    assert runner.step("apply").code == 0
    (runner.repo / KB_DIR / "guides/02-next.md").unlink()
    runner.write("guides/01-start.md", "---\ntitle: Start here\n---\n\nNo link now.\n")
    pulled = runner.step("pull")
    assert "- deleted locally  guides/02-next.md  (apply deletes it)" in pulled.summary
    assert pulled.outputs == {"has-changes": "false", "conflicts": "0"}, pulled.log
    assert not (runner.repo / KB_DIR / "guides/02-next.md").exists()
    applied = runner.step("apply")  # no --prune, as the example workflow runs it
    assert applied.code == 0 and "1 to delete" in applied.summary, applied.log
    with runner.remote_client() as client:
        assert "next" not in {a.fields.slug for a in client.list_articles()}


def test_apply_with_only_conflicts_runs_apply_and_fails(runner: Scene) -> None:
    _apply_then_edit_next_in_initdesk(runner, {"title": "Edited in initdesk"})
    runner.write("guides/02-next.md", "---\ntitle: Edited here\n---\n\nMore text.\n")
    step = runner.step("apply")
    assert step.code == 1
    assert "1 conflict left untouched" in step.summary
    assert "left untouched" in step.stderr  # apply's own error, annotated


def test_the_action_keeps_the_out_options_it_relies_on(runner: Scene) -> None:
    for command in ("plan", "coverage"):
        step = runner.step(command, args="--out x.md")
        assert step.code == 64, step.log
        assert f"the action sets --out for {command} itself" in step.stdout


def test_the_validate_summary_table_survives_pipes_and_markdown_in_names(runner: Scene) -> None:
    runner.write("guides/a|b_*c*.md", "---\ntitle: Pipe\nstatus: live|now\n---\n\nText.\n")
    step = runner.step("validate")
    assert step.code == 1
    [row] = [line for line in step.summary.splitlines() if "a\\|b" in line]
    assert row.startswith("| `guides/a\\|b_*c*.md` | 3 | status | ❌ must be draft or published")
    assert row.count(" | ") == 3  # four cells: the pipes in the name and value are escaped


def test_detailed_exitcode_makes_a_plan_with_changes_fail_with_2(runner: Scene) -> None:
    step = runner.step("plan", detailed_exitcode="true", github_token="")
    assert step.code == 2
    assert ("::error title=kbsync drift::The Help Center differs from the files in docs/kb: "
            "Plan: 3 to create. See the job summary.") in step.stdout
    assert step.outputs["has-changes"] == "true"
    assert step.summary.endswith("\n\n**Drift**: the Help Center differs from the files in "
                                 "`docs/kb` (exit 2).\n")
    assert runner.step("plan", args="--detailed-exitcode", github_token="").code == 2


def test_detailed_exitcode_passes_when_nothing_changed(runner: Scene) -> None:
    assert runner.step("apply").code == 0
    step = runner.step("plan", detailed_exitcode="true", github_token="")
    assert step.code == 0 and step.outputs["has-changes"] == "false", step.log


def test_detailed_exitcode_is_for_plan_only_and_true_or_false(runner: Scene) -> None:
    apply = runner.step("apply", detailed_exitcode="true")
    assert apply.code == 64 and "detailed-exitcode: only plan has it, not apply" in apply.stdout
    typo = runner.step("plan", detailed_exitcode="yes")
    assert typo.code == 64 and "detailed-exitcode: must be true or false, got 'yes'" in typo.stdout


HOSTILE = ("@octocat @acme/security see #12, www.evil.example/x, https://evil.example/a "
           "![p](https://evil.example/p.png) ops@evil.example")


def test_nothing_from_initdesk_or_customers_pings_or_links_in_the_comments(
        runner: Scene) -> None:
    """A title written in initdesk (plan) and a customer's question (coverage) reach the
    comments and the summary as text: no mention, reference, link or image."""
    runner.write("coverage.yaml", f"questions:\n  - q: {json.dumps(HOSTILE)}\n"
                                  "    expect: start\n")
    assert runner.step("apply").code == 0
    with runner.remote_client() as client:
        client.create_article(ArticleFields(title=HOSTILE, slug="ui-only"))
    plan, coverage = runner.step("plan"), runner.step("coverage", args="--compare")
    assert plan.code == 0 and coverage.code == 0, plan.log + coverage.log
    bodies = [c["body"] for c in runner.github.comments[PR]]
    assert len(bodies) == 2 and all("@&#8203;octocat" in body for body in bodies)
    for markdown in (*bodies, plan.summary, coverage.summary):
        links = pings_and_links(markdown)
        assert links in ([], ["link https://github.test/acme/help/actions/runs/4242"]), links


def test_the_pull_summary_fence_is_longer_than_any_backticks_in_a_file_name() -> None:
    result = action._pull((0, "  + new  guides/a```b.md\n"), Console(github=True,
                                                                     stdout=io.StringIO()))
    assert result.summary == "### kbsync pull\n\n````\n  + new  guides/a```b.md\n````\n"
