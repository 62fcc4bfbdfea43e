"""Every workflow and the action pass actionlint, and the workflows keep their promises.

actionlint checks workflow files. The composite action (``action.yml``) is checked
three ways: through ``ci.yml``, which uses it as ``./`` (actionlint then reads its
inputs); as a workflow made of its steps (so its expressions and, with shellcheck, its
scripts are linted too); and against the metadata rules GitHub applies to it.

shellcheck (Debian's package; ``.ci/run`` installs it) lints the ``run:`` scripts when
it is on PATH; under CI it must be.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXAMPLES_DIR = ROOT / "example-kb" / ".github" / "workflows"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yml"))
ACTION = ROOT / "action.yml"


def _tool(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)


def actionlint(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    binary = _tool("actionlint")
    assert binary, "actionlint is missing: pip install -e '.[test]'"
    shellcheck = _tool("shellcheck")
    assert shellcheck or not os.environ.get("CI"), "CI must lint run: scripts: install shellcheck"
    return subprocess.run([binary, "-no-color", "-oneline", f"-shellcheck={shellcheck or ''}",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _on(workflow: dict[Any, Any]) -> Any:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on:` as True


def test_there_are_workflows_to_check() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "release.yml"}
    assert {p.name for p in EXAMPLES} == {"kbsync-plan.yml", "kbsync-apply.yml",
                                          "kbsync-pull.yml", "kbsync-drift.yml"}


def test_kbsyncs_own_workflows_pass_actionlint() -> None:
    done = actionlint(*(str(p.relative_to(ROOT)) for p in WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_example_workflows_pass_actionlint() -> None:
    done = actionlint(*(str(p) for p in EXAMPLES))
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_wrong_input_of_the_action(tmp_path: Path) -> None:
    """The check through ci.yml is real: a misspelt input of ./ is an error."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, tmp_path / "action.yml")
    (tmp_path / ".github" / "workflows" / "use.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v5\n"
        "      - uses: ./\n        with:\n          comand: plan\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    done = actionlint(cwd=tmp_path)
    assert done.returncode == 1
    assert 'input "comand" is not defined in action "kbsync"' in done.stdout
    assert 'missing input "command" which is required by action "kbsync"' in done.stdout


def test_the_actions_steps_pass_actionlint_as_a_workflow(tmp_path: Path) -> None:
    action = _load(ACTION)
    inputs = {name: {"type": "string", "default": str(spec.get("default", ""))}
              for name, spec in action["inputs"].items()}
    workflow = {"name": "action steps", "on": {"workflow_dispatch": {"inputs": inputs}},
                "jobs": {"action": {"runs-on": "ubuntu-latest",
                                    "steps": action["runs"]["steps"]}}}
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    (folder / "action.yml").write_text(yaml.safe_dump(workflow, sort_keys=False))
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    done = actionlint(cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_action_metadata_is_what_github_accepts() -> None:
    action = _load(ACTION)
    assert set(action) <= {"name", "description", "author", "branding", "inputs", "outputs",
                           "runs"}
    assert action["name"] and action["description"] and action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"command", "directory", "args", "token", "github-token",
                                     "python-version", "detailed-exitcode"}
    for spec in action["inputs"].values():
        assert spec["description"] and set(spec) <= {"description", "required", "default",
                                                     "deprecationMessage"}
    steps = action["runs"]["steps"]
    ids = {step["id"] for step in steps if "id" in step}
    for name, spec in action["outputs"].items():
        found = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", spec["value"])
        assert found and found.group(1) in ids and found.group(2) == name, name
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        assert "run" not in step or step.get("shell"), f"a composite run step needs a shell: {step}"
    used = set(re.findall(r"inputs\.([\w-]+)", ACTION.read_text(encoding="utf-8")))
    assert used <= set(action["inputs"]), used - set(action["inputs"])


def test_the_action_outputs_are_the_ones_the_script_writes() -> None:
    from kbsync.github import action as script

    source = Path(script.__file__).read_text(encoding="utf-8")
    for name in _load(ACTION)["outputs"]:
        assert f'"{name}"' in source, name


def test_the_apply_workflow_never_overlaps_commits_the_lock_and_fails_honestly() -> None:
    text = (ROOT / "example-kb/.github/workflows/kbsync-apply.yml").read_text(encoding="utf-8")
    workflow = _load(ROOT / "example-kb/.github/workflows/kbsync-apply.yml")
    assert _on(workflow)["push"]["branches"] == ["main"]
    assert workflow["concurrency"] == {"group": "kbsync-apply", "cancel-in-progress": False}
    assert workflow["permissions"] == {"contents": "write"}
    steps = workflow["jobs"]["apply"]["steps"]
    apply = next(s for s in steps if s.get("id") == "apply")
    assert apply["with"]["command"] == "apply" and "continue-on-error" not in apply
    commit = next(s for s in steps if "git push" in s.get("run", ""))
    assert 'user.name "github-actions[bot]"' in commit["run"]
    assert "41898282+github-actions[bot]@users.noreply.github.com" in commit["run"]
    assert 'lock="$KB_DIR/kbsync.lock"' in commit["run"] and 'git add "$lock"' in commit["run"]
    assert "|| true" not in text


def test_the_pull_request_workflow_validates_plans_and_comments() -> None:
    workflow = _load(ROOT / "example-kb/.github/workflows/kbsync-plan.yml")
    assert "pull_request" in _on(workflow)
    assert workflow["permissions"]["pull-requests"] == "write"
    commands = [s["with"]["command"] for s in workflow["jobs"]["plan"]["steps"]
                if "with" in s and "command" in s["with"]]
    assert commands == ["validate", "plan", "coverage"]
    plan = next(s for s in workflow["jobs"]["plan"]["steps"] if s.get("id") == "plan")
    assert plan["with"]["github-token"] == "${{ secrets.GITHUB_TOKEN }}"


def test_the_nightly_pull_opens_a_pull_request_with_a_pinned_action() -> None:
    workflow = _load(ROOT / "example-kb/.github/workflows/kbsync-pull.yml")
    assert set(_on(workflow)) == {"schedule", "workflow_dispatch"}
    uses = [s.get("uses", "") for s in workflow["jobs"]["pull"]["steps"]]
    assert any(re.fullmatch(r"peter-evans/create-pull-request@v\d+", u) for u in uses), uses


@pytest.mark.parametrize("path", [*WORKFLOWS, *EXAMPLES], ids=lambda p: p.name)
def test_no_workflow_hides_a_failure(path: Path) -> None:
    assert "|| true" not in path.read_text(encoding="utf-8")


def test_the_readme_shows_the_example_workflows_verbatim() -> None:
    """The README's workflows are the example files, not a separate snippet."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    examples = {p.name: p.read_text(encoding="utf-8") for p in EXAMPLES}
    workflows = [b for b in blocks if "\njobs:" in b]
    assert workflows, "no workflow shown"
    for block in workflows:
        assert block in examples.values(), block[:200]
    assert {name for name, text in examples.items() if text in workflows} == set(examples)


def test_the_pull_request_plan_and_the_merge_apply_take_the_same_arguments() -> None:
    """What reviewers saw is what merging does: no --prune (or other option that changes
    the plan) on one side only; deletion rules come from kbsync.toml, read by both."""
    plan = next(s for s in _load(EXAMPLES_DIR / "kbsync-plan.yml")["jobs"]["plan"]["steps"]
                if s.get("id") == "plan")
    apply = next(s for s in _load(EXAMPLES_DIR / "kbsync-apply.yml")["jobs"]["apply"]["steps"]
                 if s.get("id") == "apply")
    assert plan["with"].get("args", "") == apply["with"].get("args", "")
    assert plan["with"]["directory"] == apply["with"]["directory"]
