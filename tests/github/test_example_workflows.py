"""The example workflows, run step by step in a scratch repository, at the root and in a
subfolder: only their ``KB_DIR`` line differs, as a user's copy would.

Each job runs through ``tests.github.actions_runner``: expressions and ``if:`` (with
``hashFiles``) as GitHub evaluates them, ``run:`` scripts in bash, kbsync's action as a
composite; the Help Center is the emulator on 127.0.0.1, GitHub's API a local stand-in,
``origin`` a bare repository the apply job pushes to.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbsync.plan.model import Action
from kbsync.render.text import SYMBOLS
from tests.github.actions_runner import JobResult
from tests.github.scene import PR, Scene, scene

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "example-kb" / ".github" / "workflows"
KB_DIR_LINE = "\n  KB_DIR: .\n"
COVERAGE = ("questions:\n  - q: Where do I start?\n    expect: start\n"
            "  - q: What are the next steps?\n    expect: next\n")


def workflow(name: str, kb_dir: str) -> str:
    """The example file with its one folder setting changed, as a user would."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    assert text.count(KB_DIR_LINE) == 1, f"{name}: KB_DIR is set in one place"
    return text.replace(KB_DIR_LINE, f"\n  KB_DIR: {kb_dir}\n")


@pytest.fixture(params=[".", "docs/kb"], ids=["root", "subfolder"])
def kb(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scene]:
    with scene(tmp_path, request.param) as repository:
        repository.write("coverage.yaml", COVERAGE)
        repository.commit("coverage questions")
        yield repository


def every_step_succeeded(job: JobResult) -> bool:
    return bool(job.steps) and all(step.outcome == "success" for step in job.steps)


def lock_path(kb: Scene) -> str:
    return "kbsync.lock" if kb.kb_dir == "." else f"{kb.kb_dir}/kbsync.lock"


def published(kb: Scene) -> None:
    """The state after a merge was applied: published, the lock on origin."""
    job = kb.run_workflow(workflow("kbsync-apply.yml", kb.kb_dir), "apply",
                          kb.runner("push", {}))
    assert every_step_succeeded(job), job.report()


def test_the_plan_workflow_validates_plans_and_covers(kb: Scene) -> None:
    runner = kb.runner()
    job = kb.run_workflow(workflow("kbsync-plan.yml", kb.kb_dir), "plan", runner)
    assert every_step_succeeded(job), job.report()  # coverage ran: hashFiles found the file
    firsts = sorted(c["body"].split("\n")[0] for c in kb.github.comments[PR])
    folder = "" if kb.kb_dir == "." else f":{kb.kb_dir}"
    assert firsts == [f"<!-- kbsync-coverage{folder} -->", f"<!-- kbsync-plan{folder} -->"]
    [cache] = [u.inputs["path"] for u in runner.used if u.uses.startswith("actions/cache@")]
    assert any((kb.repo / cache).iterdir()), f"{cache} holds nothing to cache"


def test_a_pull_request_from_a_fork_is_validated_only(kb: Scene) -> None:
    fork = {"pull_request": {"number": PR, "head": {"repo": {"full_name": "mallory/help"}}}}
    job = kb.run_workflow(workflow("kbsync-plan.yml", kb.kb_dir), "plan",
                          kb.runner("pull_request", fork))
    assert [s.outcome for s in job.steps] == ["success", "success", "success", "skipped",
                                              "skipped"], job.report()
    assert kb.github.log == []


def test_the_apply_workflow_publishes_and_commits_the_lock(kb: Scene) -> None:
    published(kb)
    assert '"organization_id": 1' in kb.origin_file(lock_path(kb))
    again = kb.run_workflow(workflow("kbsync-apply.yml", kb.kb_dir), "apply",
                            kb.runner("push", {}))
    assert every_step_succeeded(again), again.report()
    assert "kbsync.lock is unchanged." in again.steps[-1].stdout


def test_the_pull_workflow_writes_initdesk_edits_into_the_folder(kb: Scene) -> None:
    published(kb)
    kb.git("pull", "-q", "origin", "main")  # the lock commit the apply job pushed
    with kb.remote_client() as client:
        article = next(a for a in client.list_articles() if a.fields.slug == "next")
        client.patch_article(article.id, {"title": "Next steps, edited in initdesk"})
    runner = kb.runner("schedule", {})
    job = kb.run_workflow(workflow("kbsync-pull.yml", kb.kb_dir), "pull", runner)
    assert every_step_succeeded(job), job.report()
    edited = kb.repo / kb.kb_dir / "guides" / "02-next.md"
    assert "Next steps, edited in initdesk" in edited.read_text(encoding="utf-8")
    [request] = [u for u in runner.used if u.uses.startswith("peter-evans/")]
    assert request.inputs["add-paths"] == kb.kb_dir


def test_the_drift_check_passes_in_step_and_fails_on_drift(kb: Scene) -> None:
    published(kb)
    kb.git("pull", "-q", "origin", "main")
    steady = kb.run_workflow(workflow("kbsync-drift.yml", kb.kb_dir), "drift",
                             kb.runner("schedule", {}))
    assert every_step_succeeded(steady), steady.report()
    with kb.remote_client() as client:
        article = next(a for a in client.list_articles() if a.fields.slug == "next")
        client.patch_article(article.id, {"title": "Edited in initdesk"})
    drift = kb.run_workflow(workflow("kbsync-drift.yml", kb.kb_dir), "drift",
                            kb.runner("schedule", {}))
    [check] = [s for s in drift.steps if s.outcome == "failure"]
    assert check.code == 2, drift.report()
    assert "::error title=kbsync drift::The Help Center differs from the files" in check.log
    assert "**Drift**" in drift.summary


def test_merging_applies_what_the_pull_request_comment_showed(kb: Scene) -> None:
    """A deleted file: the plan workflow's plan and the apply workflow's plan are one
    plan, and the comment shows each change with the plan's own symbol."""
    published(kb)
    kb.git("pull", "-q", "origin", "main")
    kb.git("rm", "-q", str(Path(kb.kb_dir) / "guides" / "02-next.md"))
    kb.write("guides/01-start.md", "---\ntitle: Start here\n---\n\nNo next step.\n")
    kb.commit("Drop the next steps")
    reviewed = kb.run_workflow(workflow("kbsync-plan.yml", kb.kb_dir), "plan")
    merged = kb.run_workflow(workflow("kbsync-apply.yml", kb.kb_dir), "apply",
                             kb.runner("push", {}))
    shown, applied = (json.loads(job.step(name).outputs["plan-json"])["changes"]
                      for job, name in ((reviewed, "plan"), (merged, "apply")))
    assert [(c["action"], c["key"]) for c in shown] == [(c["action"], c["key"])
                                                        for c in applied]
    [gone] = [c for c in shown if c["title"] == "Next steps"]
    [comment] = [c["body"] for c in kb.github.comments[PR] if "kbsync-plan" in c["body"]]
    assert f"| `{SYMBOLS[Action(gone['action'])]}` | `{gone['key']}` Next steps |" in comment
