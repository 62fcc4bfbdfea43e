"""Engine tests: a knowledge base in tmp_path, planned and applied against the emulator.

The commands get a client bound to the test's own in-process emulator (the ``connect``
seam every command has), so each test can read the emulator's request log.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.cli import report_error
from kbsync.commands import apply as apply_command
from kbsync.commands import plan as plan_command
from kbsync.config import Config, Secret, load_config
from kbsync.console import Console
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.errors import KbsyncError
from kbsync.plan.diff import DiffOptions
from kbsync.remote.client import HelpCenterClient
from tests.kb_files import KBFiles

TOKEN = "tok-engine-5ecret-9f8e7d"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@dataclass
class KB(KBFiles):
    """A knowledge base folder plus the emulator it syncs with."""

    root: Path
    app: EmulatorApp
    files: dict[str, str] = field(default_factory=dict)

    def config(self) -> Config:
        return load_config(self.root, environ={"INITDESK_TOKEN": TOKEN,
                                               "INITDESK_BASE_URL": "http://emulator.test",
                                               "INITDESK_ORG_ID": "1", "INITDESK_RPM": "0"})

    @contextmanager
    def connect(self, config: Config) -> Iterator[HelpCenterClient]:
        transport = httpx.WSGITransport(app=self.app)
        with httpx.Client(transport=transport, base_url="http://emulator.test") as http:
            yield HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                   requests_per_minute=0, sleep=lambda s: None)

    def plan(self, *, prune: str = "off", force: bool = False, **kwargs: Any) -> Outcome:
        return self._run(plan_command.run, detailed_exitcode=True,
                         options=DiffOptions(prune=prune, force=force),  # type: ignore[arg-type]
                         **kwargs)

    def apply(self, *, prune: str = "off", force: bool = False, **kwargs: Any) -> Outcome:
        return self._run(apply_command.run, yes=True,
                         options=DiffOptions(prune=prune, force=force),  # type: ignore[arg-type]
                         **kwargs)

    def _run(self, command: Any, **kwargs: Any) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        console = Console(color=False, stdout=out, stderr=err)
        try:
            code = command(self.config(), console, connect=self.connect, **kwargs)
        except KbsyncError as exc:
            code = report_error(exc, console)
        return Outcome(code, out.getvalue(), err.getvalue())

    def requests(self) -> list[dict[str, Any]]:
        return self.app.requests()

    def writes(self) -> list[tuple[str, str]]:
        return [(r["method"], r["path"]) for r in self.app.requests() if r["method"] in WRITES]

    def reset_log(self) -> None:
        self.app.reset_log()

    def remote(self, path: str) -> Any:
        with self.connect(self.config()) as client:
            return client.get_json(path)

    def remote_articles(self) -> list[Any]:
        with self.connect(self.config()) as client:
            return client.list_articles()


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[KB]:
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
    root = tmp_path / "kb"
    root.mkdir()
    yield KB(root, app)
    app.close()


def write_small_kb(kb: KB) -> KB:
    """Two collections (one nested), four articles linking to each other."""
    kb.write("guides/_collection.yaml", "name: Guides\ndescription: How-tos\n")
    kb.article("guides/01-start.md", "Start here", "Read [billing](../billing/invoices.md).")
    kb.article("guides/02-next.md", "Next steps", "## Details\n\nMore [start](01-start.md).")
    kb.article("guides/advanced/deep.md", "Deep dive", "See [next](../02-next.md#details).")
    kb.article("billing/invoices.md", "Invoices", "| a | b |\n|---|---|\n| 1 | 2 |",
               excerpt="Where invoices live")
    return kb


@pytest.fixture
def small_kb(kb: KB) -> KB:
    return write_small_kb(kb)
