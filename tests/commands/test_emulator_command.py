"""`kbsync emulator` says how to call it with curl, and that line works."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kbsync.cli import run
from kbsync.commands.emulator import curl_line
from kbsync.remote import wire


def test_the_curl_line_names_the_token_header_of_the_contract() -> None:
    assert curl_line("http://127.0.0.1:8765", 1, "emulator-token") == (
        f"curl -H '{wire.TOKEN_HEADER}: emulator-token' "
        "http://127.0.0.1:8765/organizations/1/portal/articles/")
    assert curl_line("http://127.0.0.1:8765", 3, None) == \
        "curl http://127.0.0.1:8765/organizations/3/portal/articles/"
    assert "'\"'\"'" in curl_line("http://h", 1, "it's")  # a quote stays one argument


def test_the_announced_curl_command_gets_the_articles() -> None:
    server = subprocess.Popen([sys.executable, "-m", "kbsync", "emulator", "--port", "0",
                               "--token", "s3cret-demo"], stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        lines = [server.stderr.readline().rstrip("\n") for _ in range(3)]
        assert lines[2].startswith("or call it yourself: curl -H ")
        words = shlex.split(lines[2].removeprefix("or call it yourself: "))
        assert words[:2] == ["curl", "-H"]
        name, _, value = words[2].partition(": ")
        response = httpx.get(words[3], headers={name: value}, timeout=10)
        assert response.status_code == 200 and response.json()["results"] == []
        assert httpx.get(words[3], timeout=10).status_code in (401, 403)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_bad_tickets_file_is_one_line_naming_it(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The emulator's own error, said as kbsync's: exit 1, nothing served."""
    (tmp_path / "tickets.json").write_text('[{"subject": "a"},\n oops]')
    assert run(["emulator", "--port", "0", "--tickets", str(tmp_path / "tickets.json")]) == 1
    assert capsys.readouterr().err == \
        f"Error: {tmp_path / 'tickets.json'}:2: not valid JSON (Expecting value)\n"
