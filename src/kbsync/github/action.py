"""The GitHub Action's one step: ``python -m kbsync.github.action``.

``action.yml`` only installs kbsync and runs this module; the logic lives here, in the
package, so that it is tested and versioned with kbsync. It reads the action's inputs
from ``KBSYNC_*`` variables (set by ``action.yml``) and GitHub's own ``GITHUB_*``
variables, runs one kbsync command as a process of its own (``python -m kbsync``), then

* appends the Markdown plan (or report) to ``$GITHUB_STEP_SUMMARY``;
* writes the outputs ``has-changes``, ``conflicts``, ``plan-json``, ``plan-file`` and
  ``coverage`` to ``$GITHUB_OUTPUT`` (multi-line values in GitHub's heredoc syntax);
* with a ``github-token`` on a pull request, creates or updates one sticky comment.

Exit codes are kbsync's, except that ``plan`` finding changes is a success here (the
comment and outputs say it) unless the ``detailed-exitcode`` input (or ``args:
--detailed-exitcode``) asks for 2, as a scheduled drift check does; ``apply`` fails when
it leaves conflicts behind.
``apply`` runs as ``plan --out FILE`` then ``apply FILE``: the summary then shows
exactly what was applied, and a Help Center changed in between is refused as stale.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kbsync.config import TOKEN_ENV
from kbsync.console import Console
from kbsync.github.comments import (
    CommentError,
    Comments,
    comment_body,
    marker,
    pull_request_number,
)
from kbsync.plan.model import Action, Plan
from kbsync.render.github import annotation
from kbsync.render.json import plan_from_dict, plan_to_dict
from kbsync.render.markdown import cell, code, fence_for, render_markdown, text_cell
from kbsync.render.text import render_text, summary
from kbsync.words import plural

__all__ = ["COMMANDS", "Inputs", "Result", "main", "run", "write_outputs"]

COMMANDS = ("validate", "plan", "apply", "pull", "coverage")
USAGE_ERROR = 64
CHANGES_PRESENT = 2
#: GitHub keeps at most 1 MiB of outputs per job and of summary per step.
OUTPUT_LIMIT = 900_000
SUMMARY_LIMIT = 1_000_000
#: Options the action sets itself for a command; the same in ``args`` is refused.
_OWN_OPTIONS = {"plan": ("--format", "--out"),
                "apply": ("--format", "--out", "--detailed-exitcode"),
                "validate": ("--format",), "coverage": ("--format", "--out", "--json")}


class InputError(Exception):
    """A bad input of the action: one line, exit 64."""


@dataclass(frozen=True)
class Inputs:
    command: str
    directory: str
    args: tuple[str, ...]
    github_token: str | None
    detailed_exitcode: bool = False  # plan: exit 2 when there are changes (drift checks)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Inputs:
        command = environ.get("KBSYNC_COMMAND", "").strip()
        if command not in COMMANDS:
            raise InputError(f"command must be one of {', '.join(COMMANDS)}, got {command!r}")
        try:
            args = tuple(shlex.split(environ.get("KBSYNC_ARGS", "")))
        except ValueError as exc:
            raise InputError(f"args: {exc} (quote as in a shell)") from None
        for option in _OWN_OPTIONS.get(command, ()):
            if any(arg == option or arg.startswith(option + "=") for arg in args):
                raise InputError(f"args: the action sets {option} for {command} itself; "
                                 "remove it")
        detailed = _flag(environ.get("KBSYNC_DETAILED_EXITCODE", ""), "detailed-exitcode")
        if command == "plan" and "--detailed-exitcode" in args:  # kbsync's own spelling
            args, detailed = tuple(a for a in args if a != "--detailed-exitcode"), True
        if detailed and command != "plan":
            raise InputError(f"detailed-exitcode: only plan has it, not {command}")
        return cls(command, environ.get("KBSYNC_DIRECTORY", "").strip() or ".", args,
                   environ.get("KBSYNC_GITHUB_TOKEN") or None, detailed)


def _flag(value: str, name: str) -> bool:
    """A boolean input as GitHub passes it: the text 'true' or 'false' (or empty)."""
    text = value.strip().lower()
    if text not in ("true", "false", ""):
        raise InputError(f"{name}: must be true or false, got {value!r}")
    return text == "true"


@dataclass
class Result:
    """What one command produced, for the summary, the outputs and the comment."""

    code: int
    summary: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    comment: str | None = None  # Markdown for the sticky comment
    comment_kind: str = "plan"


def main(environ: Mapping[str, str] | None = None, stdout: IO[str] | None = None,
         stderr: IO[str] | None = None) -> int:
    env = os.environ if environ is None else environ
    console = Console(github=True, stdout=stdout, stderr=stderr)
    try:
        inputs = Inputs.from_env(env)
    except InputError as exc:
        console.out(annotation("error", str(exc), title="kbsync action"))
        return USAGE_ERROR
    if env.get("KBSYNC_TOKEN"):  # the token input; without it, a job's INITDESK_TOKEN
        os.environ[TOKEN_ENV] = env["KBSYNC_TOKEN"]
    result = run(inputs, env, console, stdout=stdout, stderr=stderr)
    if result.code != 0 and not result.summary:
        result.summary = (f"### kbsync {inputs.command}\n\n**Failed** (exit {result.code}): "
                          "see the annotations and the log.\n")
    if result.summary:
        _append(env.get("GITHUB_STEP_SUMMARY"), _capped(result.summary, SUMMARY_LIMIT))
    write_outputs(env.get("GITHUB_OUTPUT"), result.outputs)
    if result.comment is not None and not _comment(inputs, env, console, result):
        return result.code or 1
    return result.code


def run(inputs: Inputs, env: Mapping[str, str], console: Console,
        stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> Result:
    """Run the command; its stderr (annotations, progress) goes to the log."""
    root = ["-C", inputs.directory]
    if inputs.command == "validate":
        return _validate(_invoke([*root, "validate", "--format", "json", *inputs.args],
                                 stderr))
    if inputs.command in ("plan", "apply"):
        plan_file = Path(env.get("RUNNER_TEMP") or ".") / f"kbsync-plan-{uuid.uuid4().hex}.json"
        code, out = _invoke([*root, "plan", "--format", "json", "--detailed-exitcode",
                             "--out", str(plan_file), *inputs.args], stderr)
        if code not in (0, CHANGES_PRESENT):
            return Result(code)
        plan = plan_from_dict(json.loads(out))
        result = _planned(plan, out, plan_file, inputs, console)
        if inputs.command == "apply":
            return _apply(result, plan, plan_file, root, console, stdout, stderr)
        if inputs.detailed_exitcode and code == CHANGES_PRESENT:
            return _drift(result, plan, inputs, console)
        return result
    if inputs.command == "pull":
        return _pull(_invoke([*root, "pull", *inputs.args], stderr), console)
    report = Path(env.get("RUNNER_TEMP") or ".") / f"kbsync-coverage-{uuid.uuid4().hex}.json"
    return _coverage(_invoke([*root, "coverage", "--format", "markdown", "--json", str(report),
                              *inputs.args], stderr), report, inputs)


def _invoke(argv: Sequence[str], stderr: IO[str] | None, *,
            stdout: IO[str] | None = None) -> tuple[int, str]:
    """kbsync as a process of its own, as a step would run it: its stderr to the log
    (``stderr``, else this process's own), its stdout kept and returned, or to ``stdout``
    (the log) when given. ``GITHUB_ACTIONS`` is set for it, so it annotates and groups."""
    for stream in (stdout, stderr, sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()  # what this step said so far comes before what kbsync says
    done = subprocess.run(
        [sys.executable, "-m", "kbsync", *argv], check=False, encoding="utf-8",
        errors="replace", env={**os.environ, "GITHUB_ACTIONS": "true", "PYTHONUTF8": "1"},
        stdout=_passed(stdout) if stdout is not None else subprocess.PIPE,
        stderr=_passed(stderr))
    for stream, text in ((stdout, done.stdout), (stderr, done.stderr)):
        if stream is not None and text:  # it could not write to the stream itself
            stream.write(text)
    return done.returncode, done.stdout if stdout is None else ""


def _passed(stream: IO[str] | None) -> IO[str] | int | None:
    """What the child writes to for ``stream``: the stream itself when it is a file
    (the log, live), a pipe read back into it when it is not (a StringIO), or this
    process's own (None)."""
    if stream is None:
        return None
    try:
        stream.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return subprocess.PIPE
    return stream


# -- commands -----------------------------------------------------------------------------


def _validate(invoked: tuple[int, str]) -> Result:
    code, out = invoked
    try:
        report = json.loads(out)
    except ValueError:  # kbsync.toml itself was refused: annotated already
        return Result(code, "### kbsync validate\n\nThe configuration was refused; see the "
                            "annotations.\n")
    counts = report["counts"]
    head = (f"{plural(counts['articles'], 'article')} in "
            f"{plural(counts['collections'], 'collection')}")
    found = ", ".join(plural(counts[k], k[:-1]) for k in ("errors", "warnings") if counts[k])
    lines = ["### kbsync validate", "", f"{head}: {found or 'valid'}."]
    if report["findings"]:
        lines += ["", "| file | line | key | problem |", "|---|---|---|---|"]
        lines += [_finding_row(f) for f in report["findings"]]
    return Result(code, "\n".join(lines) + "\n",
                  {"errors": str(counts["errors"]), "warnings": str(counts["warnings"])})


def _finding_row(finding: Mapping[str, Any]) -> str:
    """One validate finding as a table row; every cell escaped (a file name or a
    message may hold ``|``, backticks or Markdown)."""
    mark = "⚠️" if finding["severity"] == "warning" else "❌"
    hint = f" ({finding['hint']})" if finding["hint"] else ""
    return (f"| {cell(code(finding['path']))} | {finding['line'] or ''} | "
            f"{text_cell(finding['key'] or '')} | {mark} {text_cell(finding['message'] + hint)} |")


def _planned(plan: Plan, plan_json: str, plan_file: Path, inputs: Inputs,
             console: Console) -> Result:
    if inputs.command == "plan":  # apply shows it as it applies it
        with console.group(f"kbsync plan: {summary(plan)}"):
            console.plan(render_text(plan))
    markdown = render_markdown(plan)
    outputs = {"has-changes": "true" if plan.has_changes else "false",
               "conflicts": str(plan.count(Action.CONFLICT)),
               "plan-json": _bounded_json(plan, plan_json),
               "plan-file": str(plan_file)}
    comment = markdown if inputs.command == "plan" else None
    return Result(0, markdown, outputs, comment, "plan")


def _drift(planned: Result, plan: Plan, inputs: Inputs, console: Console) -> Result:
    """``detailed-exitcode``: the plan has changes (or conflicts), so the step fails with
    kbsync's exit code for that, 2, and says why where a reader of the run looks first."""
    at_root = inputs.directory.strip("/") in ("", ".")
    where = "" if at_root else f" in {inputs.directory}"
    message = (f"The Help Center differs from the files{where}: {summary(plan)} "
               "See the job summary.")
    console.out(annotation("error", message, title="kbsync drift"))
    planned.code = CHANGES_PRESENT
    folder = "" if at_root else f" in {code(inputs.directory)}"
    planned.summary = (planned.summary.rstrip("\n") + "\n\n**Drift**: the Help Center "
                       f"differs from the files{folder} (exit {CHANGES_PRESENT}).\n")
    return planned


def _apply(planned: Result, plan: Plan, plan_file: Path, root: list[str], console: Console,
           stdout: IO[str] | None, stderr: IO[str] | None) -> Result:
    """``apply FILE``, always: it settles the lock even with nothing to write, and its
    exit code is the truth (1 when it leaves conflicts, which it reports itself)."""
    code, _ = _invoke([*root, "apply", str(plan_file)], stderr, stdout=stdout or sys.stdout)
    conflicts = plan.count(Action.CONFLICT)
    if conflicts:
        verdict = f"**{plural(conflicts, 'conflict')} left untouched**: see the annotations."
    elif code:
        verdict = f"**Apply failed** (exit {code}); see the log."
    else:
        verdict = "Applied." if plan.has_changes else "Nothing to apply."
    planned.code = code
    planned.summary = planned.summary.rstrip("\n") + f"\n\n{verdict}\n"
    return planned


def _pull(invoked: tuple[int, str], console: Console) -> Result:
    """pull prints one line per file: ``  <symbol> <what>  <path>``. ``!`` is a file
    edited on both sides (left untouched, or written with conflict markers); ``?`` only
    reports a remote deletion, ``=`` a file kept as it is and ``- deleted locally`` a file
    deleted here that stays deleted: none of them changes a file."""
    code, out = invoked
    lines = [line for line in out.splitlines() if line.strip()]
    for line in lines:
        console.out(line)
    words = [line.split(maxsplit=3)[:3] for line in lines]
    conflicts = sum(1 for word in words if word[0] == "!")
    changed = any(word[0] not in ("?", "=") and word != ["-", "deleted", "locally"]
                  for word in words)
    fence = fence_for(lines)  # a file name with backticks cannot close the block
    body = "\n".join(lines) if lines else "Nothing to pull."
    text = (f"### kbsync pull\n\n{fence}\n{body}\n{fence}\n" if lines
            else f"### kbsync pull\n\n{body}\n")
    return Result(code, text, {"has-changes": "true" if changed else "false",
                               "conflicts": str(conflicts)})


def _coverage(invoked: tuple[int, str], report_file: Path, inputs: Inputs) -> Result:
    """``coverage --format markdown --json FILE``: the Markdown report for the summary
    (and, with ``--compare``, the pull request's comment), the share from the JSON (the
    local tree's with ``--compare``)."""
    code, markdown = invoked
    try:
        report: Any = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # refused before a report: said in the log already
        return Result(code)
    summary = (report["after"] if report["kind"] == "coverage-comparison" else report)["summary"]
    comment = markdown if "--compare" in inputs.args else None
    return Result(code, markdown, {"coverage": f"{summary['coverage']:g}"}, comment,
                  "coverage")


# -- GitHub files and API -------------------------------------------------------------------


def write_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    """``name=value`` lines; a multi-line value between heredoc delimiters that cannot
    occur in it."""
    if not path or not outputs:
        return
    lines = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}")
        else:
            lines.append(f"{name}={value}")
    _append(path, "\n".join(lines) + "\n")


def _comment(inputs: Inputs, env: Mapping[str, str], console: Console, result: Result) -> bool:
    """Post or update the sticky comment; False when it was asked for (a github-token on a
    pull request) and could not be written: the step then fails, since a green step
    without the plan a reviewer relies on would hide that nobody sees it."""
    number = pull_request_number(env.get("GITHUB_EVENT_PATH"))
    if inputs.github_token is None or number is None or result.comment is None:
        if inputs.github_token and number is None:
            console.info("Not a pull request: no comment.")
        return True
    comments = Comments.connect(env.get("GITHUB_API_URL", "https://api.github.com"),
                                env.get("GITHUB_REPOSITORY", ""), inputs.github_token)
    body = comment_body(result.comment, marker(result.comment_kind, inputs.directory),
                        run_url=_run_url(env))
    try:
        posted = comments.upsert(number, body, marker(result.comment_kind, inputs.directory))
    except CommentError as exc:
        console.out(annotation("error", f"could not comment on pull request #{number}: {exc}",
                               title="kbsync action"))
        return False
    finally:
        comments.close()
    verb = "Commented" if posted.created else "Updated the comment"
    console.info(f"{verb} on pull request #{number}: {posted.url}")
    return True


def _run_url(env: Mapping[str, str]) -> str | None:
    server, repo, run_id = (env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                                                  "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None


def _bounded_json(plan: Plan, text: str) -> str:
    """The plan JSON; too big for an output, the same without field values."""
    if len(text) <= OUTPUT_LIMIT:
        return text.rstrip("\n")
    data = plan_to_dict(plan)
    for change in data["changes"]:
        change["fields"] = [{"field": f["field"]} for f in change["fields"]]
    data["fields_omitted"] = True
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _capped(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit("\n", 1)[0] + (
        "\n\n**Cut here**: the summary is limited to 1 MiB; the whole output is in the "
        "log of this step.\n")


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(text)


if __name__ == "__main__":
    sys.exit(main())
