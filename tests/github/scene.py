"""A knowledge-base repository on a runner, for the action's and the workflows' tests.

The repository is a git clone of a bare ``origin`` (so a workflow can pull and push),
with a small knowledge base in ``kb_dir`` ("." or a subfolder). The Help Center is the
emulator over HTTP on 127.0.0.1 and GitHub's REST API a local stand-in
(``tests.github.github_api``). Steps run through ``tests.github.actions_runner``; only the
action's install step is not exercised here (an earlier use in the job "installed"
kbsync: ``$RUNNER_TEMP/kbsync-venv`` runs this test's Python, and ``KBSYNC_ACTION_VENV``
is set, so the install steps' own ``if:`` skips them). ``tests/test_release.py``
installs the action for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from kbsync.config import Secret
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.remote.client import HelpCenterClient
from tests.github.actions_runner import ActionsRunner, JobResult, StepResult, load_workflow, no_op
from tests.github.github_api import ACTIONS_BOT, GitHubAPI

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-action-5ecret-77aa"
GITHUB_TOKEN = "ghs_standin_token_123"  # the workflow's GITHUB_TOKEN: github-actions[bot]
PR = 7
#: Who commits in the scratch repositories (the machine may have no git identity).
GIT_ENV = {"GIT_AUTHOR_NAME": "Writer", "GIT_AUTHOR_EMAIL": "writer@example.test",
            "GIT_COMMITTER_NAME": "Writer", "GIT_COMMITTER_EMAIL": "writer@example.test"}


@dataclass
class ActionStep:
    """One use of the action: its exit code, log, job summary and the outputs it set."""

    code: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Scene:
    repo: Path
    origin: Path
    temp: Path
    kb_dir: str
    emulator_url: str
    github_url: str
    app: EmulatorApp
    github: GitHubAPI

    # -- the repository ----------------------------------------------------------------------

    def write(self, rel: str, text: str) -> None:
        path = self.repo / self.kb_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.repo, check=True, capture_output=True,
                              text=True, env={**os.environ, **GIT_ENV})
        return done.stdout

    def commit(self, message: str = "kb") -> None:
        self.git("add", "-A")
        self.git("commit", "-qm", message)
        self.git("push", "-q", "origin", "HEAD:main")

    def origin_file(self, rel: str) -> str:
        """A file as committed on origin's main (what a push left there)."""
        return subprocess.run(["git", "--git-dir", str(self.origin), "show", f"main:{rel}"],
                              check=True, capture_output=True, text=True).stdout

    # -- the runner ----------------------------------------------------------------------------

    def runner(self, event_name: str = "pull_request", event: dict[str, Any] | None = None,
               ref: str = "refs/heads/main") -> ActionsRunner:
        if event is None and event_name == "pull_request":
            event = {"pull_request": {"number": PR, "head": {"repo": {
                "full_name": self.github.repository}}}}
        github = {"event_name": event_name, "event": event or {},
                  "repository": self.github.repository, "sha": self.git("rev-parse", "HEAD")
                  .strip(), "ref": ref, "ref_name": ref.rsplit("/", 1)[-1],
                  "ref_type": "tag" if ref.startswith("refs/tags/") else "branch",
                  "server_url": "https://github.test", "api_url": self.github_url,
                  "run_id": "4242", "token": GITHUB_TOKEN, "action_ref": "v1"}
        venv = self.temp / "kbsync-venv"
        return ActionsRunner(
            workspace=self.repo, temp=self.temp, github=github,
            secrets={"INITDESK_TOKEN": TOKEN, "GITHUB_TOKEN": GITHUB_TOKEN},
            base_env={"PATH": os.environ["PATH"], "HOME": str(self.temp),
                      "PYTHONPATH": str(ROOT), "INITDESK_BASE_URL": self.emulator_url,
                      "INITDESK_ORG_ID": "1", "INITDESK_RPM": "0"},
            handlers={"actions/checkout": no_op, "actions/cache": no_op,
                      "peter-evans/create-pull-request": no_op},
            composites={"./": ROOT, "*/kbsync": ROOT},
            job_env={"KBSYNC_ACTION_VENV": str(venv)})

    def run_workflow(self, text: str, job: str, runner: ActionsRunner | None = None
                     ) -> JobResult:
        return (runner or self.runner()).run_job(load_workflow(text), job)

    def step(self, command: str, *, args: str = "", github_token: str = GITHUB_TOKEN,
             directory: str | None = None, runner: ActionsRunner | None = None,
             **inputs: str) -> ActionStep:
        """The action once (``uses: ./``), with these inputs, in a fresh job."""
        runner = runner or self.runner()
        given = {"command": command, "directory": self.kb_dir if directory is None
                 else directory, "args": args, "token": TOKEN, "github-token": github_token,
                 **{name.replace("_", "-"): value for name, value in inputs.items()}}
        [result] = runner.run_steps([{"id": "kbsync-action", "uses": "./", "with": given}],
                                    {}, inputs={}, action_path=None)
        return _action_step(result, runner.summary)

    @contextmanager
    def remote_client(self) -> Iterator[HelpCenterClient]:
        with httpx.Client(base_url=self.emulator_url) as http:
            yield HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                   requests_per_minute=0)


def _action_step(result: StepResult, summary: str) -> ActionStep:
    outputs = {name: value for name, value in result.outputs.items() if value}
    return ActionStep(result.code, result.stdout, result.stderr, summary, outputs)


@contextmanager
def scene(tmp_path: Path, kb_dir: str) -> Iterator[Scene]:
    """A repository with a two-article knowledge base in ``kb_dir``, committed and pushed."""
    origin, repo, temp = tmp_path / "origin.git", tmp_path / "repo", tmp_path / "runner-temp"
    temp.mkdir()
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(repo)], check=True,
                   capture_output=True)
    _fake_install(temp / "kbsync-venv" / "bin")
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
    github = GitHubAPI(tokens={GITHUB_TOKEN: ACTIONS_BOT})
    with running_server(app) as emulator_url, running_server(github) as github_url:
        kb = Scene(repo, origin, temp, kb_dir, emulator_url, github_url, app, github)
        (repo / ".gitignore").write_text(".kbsync/\n")
        kb.write("kbsync.toml", '[remote]\nbase_url = "https://api.initdesk.com"\n'
                                "organization_id = 1\n")
        kb.write("guides/01-start.md", "---\ntitle: Start here\n---\n\nSee [next](02-next.md).\n")
        kb.write("guides/02-next.md", "---\ntitle: Next steps\n---\n\nMore text.\n")
        kb.commit("The knowledge base")
        yield kb
    app.close()


def _fake_install(bin_dir: Path) -> None:
    """What the action's install step leaves: a venv whose python and kbsync run ours."""
    bin_dir.mkdir(parents=True)
    for name, command in (("python", '"$@"'), ("kbsync", '-m kbsync "$@"')):
        path = bin_dir / name
        path.write_text(f'#!/bin/sh\nexec "{sys.executable}" {command}\n')
        path.chmod(0o755)
