"""``kbsync coverage``: how many customer questions find the right article through search.

The run is ``coverage.runner``'s (questions, searches, reports, stubs); this shows it:
the report on stdout or in ``--out``, the JSON beside it with ``--json``, what
``--suggest`` wrote. Exit 0, or 1 when coverage is below ``--min-coverage`` or on an
error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from kbsync.config import Config
from kbsync.console import Console
from kbsync.coverage.report import percent
from kbsync.coverage.runner import Options, Suggested
from kbsync.coverage.runner import run as run_coverage
from kbsync.session import Connect, open_client

__all__ = ["Options", "run"]


def run(config: Config, console: Console, options: Options = Options(), *,
        connect: Connect = open_client,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> int:
    done = run_coverage(config, options, console, connect=connect, now=now())
    if options.out is not None:
        _write(options.out, done.render(options.fmt))
        console.info(f"Wrote the {options.fmt} report to {options.out}: {done.line}")
    else:
        console.out(done.render(options.fmt).rstrip("\n"))
    if options.json_out is not None:
        _write(options.json_out, done.render("json"))
        console.info(f"Wrote the JSON report to {options.json_out}.")
    if done.suggested is not None:
        _show_suggested(console, done.suggested)
    if done.below_minimum:
        assert options.min_coverage is not None
        console.warn(f"coverage {percent(done.final.total.coverage)} is below "
                     f"--min-coverage {percent(options.min_coverage)}")
        return 1
    return 0


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _show_suggested(console: Console, suggested: Suggested) -> None:
    planned, directory = suggested.planned, suggested.directory
    if planned is None:
        console.info("No stubs to suggest: every question is covered.")
        return
    for path in planned.kept:
        console.info(f"  = kept      {directory / path} (already there; not overwritten)")
    for group in planned.publish:
        draft = group.draft
        assert draft is not None  # plan_stubs put the group here for its draft
        console.info(f"  ! publish   {draft.link or draft.slug}: the draft {draft.title!r} "
                     f"answers {group.count} asked ({', '.join(group.words)}); no stub")
    for stub in suggested.written:
        console.info(f"  + suggested {directory / stub.path}  ({stub.group.count} asked: "
                     f"{', '.join(stub.group.words)})")


