"""`kbsync plan`: what apply would change, as text, Markdown or JSON."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from kbsync.config import Config
from kbsync.console import Console
from kbsync.engine import resolve_targets
from kbsync.engine.remote import open_lock
from kbsync.frontend import open_workspace
from kbsync.plan.diff import DiffOptions
from kbsync.plan.model import Action, Plan
from kbsync.planfile import save_plan
from kbsync.render.formats import PLAN
from kbsync.session import Connect, asset_store, open_client, remote_ref
from kbsync.words import plural

CHANGES_PRESENT = 2


def run(config: Config, console: Console, *, fmt: str = "text", out: Path | None = None,
        detailed_exitcode: bool = False, options: DiffOptions = DiffOptions(),
        targets: Sequence[str] = (), connect: Connect = open_client,
        root_option: str | None = None) -> int:
    """``root_option`` is ``-C`` as the user gave it, for the apply command we suggest."""
    workspace = open_workspace(config)
    local = workspace.local()
    for warning in local.warnings:
        console.problem(warning)
    targets = resolve_targets(local, targets, Path.cwd())  # a typo: before any request
    ref = remote_ref(config)
    lock = open_lock(config, ref)  # a lock made for another Help Center: no request
    with connect(config) as client:
        with console.status("Reading the Help Center…"):
            planned = workspace.plan(local, client, lock, ref, options=options,
                                     targets=targets, store=asset_store(config))
        console.detail(f"{plural(client.request_count, 'request')} sent (reads only)")
    plan = planned.plan  # carries apply's refusal as a warning, if there is one
    show(plan, console, fmt)
    console.annotate_plan(plan)
    if out is not None:
        save_plan(plan, out)
        console.info(saved_message(out, root_option))
    differs = plan.has_changes or plan.count(Action.CONFLICT) > 0
    return CHANGES_PRESENT if detailed_exitcode and differs else 0


def show(plan: Plan, console: Console, fmt: str) -> None:
    """The plan in ``fmt`` (``render.formats.PLAN``); text coloured, in a log group."""
    if fmt == "text":
        console.show_plan(plan)
        return
    console.out(PLAN.renderer(fmt)(plan).rstrip("\n"))


def saved_message(out: Path, root_option: str | None) -> str:
    """What was written, in which format, and the exact command that applies it."""
    root = f" -C {shlex.quote(root_option)}" if root_option else ""
    return (f"Saved the plan to {out} (JSON). Apply exactly this plan with: "
            f"kbsync{root} apply {shlex.quote(str(out))}")
