"""The release: every ref a user copies is one it makes, and a tag builds as its version.

release.yml's jobs run through ``tests.github.actions_runner`` in a scratch clone of this
repository (the working tree as committed there), with a bare ``origin`` to push to.
``gh`` (GitHub's CLI, on every runner) is a stand-in that records what it was asked.

The two ``slow`` tests (run with ``pytest -m slow``, as CI's reliability job does) are
the dry run: the build job as the release runs it (pip
installs build and twine, builds the wheel and the sdist from the tag, installs the
wheel in a clean virtual environment, checks ``kbsync --version``, runs the quickstart),
and the action as a workflow gets it (GitHub's tarball of the tag, which has no .git,
installed by action.yml's own install step). They reach the package registry, like
``.ci/run`` does, and take about a minute each.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.github.actions_runner import ActionsRunner, load_workflow, no_op
from tests.github.scene import GIT_ENV

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
COPIED = [*sorted((ROOT / "example-kb" / ".github" / "workflows").glob("*.yml")),
          ROOT / "README.md"]
_KBSYNC_REF = re.compile(r"[\w.-]+/kbsync@([\w.-]+)")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **GIT_ENV}).stdout


def tag_filter(pattern: str) -> re.Pattern[str]:
    """A GitHub workflow filter pattern (``on.push.tags``) as a regular expression: ``*``
    any characters but ``/``, ``+`` and ``[...]`` as in regular expressions, ``.``
    literal."""
    out = ""
    for char in pattern:
        out += {"*": "[^/]*", ".": r"\.", "?": "?"}.get(char, char)
    return re.compile(out)


def release_tags() -> list[re.Pattern[str]]:
    return [tag_filter(p) for p in _on(load_workflow(RELEASE.read_text()))["push"]["tags"]]


def makes(ref: str) -> bool:
    """Whether the release process makes ``ref``: a version tag it is triggered by, the
    major tag it moves (``v1`` for ``v1.0.0``), or a commit, pinned by its full SHA."""
    if re.fullmatch(r"[0-9a-f]{40}", ref):
        return True
    tag = f"{ref}.0.0" if re.fullmatch(r"v\d+", ref) else ref
    return any(p.fullmatch(tag) for p in release_tags())


def _on(workflow: dict[Any, Any]) -> Any:
    return workflow.get("on", workflow.get(True))


# -- what users copy ----------------------------------------------------------------------


def test_the_release_is_triggered_by_versions_not_by_the_major_tag() -> None:
    assert makes("v1.0.0") and makes("v1.3.0rc1") and makes("v1")
    assert not makes("v1.0") and not makes("latest") and not makes("main")


@pytest.mark.parametrize("path", COPIED, ids=lambda p: p.name)
def test_every_kbsync_ref_a_user_copies_is_one_the_release_makes(path: Path) -> None:
    refs = _KBSYNC_REF.findall(path.read_text(encoding="utf-8"))
    assert refs, f"{path.name} pins no kbsync ref"
    assert [ref for ref in refs if not makes(ref)] == []


def test_owner_is_explained_in_every_file_that_uses_it() -> None:
    for path in COPIED[:-1]:
        text = path.read_text(encoding="utf-8")
        assert "OWNER/kbsync@" in text
        assert "replace OWNER with the GitHub account that holds kbsync's repository" in \
            " ".join(line.lstrip("# ") for line in text.splitlines()), path.name


# -- the publish job ----------------------------------------------------------------------


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    return scratch_clone(tmp_path)


def scratch_clone(tmp_path: Path) -> Path:
    """This repository's working tree, committed in a scratch clone with a bare origin."""
    origin, repo = tmp_path / "origin.git", tmp_path / "kbsync"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(repo)], check=True,
                   capture_output=True)
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_bytes(source.read_bytes())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "kbsync")
    git(repo, "push", "-q", "origin", "HEAD:main")
    return repo


def release_runner(repo: Path, tag: str) -> ActionsRunner:
    """A runner for the tag's push, with gh recording its arguments in gh.log."""
    temp = repo.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    gh = temp / "bin" / "gh"
    gh.parent.mkdir(exist_ok=True)
    gh.write_text(f'#!/bin/sh\necho "$@" >> "{temp}/gh.log"\n')
    gh.chmod(0o755)
    git(repo, "tag", tag)
    git(repo, "push", "-q", "origin", f"refs/tags/{tag}")
    github = {"event_name": "push", "event": {}, "ref": f"refs/tags/{tag}", "ref_name": tag,
              "ref_type": "tag", "sha": git(repo, "rev-parse", "HEAD").strip(),
              "repository": "acme/kbsync", "token": "ghs_release"}
    return ActionsRunner(workspace=repo, temp=temp, github=github,
                         base_env={"PATH": f"{gh.parent}:/usr/bin:/bin", "HOME": str(temp),
                                   **GIT_ENV},
                         handlers={"actions/checkout": no_op,
                                   "actions/download-artifact": _dist,
                                   "actions/setup-python": _setup_python,
                                   "actions/upload-artifact": no_op})


def _dist(runner: ActionsRunner, inputs: dict[str, str]) -> dict[str, str]:
    """The build job's artifact, as the publish job downloads it (names only)."""
    dist = runner.workspace / inputs["path"]
    dist.mkdir(exist_ok=True)
    version = runner.github["ref_name"].removeprefix("v")
    for name in (f"kbsync-{version}-py3-none-any.whl", f"kbsync-{version}.tar.gz"):
        (dist / name).write_text("")
    return {}


def _setup_python(runner: ActionsRunner, inputs: dict[str, str]) -> dict[str, str]:
    """A fresh virtual environment of this Python (with pip) first on PATH."""
    venv = runner.temp / "setup-python"
    if not venv.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    runner.path_prefix.insert(0, str(venv / "bin"))
    return {}


def origin_tag(repo: Path, name: str) -> str | None:
    done = subprocess.run(["git", "--git-dir", str(repo.parent / "origin.git"), "rev-parse",
                           "--verify", "-q", f"refs/tags/{name}^{{commit}}"],
                          capture_output=True, text=True)
    return done.stdout.strip() or None


def test_a_release_publishes_the_tag_and_moves_the_major_tag(clone: Path) -> None:
    runner = release_runner(clone, "v1.2.3")
    job = runner.run_job(load_workflow(RELEASE.read_text()), "publish")
    assert job.succeeded and len(job.steps) == 4, job.report()
    assert origin_tag(clone, "v1") == runner.github["sha"]
    assert (runner.temp / "gh.log").read_text() == (
        "release create v1.2.3 --verify-tag --generate-notes dist/kbsync-1.2.3-py3-none-any.whl"
        " dist/kbsync-1.2.3.tar.gz\n")


def test_a_pre_release_leaves_the_major_tag_where_it_was(clone: Path) -> None:
    runner = release_runner(clone, "v2.0.0rc1")
    job = runner.run_job(load_workflow(RELEASE.read_text()), "publish")
    assert job.succeeded, job.report()
    assert origin_tag(clone, "v2") is None
    assert "--prerelease" in (runner.temp / "gh.log").read_text()


def test_a_tag_that_is_no_version_fails_the_build_first(clone: Path) -> None:
    runner = release_runner(clone, "v1.0.0-beta")  # the trigger takes it; PEP 440 does not
    job = runner.run_job(load_workflow(RELEASE.read_text()), "build")
    assert [s.outcome for s in job.steps[:4]] == ["success", "success", "failure", "skipped"]
    assert "::error title=Not a release tag::v1.0.0-beta" in job.steps[2].stdout


# -- the dry run --------------------------------------------------------------------------


@pytest.mark.slow
def test_the_release_build_of_a_tag_reports_the_tags_version(clone: Path) -> None:
    runner = release_runner(clone, "v9.8.7")
    git(clone, "tag", "v9")  # an old major tag on the same commit must not win
    job = runner.run_job(load_workflow(RELEASE.read_text()), "build")
    assert job.succeeded and all(s.outcome == "success" for s in job.steps), job.report()
    assert "kbsync, version 9.8.7" in job.step("kbsync --version is the tag").stdout
    assert sorted(p.name for p in (clone / "dist").iterdir()) == [
        "kbsync-9.8.7-py3-none-any.whl", "kbsync-9.8.7.tar.gz"]


@pytest.mark.slow
def test_the_action_from_githubs_tarball_of_a_tag_reports_the_tags_version(
        clone: Path) -> None:
    """The runner fetches an action as GitHub's tarball of the ref: no .git, only what
    git archive wrote (.git_archival.txt filled in). action.yml's install step installs
    from it; the step after it runs the installed kbsync."""
    runner = release_runner(clone, "v9.8.7")
    git(clone, "tag", "-f", "v9")
    action = clone.parent / "action"
    archive = clone.parent / "action.tar.gz"
    git(clone, "archive", "--prefix=action/", "-o", str(archive), "v9")
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(clone.parent)], check=True)
    assert not (action / ".git").exists()
    runner.handlers["actions/cache"] = no_op
    runner.composites = {"acme/kbsync": action}
    steps = [{"id": "kb", "uses": "acme/kbsync@v9",
              "with": {"command": "validate", "directory": "example-kb"}},
             {"run": '"$KBSYNC_ACTION_VENV/bin/kbsync" --version'}]
    results = runner.run_steps(steps, {}, inputs={}, action_path=None)
    assert [r.outcome for r in results] == ["success", "success"], "\n".join(
        r.log for r in results)
    assert results[1].stdout == "kbsync, version 9.8.7\n"


def test_the_archive_carries_the_version_facts_setuptools_scm_reads(clone: Path) -> None:
    git(clone, "tag", "v3.1.4")
    text = git(clone, "archive", "v3.1.4", ".git_archival.txt")
    assert "describe-name: v3.1.4" in text and "$Format" not in text
