"""The token hunt: real commands, tokens of every shape, every error provoked; the token
(or any 6-character slice of it) appears nowhere.

Nowhere means: stdout, stderr, the crash reports, kbsync.lock, saved plans, the caches
and every other file under the knowledge base (``.kbsync/`` included). Shapes: a clean
token, one with the whitespace ``$(cat token.txt)`` or a paste leaves around it (which
is stripped and works), and ones with a newline, CR, tab, space, control or non-ASCII
character inside (refused before any request, with a message that shows no part of it).
Errors: 401, 403, 500s, dropped connections, timeouts, a write whose outcome is unknown,
``-v``. Commands run as ``python -m kbsync`` subprocesses and in-process, against the
emulator in-process and over HTTP.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.cli import report_error, run
from kbsync.commands import apply as apply_command
from kbsync.commands import doctor as doctor_command
from kbsync.commands import plan as plan_command
from kbsync.commands import pull as pull_command
from kbsync.config import Config, load_config
from kbsync.console import Console
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.errors import KbsyncError
from kbsync.plan.diff import DiffOptions
from kbsync.remote.client import HelpCenterClient
from tests.s3_server import S3Server

GOOD = "Qz7xK9wV3pL2mN8rT4"
#: INITDESK_TOKEN as users set it -> True when it is usable (after stripping).
SHAPES: dict[str, tuple[str, bool]] = {
    "clean": (GOOD, True),
    "trailing newline": (GOOD + "\n", True),
    "CRLF": (GOOD + "\r\n", True),
    "whitespace around": ("  \t" + GOOD + " \n", True),
    "newline inside": (GOOD[:9] + "\n" + GOOD[9:], False),
    "CR inside": (GOOD[:9] + "\r" + GOOD[9:], False),
    "tab inside": (GOOD[:9] + "\t" + GOOD[9:], False),
    "space inside": (GOOD[:9] + " " + GOOD[9:], False),
    "non-ASCII": (GOOD[:9] + "é" + GOOD[9:], False),
    "control": (GOOD[:9] + "\x07" + GOOD[9:], False),
    "zero-width space": (GOOD[:9] + "\u200b" + GOOD[9:], False),
}


def slices(token: str, size: int = 6) -> set[str]:
    """Every ``size``-character piece of the token, and of each of its printable runs."""
    pieces = {token[i:i + size] for i in range(len(token) - size + 1)}
    for run_ in token.replace("\u200b", " ").split():
        pieces |= {run_[i:i + size] for i in range(len(run_) - size + 1)}
    return {piece for piece in pieces if len(piece) == size}


def assert_no_token(token: str, *texts: str) -> None:
    pieces = slices(token)
    for text in texts:
        found = sorted(piece for piece in pieces if piece in text)
        assert not found, f"token slices {found} in: {text[:300]!r}"


def files_text(*folders: Path) -> str:
    """Everything kbsync may have written: the knowledge base (all of .kbsync too) and
    crash reports."""
    out = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and ".git" not in path.parts:
                out.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def write_kb(root: Path) -> None:
    (root / "g").mkdir(parents=True, exist_ok=True)
    (root / "kbsync.toml").write_text("[remote]\n")  # the remote comes from the environment
    (root / "g/_collection.yaml").write_text("name: Guides\n")
    (root / "g/a.md").write_text("---\ntitle: A\n---\nSee [b](b.md).\n")
    (root / "g/b.md").write_text("---\ntitle: B\n---\nText.\n")
    (root / "portal.yaml").write_text("name: Help\n")


# -- subprocesses over HTTP --------------------------------------------------------------


@dataclass
class Served:
    app: EmulatorApp
    url: str
    root: Path
    crash_dir: Path

    def kbsync(self, token: str, *args: str, org: str = "1",
               extra: dict[str, str] | None = None) -> tuple[int, str]:
        env = {**os.environ, "INITDESK_BASE_URL": self.url, "INITDESK_ORG_ID": org,
               "INITDESK_TOKEN": token, "INITDESK_RPM": "0", "TMPDIR": str(self.crash_dir),
               **(extra or {})}
        done = subprocess.run([sys.executable, "-m", "kbsync", "-C", str(self.root), *args],
                              env=env, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout + done.stderr


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    app = create_app(EmulatorConfig(token=GOOD, org_id=1))
    root, crash = tmp_path / "kb", tmp_path / "tmp"
    root.mkdir()
    crash.mkdir()
    write_kb(root)
    with running_server(app) as url:
        yield Served(app, url, root, crash)
    app.close()


@pytest.mark.parametrize("shape", ["trailing newline", "CR inside", "non-ASCII", "tab inside"])
def test_subprocess_token_shapes(served: Served, shape: str) -> None:
    token, usable = SHAPES[shape]
    code, output = served.kbsync(token, "-v", "plan", "--detailed-exitcode")
    if usable:
        assert code == 2, output
    else:
        assert code == 1 and "INITDESK_TOKEN holds" in output, output
        assert served.app.requests() == []
    assert_no_token(token, output, files_text(served.root, served.crash_dir))


def test_subprocess_commands_and_errors_never_show_the_token(served: Served) -> None:
    token = SHAPES["whitespace around"][0]
    outputs = []
    planfile = served.root / "saved.json"
    for args in (["-v", "apply", "--yes"], ["-v", "pull"], ["plan", "--out", str(planfile)],
                 ["plan", "--format", "json"], ["-v", "doctor"]):
        code, output = served.kbsync(token, *args)
        assert code == 0, output
        outputs.append(output)
    code, output = served.kbsync("Wr0ngT0kenValue99", "-v", "plan")  # 401
    assert code == 1 and "token rejected" in output, output
    outputs.append(output)
    code, output = served.kbsync(token, "-v", "plan", org="2")  # 403
    assert code == 1, output
    outputs.append(output)
    assert_no_token(token, *outputs, files_text(served.root, served.crash_dir))
    assert_no_token("Wr0ngT0kenValue99", *outputs, files_text(served.root, served.crash_dir))


def test_aws_secrets_never_show_in_output_or_files(served: Served, s3_server: S3Server) -> None:
    """The store's credentials come from the AWS chain: publishing, failing to reach the
    store and a bucket that refuses never print the secret key or session token."""
    bucket = s3_server.new_bucket("token-hunt")
    (served.root / "g/shot.png").write_bytes(b"\x89PNG shot")
    (served.root / "g/b.md").write_text("---\ntitle: B\n---\n![A shot](shot.png)\n")
    toml = (f'[assets]\npublish = "s3://{bucket}/kb"\n'
            f'public_url = "{s3_server.url}/{bucket}/kb"\n')
    (served.root / "kbsync.toml").write_text(toml)
    session = "FwoGZXIvYXdzEXAMPLEsessionTOKEN0123456789"
    aws = {**s3_server.env(), "AWS_SESSION_TOKEN": session}
    outputs = []
    for env, args, expected in (
            (aws, ["-v", "plan", "--out", str(served.root / "saved.json")], 0),
            (aws, ["-v", "apply", "--yes"], 0),
            (aws, ["plan", "--format", "json"], 0),
            ({**aws, "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"}, ["-v", "plan"], 0),
    ):
        code, output = served.kbsync(GOOD, *args, extra=env)
        assert code == expected, output
        outputs.append(output)
    (served.root / "g/shot.png").write_bytes(b"\x89PNG another shot")
    for env in ({**aws, "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9"}, aws):
        if env is aws:
            (served.root / "kbsync.toml").write_text(toml.replace(bucket, "no-such-bucket"))
        code, output = served.kbsync(GOOD, "-v", "apply", "--yes", extra=env)
        assert code == 1 and "cannot" in output, output
        outputs.append(output)
    for secret in (s3_server.env()["AWS_SECRET_ACCESS_KEY"], session):
        assert_no_token(secret, *outputs, files_text(served.root, served.crash_dir))


# -- in-process: every shape through the whole CLI, every error through the commands ------


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_through_the_cli(served: Served, shape: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    token, usable = SHAPES[shape]
    for name, value in {"INITDESK_BASE_URL": served.url, "INITDESK_ORG_ID": "1",
                        "INITDESK_TOKEN": token, "INITDESK_RPM": "0"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(tempfile, "tempdir", str(served.crash_dir))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        codes = [run(["--no-color", "-C", str(served.root), *args])
                 for args in (["-v", "plan"], ["apply", "--yes"], ["pull"])]
    output = out.getvalue() + err.getvalue()
    if usable:
        assert codes == [0, 0, 0], output
    else:
        assert codes == [1, 1, 1] and served.app.requests() == [], output
        assert "printable ASCII without spaces" in output
    assert_no_token(token, output, files_text(served.root, served.crash_dir))


@contextmanager
def _client(app: EmulatorApp, url: str | None, config: Config,
            timeout: float = 5.0) -> Iterator[HelpCenterClient]:
    """A client on the emulator (over HTTP when ``url``), token from the config, no waits."""
    transport = None if url else httpx.WSGITransport(app=app)
    with httpx.Client(base_url=url or "http://emulator.test", transport=transport,
                      timeout=timeout) as http:
        yield HelpCenterClient(http, organization_id=config.remote.organization_id or 1,
                               token=config.remote.token, requests_per_minute=0,
                               max_retries=2, sleep=lambda seconds: None)


ERRORS = ["401", "403", "500", "503", "429", "drop", "commit_then_500", "commit_then_drop",
          "timeout"]


@pytest.mark.parametrize("kind", ["in-process", "http"])
def test_every_error_through_the_commands(tmp_path: Path, kind: str) -> None:
    token = SHAPES["CRLF"][0]
    app = create_app(EmulatorConfig(token=GOOD, org_id=1, slow_seconds=0.3))
    root = tmp_path / "kb"
    root.mkdir()
    write_kb(root)
    texts: list[str] = []
    with contextlib.ExitStack() as stack:
        stack.callback(app.close)
        url = stack.enter_context(running_server(app)) if kind == "http" else None
        for error in ERRORS:
            if error == "timeout" and url is None:
                continue  # no socket, no timeout: over HTTP only
            (root / "g/b.md").write_text(f"---\ntitle: B {error}\n---\nText {error}.\n")
            org = "2" if error == "403" else "1"
            used = "Wr0ngT0kenValue99" if error == "401" else token
            config = load_config(root, environ={"INITDESK_TOKEN": used, "INITDESK_ORG_ID": org,
                                                "INITDESK_BASE_URL": "http://emulator.test",
                                                "INITDESK_RPM": "0"})
            faults = {"500": "500", "503": "503", "429": "429", "drop": "drop",
                      "commit_then_500": "commit_then_500",
                      "commit_then_drop": "commit_then_drop", "timeout": "slow"}
            if error in faults:
                app.set_faults(1.0, seed=3, kinds=[faults[error]])
            try:
                for command in (plan_command.run, apply_command.run, pull_command.run):
                    texts.append(_run(command, config, app, url,
                                      timeout=0.1 if error == "timeout" else 5.0))
                if error in ("401", "500", "drop"):
                    texts.append(_doctor(config, app, url))
            finally:
                app.set_faults(0.0)
    joined = "\n".join(texts)
    assert "token rejected" in joined and "not allowed for organization 2" in joined
    assert "HTTP 500" in joined and ("connection dropped" in joined or "disconnected" in joined)
    assert "ReadTimeout" in joined or kind == "in-process"
    assert_no_token(token, joined, files_text(root))
    assert_no_token("Wr0ngT0kenValue99", joined, files_text(root))


def _run(command: Any, config: Config, app: EmulatorApp, url: str | None,
         timeout: float) -> str:
    out, err = io.StringIO(), io.StringIO()
    console = Console(color=False, verbosity=1, stdout=out, stderr=err)
    extra: dict[str, Any] = {"options": DiffOptions()} if command is not pull_command.run else {}
    if command is apply_command.run:
        extra["yes"] = True
    try:
        command(config, console, connect=lambda c: _client(app, url, c, timeout), **extra)
    except KbsyncError as exc:
        report_error(exc, console)
    return out.getvalue() + err.getvalue()


def _doctor(config: Config, app: EmulatorApp, url: str | None) -> str:
    lines: list[str] = []
    try:
        with _client(app, url, config) as client:
            doctor_command.run(client, emit=lines.append)
    except KbsyncError as exc:
        lines.append(str(exc))
    return "\n".join(lines)


def test_the_hunt_finds_a_slice_of_a_leak() -> None:
    token = SHAPES["newline inside"][0]
    assert_no_token(token, "nothing here", GOOD[:5])
    for leak in (GOOD[3:9], "Illegal header value b'" + token + "'", GOOD[-6:]):
        with pytest.raises(AssertionError, match="token slices"):
            assert_no_token(token, "prefix " + leak)
