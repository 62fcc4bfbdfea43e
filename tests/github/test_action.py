"""The action's kbsync step, run as GitHub runs it, against the emulator.

The test takes the step out of ``action.yml`` (its ``run`` line and its ``env`` with the
inputs filled in), runs it with bash in a fresh process with ``GITHUB_ACTIONS=true`` and
temporary ``GITHUB_STEP_SUMMARY`` / ``GITHUB_OUTPUT`` files, the Help Center being the
emulator over HTTP on 127.0.0.1 and GitHub's comment API a local stand-in. Only the
install step is replaced: ``$RUNNER_TEMP/kbsync-venv/bin/python`` is this test's Python.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kbsync.config import Secret
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.remote.client import HelpCenterClient
from tests.github.github_api import GitHubAPI

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-action-5ecret-77aa"
GITHUB_TOKEN = "ghs_standin_token_123"
PR = 7
KB_DIR = "docs/kb"  # the knowledge base sits in a subfolder of the repository


@dataclass
class Step:
    code: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Runner:
    repo: Path
    temp: Path
    emulator_url: str
    github_url: str
    app: EmulatorApp
    github: GitHubAPI

    def step(self, command: str, *, args: str = "", github_token: str = GITHUB_TOKEN,
             directory: str = KB_DIR) -> Step:
        """The action's kbsync step with these inputs, as the runner would run it."""
        step = _kbsync_step()
        inputs = {"command": command, "directory": directory, "args": args, "token": TOKEN,
                  "github-token": github_token}
        env = {name: re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}",
                            lambda m: inputs[m.group(1)], value)
               for name, value in step["env"].items()}
        summary, output = self.temp / "summary.md", self.temp / "output.txt"
        summary.write_text("")
        output.write_text("")
        env.update(self._github_env(summary, output))
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=self.repo, env=env,
                              capture_output=True, text=True, timeout=120)
        return Step(done.returncode, done.stdout, done.stderr, summary.read_text(),
                    _read_outputs(output.read_text()))

    def _github_env(self, summary: Path, output: Path) -> dict[str, str]:
        event = self.temp / "event.json"
        event.write_text(json.dumps({"pull_request": {"number": PR}}))
        return {
            "PATH": os.environ["PATH"], "HOME": str(self.temp),
            "PYTHONPATH": str(ROOT),
            "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(self.repo),
            "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
            "GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_API_URL": self.github_url, "GITHUB_REPOSITORY": self.github.repository,
            "GITHUB_SERVER_URL": "https://github.test", "GITHUB_RUN_ID": "4242",
            "RUNNER_TEMP": str(self.temp),
            "INITDESK_BASE_URL": self.emulator_url, "INITDESK_ORG_ID": "1",
            "INITDESK_RPM": "0",
        }

    def write(self, rel: str, text: str) -> None:
        path = self.repo / KB_DIR / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    @contextmanager
    def remote_client(self) -> Iterator[HelpCenterClient]:
        with httpx.Client(base_url=self.emulator_url) as http:
            yield HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                   requests_per_minute=0)


def _kbsync_step() -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return next(s for s in action["runs"]["steps"] if s.get("id") == "kbsync")


def _read_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: name=value, or name<<DELIM ... DELIM."""
    outputs: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            outputs[name] = "\n".join(value)
        elif line:
            name, value_text = line.split("=", 1)
            outputs[name] = value_text
    return outputs


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    repo, temp = tmp_path / "repo", tmp_path / "runner-temp"
    temp.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    python = temp / "kbsync-venv" / "bin" / "python"  # what the install step makes
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
    github = GitHubAPI(token=GITHUB_TOKEN)
    with running_server(app) as emulator_url, running_server(github) as github_url:
        run = Runner(repo, temp, emulator_url, github_url, app, github)
        run.write("kbsync.toml", '[remote]\nbase_url = "https://api.initdesk.com"\n'
                                 "organization_id = 1\n")
        run.write("guides/01-start.md", "---\ntitle: Start here\n---\n\nSee [next](02-next.md).\n")
        run.write("guides/02-next.md", "---\ntitle: Next steps\n---\n\nMore text.\n")
        yield run
    app.close()


def _apply_then_edit_next_in_initdesk(runner: Runner, fields: dict[str, Any] | None) -> None:
    """Apply the knowledge base, then change its "next" article in the web editor (patch
    ``fields``; None: delete it)."""
    assert runner.step("apply").code == 0
    with runner.remote_client() as client:
        article = next(a for a in client.list_articles() if a.fields.slug == "next")
        if fields is None:
            client.delete_article(article.id)
        else:
            client.patch_article(article.id, fields)


def test_plan_writes_the_summary_the_outputs_and_one_sticky_comment(runner: Runner) -> None:
    step = runner.step("plan")
    assert step.code == 0, step.log
    assert step.summary.startswith("### kbsync plan")
    assert "**Plan: 3 to create.**" in step.summary
    assert step.outputs["has-changes"] == "true" and step.outputs["conflicts"] == "0"
    plan = json.loads(step.outputs["plan-json"])
    assert plan["summary"]["create"] == 3 and plan["format_version"] == 1
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


def test_someone_elses_comments_are_paged_through_and_left_alone(runner: Runner) -> None:
    runner.github.per_page_max = 2
    for index in range(5):
        runner.github.add(PR, f"review comment {index}")
    assert runner.step("plan").code == 0
    assert runner.step("plan").code == 0
    bodies = [c["body"] for c in runner.github.comments[PR]]
    assert bodies[:5] == [f"review comment {i}" for i in range(5)]
    assert len(bodies) == 6 and bodies[5].startswith("<!-- kbsync-plan:docs/kb -->")


def test_without_a_github_token_there_is_no_comment(runner: Runner) -> None:
    step = runner.step("plan", github_token="")
    assert step.code == 0 and step.outputs["has-changes"] == "true"
    assert runner.github.log == []


def test_a_comment_refused_by_github_is_a_warning_not_a_failure(runner: Runner) -> None:
    step = runner.step("plan", github_token="a-read-only-token")
    assert step.code == 0
    assert "::warning title=kbsync action::could not comment on pull request #7" in step.log
    assert "pull-requests: write" in step.log
    assert "a-read-only-token" not in step.log


def test_validate_annotates_file_and_line_relative_to_the_repository(runner: Runner) -> None:
    runner.write("guides/03-bad.md", "---\ntitle: Bad\nstatus: live\n---\n\n[x](nope.md)\n")
    step = runner.step("validate")
    assert step.code == 1
    assert ("::error file=docs/kb/guides/03-bad.md,line=3,title=kbsync%3A status::"
            "docs/kb/guides/03-bad.md:3: status: must be draft or published") in step.stderr
    assert "::error file=docs/kb/guides/03-bad.md,line=6,title=kbsync::" in step.stderr
    assert "3 articles in 1 collection: 2 errors." in step.summary
    assert "| `guides/03-bad.md` | 3 | status |" in step.summary
    assert step.outputs == {"errors": "2", "warnings": "0"}


def test_apply_publishes_then_plan_has_nothing_left(runner: Runner) -> None:
    step = runner.step("apply")
    assert step.code == 0, step.log
    assert step.summary.rstrip().endswith("Applied.")
    assert step.outputs["has-changes"] == "true"
    assert "Apply complete: 3 created" in step.stderr
    assert (runner.repo / KB_DIR / "kbsync.lock").is_file()
    after = runner.step("plan")
    assert after.outputs["has-changes"] == "false"
    assert "No changes" in after.summary


def test_apply_that_leaves_a_conflict_fails_and_annotates_it(runner: Runner) -> None:
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


def test_a_bad_input_is_one_annotated_line_and_exit_64(runner: Runner) -> None:
    step = runner.step("publish")
    assert step.code == 64
    assert step.stdout.startswith("::error title=kbsync action::command must be one of")
    again = runner.step("plan", args="--format text")
    assert again.code == 64 and "the action sets --format for plan itself" in again.stdout


def test_the_initdesk_token_never_reaches_the_log_or_the_files(runner: Runner) -> None:
    step = runner.step("apply", args="-v")
    assert step.code == 0
    assert "GET /organizations/1/" in step.stderr  # -v lists the requests
    for text in (step.log, step.summary, json.dumps(step.outputs)):
        assert TOKEN not in text and GITHUB_TOKEN not in text


def test_coverage_compare_reports_in_the_summary_and_one_comment(runner: Runner) -> None:
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


def test_coverage_without_compare_reports_in_the_summary_only(runner: Runner) -> None:
    runner.write("coverage.yaml", "questions:\n  - q: Where do I start?\n    expect: start\n")
    step = runner.step("coverage", args="--local")
    assert step.code == 0, step.log
    assert step.summary.startswith("### kbsync coverage 100% (1 of 1 question)")
    assert step.outputs == {"coverage": "1"}
    assert runner.github.comments.get(PR, []) == []
    refused = runner.step("coverage", args="--json x.json")
    assert refused.code == 64 and "the action sets --json for coverage itself" in refused.stdout


def test_pull_outputs_count_a_file_written_with_conflict_markers(runner: Runner) -> None:
    """The nightly workflow's pull (--on-conflict markers): such a file is a conflict."""
    _apply_then_edit_next_in_initdesk(runner, {"content_html": "<p>Remote text.</p>"})
    runner.write("guides/02-next.md", "---\ntitle: Next steps\n---\n\nLocal text.\n")
    subprocess.run(["git", "-C", str(runner.repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(runner.repo), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-qm", "kb"], check=True)  # committed: pull may write markers
    step = runner.step("pull", args="--on-conflict markers")
    assert "! markers" in step.summary, step.log
    assert step.outputs == {"has-changes": "true", "conflicts": "1"}, step.log


def test_pull_that_only_reports_a_remote_deletion_has_no_changes(runner: Runner) -> None:
    _apply_then_edit_next_in_initdesk(runner, None)
    reported = runner.step("pull")
    assert reported.code == 0, reported.log
    assert "? deleted in initdesk" in reported.summary
    assert reported.outputs == {"has-changes": "false", "conflicts": "0"}


def test_apply_with_only_conflicts_runs_apply_and_fails(runner: Runner) -> None:
    _apply_then_edit_next_in_initdesk(runner, {"title": "Edited in initdesk"})
    runner.write("guides/02-next.md", "---\ntitle: Edited here\n---\n\nMore text.\n")
    step = runner.step("apply")
    assert step.code == 1
    assert "1 conflict left untouched" in step.summary
    assert "left untouched" in step.stderr  # apply's own error, annotated


def test_the_action_keeps_the_out_options_it_relies_on(runner: Runner) -> None:
    for command in ("plan", "coverage"):
        step = runner.step(command, args="--out x.md")
        assert step.code == 64, step.log
        assert f"the action sets --out for {command} itself" in step.stdout


def test_the_validate_summary_table_survives_pipes_and_markdown_in_names(runner: Runner) -> None:
    runner.write("guides/a|b_*c*.md", "---\ntitle: Pipe\nstatus: live|now\n---\n\nText.\n")
    step = runner.step("validate")
    assert step.code == 1
    [row] = [line for line in step.summary.splitlines() if "a\\|b" in line]
    assert row.startswith("| `guides/a\\|b_*c*.md` | 3 | status | ❌ must be draft or published")
    assert row.count(" | ") == 3  # four cells: the pipes in the name and value are escaped
