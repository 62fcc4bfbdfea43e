"""Coverage tests: a small knowledge base applied to the test's own emulator, with tickets.

The command gets a client bound to that emulator through its ``connect`` seam, so every
test can count the requests it sent (``kb.requests()``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from kbsync.cli import report_error
from kbsync.commands import coverage as coverage_command
from kbsync.console import Console
from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.errors import KbsyncError
from tests.engine.conftest import KB, TOKEN, Outcome

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
SEARCH = "/portal/articles/search/"


def ticket(ticket_id: int, subject: str, description: str = "", html: str = "", *,
           days_ago: int = 1, spam: bool = False) -> dict[str, Any]:
    created = NOW.timestamp() - days_ago * 86400
    return {"id": ticket_id, "subject": subject, "description": description,
            "description_html": html, "is_spam": spam,
            "created_at": datetime.fromtimestamp(created, timezone.utc).isoformat()}


TICKETS = [
    ticket(1, "Forgot my password", "I forgot my password and cannot sign in. How do I reset "
           "it?", days_ago=2),
    ticket(2, "forgot my password!", "I FORGOT my password and cannot sign in; how do I reset "
           "it", days_ago=3),
    ticket(3, "Refund for a label", html="<p>I never used a <b>label</b>. Can I get my money "
           "back for the unused label?</p>", days_ago=5),
    ticket(4, "Cash on delivery", "Do you support cash on delivery for my customers?",
           days_ago=8),
    ticket(5, "WIN A PRIZE", "Click here to claim your crypto prize", spam=True, days_ago=1),
    ticket(6, "Cash on delivery possible?", "Can customers pay cash on delivery?",
           days_ago=40),
]


@dataclass
class CoverageKB(KB):
    def coverage(self, **options: Any) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        console = Console(color=False, stdout=out, stderr=err)
        try:
            code = coverage_command.run(self.config(), console,
                                        coverage_command.Options(**options),
                                        connect=self.connect, now=lambda: NOW)
        except KbsyncError as exc:
            code = report_error(exc, console)
        return Outcome(code, out.getvalue(), err.getvalue())

    def searches(self) -> int:
        return sum(1 for r in self.requests() if r["path"].endswith(SEARCH))

    def questions(self, *entries: str) -> None:
        self.write("coverage.yaml", "questions:\n" + "".join(f"  - {e}\n" for e in entries))


def write_coverage_kb(kb: KB) -> None:
    kb.write("account/_collection.yaml", "name: Your account\n")
    kb.article("account/reset-your-password.md", "Reset your password",
               "Forgot your password? Use the reset link on the sign in page to choose a "
               "new password.", excerpt="Forgot your password? Reset it.")
    kb.article("billing/refunds.md", "Refunds",
               "Get your money back for an unused label within 30 days. Refunds for a "
               "label take five days.", excerpt="Money back for unused labels.")
    kb.article("shipping/track-a-parcel.md", "Track a parcel",
               "Follow your parcel with its tracking number: every tracking status "
               "explained.")
    kb.article("shipping/schedule-a-pickup.md", "Schedule a carrier pickup",
               "Book a carrier pickup so the carrier collects parcels from your warehouse.",
               status="draft")


@contextmanager
def coverage_kb(tmp_path: Path, tickets: list[dict[str, Any]]) -> Iterator[CoverageKB]:
    """The knowledge base, applied to an emulator that also serves ``tickets``."""
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1, tickets=tickets))
    root = tmp_path / "kb"
    root.mkdir()
    base = CoverageKB(root, app)
    write_coverage_kb(base)
    assert base.apply().code == 0
    base.reset_log()
    yield base
    app.close()


@pytest.fixture
def kb(tmp_path: Path) -> Iterator[CoverageKB]:
    """The knowledge base, applied to an emulator that also serves TICKETS."""
    with coverage_kb(tmp_path, TICKETS) as base:
        yield base
