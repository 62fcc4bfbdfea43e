"""A small GitHub Actions runner, for tests: runs a workflow job's steps on this machine.

What it does as the runner does: every ``${{ }}`` in ``with:``, ``env:`` and ``run:`` is
evaluated (``tests.github.expressions``), ``if:`` decides whether a step runs (including
``hashFiles`` against the workspace), a ``run:`` script goes to bash with the runner's
flags (``bash -e`` by default, ``--noprofile --norc -eo pipefail`` for ``shell: bash``)
in the workspace (or ``working-directory``), ``$GITHUB_ENV``, ``$GITHUB_OUTPUT``,
``$GITHUB_PATH`` and ``$GITHUB_STEP_SUMMARY`` are fresh files read back after each step,
a failed step fails the job and only ``if: failure()``/``!cancelled()``/``always()``
steps run after it. A composite action (kbsync's ``action.yml``) runs its own steps the
same way, with its inputs and outputs.

What it does not do: fetch anything. Each ``uses:`` other than a composite action goes
to a handler the test gives (``actions/checkout``: the workspace already is the
checkout); every ``uses:`` is recorded with its evaluated inputs, so a test can check,
say, that a cache's ``path`` exists when the job ends.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from tests.github.expressions import Contexts, condition, interpolate

#: ``uses:`` handler: (runner, evaluated inputs) -> outputs, or raise StepFailed.
Handler = Callable[["ActionsRunner", dict[str, str]], dict[str, str]]


class StepFailed(Exception):
    """A ``uses:`` handler's way of failing its step."""


@dataclass
class StepResult:
    name: str
    outcome: str  # success, failure or skipped
    code: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


@dataclass
class JobResult:
    steps: list[StepResult]
    summary: str

    @property
    def succeeded(self) -> bool:
        return all(step.outcome != "failure" for step in self.steps)

    def step(self, name: str) -> StepResult:
        return next(step for step in self.steps if step.name == name)

    def report(self) -> str:
        """Each step's outcome and log, for an assertion message."""
        return "\n".join(f"--- {s.name}: {s.outcome} (exit {s.code})\n{s.log}"
                         for s in self.steps)


@dataclass
class Used:
    uses: str
    inputs: dict[str, str]


@dataclass
class ActionsRunner:
    """One job's runner: the workspace (a git checkout), RUNNER_TEMP, the contexts."""

    workspace: Path
    temp: Path
    github: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    base_env: dict[str, str] = field(default_factory=dict)  # PATH, HOME, ... of the process
    handlers: dict[str, Handler] = field(default_factory=dict)  # "owner/name" glob -> handler
    composites: dict[str, Path] = field(default_factory=dict)  # "owner/name" glob -> action dir
    used: list[Used] = field(default_factory=list)
    job_env: dict[str, str] = field(default_factory=dict)  # written to $GITHUB_ENV
    path_prefix: list[str] = field(default_factory=list)  # written to $GITHUB_PATH
    summary: str = ""

    # -- jobs ----------------------------------------------------------------------------------

    def run_job(self, workflow: Mapping[str, Any], job_id: str) -> JobResult:
        """The job's steps in order; a job whose ``if:`` is false runs none."""
        job = workflow["jobs"][job_id]
        env = {**_strings(workflow.get("env")), **_strings(job.get("env"))}
        contexts = self._contexts(env, {}, {})
        if not condition(job.get("if"), contexts):
            return JobResult([], "")
        env = {name: interpolate(value, contexts) for name, value in env.items()}
        results = self.run_steps(job["steps"], env, inputs={}, action_path=None)
        return JobResult(results, self.summary)

    def run_steps(self, steps: list[Mapping[str, Any]], env: dict[str, str], *,
                  inputs: dict[str, str], action_path: Path | None) -> list[StepResult]:
        results: list[StepResult] = []
        step_contexts: dict[str, Any] = {}
        failed = False
        for index, step in enumerate(steps):
            contexts = self._contexts(env, step_contexts, inputs, failed)
            name = str(step.get("id") or step.get("name") or f"step {index + 1}")
            if not condition(step.get("if"), contexts):
                result = StepResult(name, "skipped")
            else:
                step_env = {k: interpolate(v, contexts)
                            for k, v in _strings(step.get("env")).items()}
                contexts = self._contexts({**env, **step_env}, step_contexts, inputs, failed)
                result = self._run_step(name, step, contexts, {**env, **step_env}, action_path)
            results.append(result)
            failed = failed or result.outcome == "failure"
            if "id" in step:
                step_contexts[str(step["id"])] = {"outputs": result.outputs,
                                                  "outcome": result.outcome,
                                                  "conclusion": result.outcome}
        return results

    # -- one step ------------------------------------------------------------------------------

    def _run_step(self, name: str, step: Mapping[str, Any], contexts: Contexts,
                  env: dict[str, str], action_path: Path | None) -> StepResult:
        if "run" in step:
            script = interpolate(str(step["run"]), contexts)
            shell = step.get("shell")
            cwd = self.workspace / interpolate(str(step.get("working-directory", ".")), contexts)
            return self._shell(name, script, shell, cwd, env, action_path)
        uses = str(step["uses"])
        inputs = {k: interpolate(v, contexts) for k, v in _strings(step.get("with")).items()}
        self.used.append(Used(uses, inputs))
        where = uses.split("@")[0]
        composite = next((d for p, d in self.composites.items() if fnmatchcase(where, p)), None)
        if composite is not None:
            return self._composite(name, composite, inputs, env)
        handler = next((h for p, h in self.handlers.items() if fnmatchcase(where, p)), None)
        if handler is None:
            raise AssertionError(f"no handler for uses: {uses}")
        try:
            return StepResult(name, "success", outputs=handler(self, inputs))
        except StepFailed as failed:
            return StepResult(name, "failure", 1, stderr=str(failed))

    def _shell(self, name: str, script: str, shell: Any, cwd: Path, env: dict[str, str],
               action_path: Path | None) -> StepResult:
        files = {kind: self.temp / f"_{kind}_{uuid.uuid4().hex}" for kind in
                 ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
        for path in files.values():
            path.write_text("")
        script_file = self.temp / f"_script_{uuid.uuid4().hex}.sh"
        script_file.write_text(script)
        flags = ["--noprofile", "--norc", "-eo", "pipefail"] if shell == "bash" else ["-e"]
        assert shell in (None, "bash"), f"shell {shell!r} is not one this runner knows"
        process_env = {**self._process_env(), **env, **{k: str(v) for k, v in files.items()}}
        if action_path is not None:
            process_env["GITHUB_ACTION_PATH"] = str(action_path)
        done = subprocess.run(["bash", *flags, str(script_file)], cwd=cwd, env=process_env,
                              capture_output=True, text=True, timeout=600)
        self.job_env.update(read_key_values(files["GITHUB_ENV"].read_text()))
        self.path_prefix[:0] = files["GITHUB_PATH"].read_text().split()
        self.summary += files["GITHUB_STEP_SUMMARY"].read_text()
        outputs = read_key_values(files["GITHUB_OUTPUT"].read_text())
        return StepResult(name, "success" if done.returncode == 0 else "failure",
                          done.returncode, done.stdout, done.stderr, outputs)

    def _composite(self, name: str, action_dir: Path, given: dict[str, str],
                   env: dict[str, str]) -> StepResult:
        action = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
        unknown = set(given) - set(action.get("inputs", {}))
        assert not unknown, f"inputs not defined in {action_dir / 'action.yml'}: {unknown}"
        inputs = {n: given.get(n, str(spec.get("default", "")))
                  for n, spec in action.get("inputs", {}).items()}
        for input_name, spec in action.get("inputs", {}).items():
            assert not spec.get("required") or inputs[input_name], f"missing input {input_name}"
        results = self.run_steps(action["runs"]["steps"], env, inputs=inputs,
                                 action_path=action_dir)
        steps = {r.name: {"outputs": r.outputs, "outcome": r.outcome} for r in results}
        contexts = self._contexts(env, steps, inputs)
        outputs = {n: interpolate(str(spec["value"]), contexts)
                   for n, spec in action.get("outputs", {}).items()}
        failed = [r for r in results if r.outcome == "failure"]
        ran = [r for r in results if r.outcome != "skipped"]
        return StepResult(name, "failure" if failed else "success",
                          failed[0].code if failed else 0, "".join(r.stdout for r in ran),
                          "".join(r.stderr for r in ran), outputs)

    # -- contexts and environment -----------------------------------------------------------

    def _contexts(self, env: Mapping[str, str], steps: Mapping[str, Any],
                  inputs: Mapping[str, str], failed: bool = False) -> Contexts:
        values = {"github": self.github, "env": {**env, **self.job_env}, "secrets": self.secrets,
                  "vars": self.variables, "steps": steps, "inputs": inputs,
                  "runner": {"os": "Linux", "temp": str(self.temp)}, "job": {}, "matrix": {},
                  "needs": {}}
        return Contexts(values, self.workspace, failed)

    def _process_env(self) -> dict[str, str]:
        env = {**self.base_env, **self.job_env}
        env["PATH"] = os.pathsep.join([*self.path_prefix, env.get("PATH", os.defpath)])
        github = self.github
        event = self.temp / "_event.json"
        event.write_text(json.dumps(github.get("event", {})))
        env.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_EVENT_PATH": str(event), "RUNNER_TEMP": str(self.temp), "RUNNER_OS": "Linux",
        })
        for name in ("event_name", "repository", "sha", "ref", "ref_name", "ref_type",
                     "server_url", "api_url", "run_id", "actor"):
            if name in github:
                env[f"GITHUB_{name.upper()}"] = str(github[name])
        return env


def no_op(runner: ActionsRunner, inputs: dict[str, str]) -> dict[str, str]:
    """The handler of an action whose work the test does not need (checkout: the
    workspace already is the checkout; cache; artifacts): recorded in ``used``, no more."""
    return {}


def read_key_values(text: str) -> dict[str, str]:
    """A ``$GITHUB_OUTPUT`` / ``$GITHUB_ENV`` file: ``name=value`` or ``name<<DELIM``."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            values[name] = "\n".join(value)
        elif line:
            name, value_text = line.split("=", 1)
            values[name] = value_text
    return values


def load_workflow(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def _strings(mapping: Any) -> dict[str, str]:
    """YAML scalars as the runner passes them on: strings (``true``, not ``True``)."""
    return {str(k): _scalar(v) for k, v in (mapping or {}).items()}


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
