"""`kbsync apply`: run a plan (fresh, or a saved one) with a progress bar.

Ctrl-C is honoured between steps: the request under way finishes, the lock is saved, and
the command exits 130; the next run converges from there. A second Ctrl-C stops at once
(still safe: the lock is only ever replaced atomically).
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from kbsync.apply.executor import ApplyResult
from kbsync.config import Config
from kbsync.console import Console
from kbsync.engine import resolve_targets
from kbsync.engine.remote import Planned, open_lock, open_saved_plan
from kbsync.errors import ApplyFailed, ConflictsLeft, KbsyncError
from kbsync.frontend import open_workspace
from kbsync.local.writer import clean_stale_temps
from kbsync.plan.diff import DiffOptions
from kbsync.plan.model import Action, Plan
from kbsync.problems import escaped
from kbsync.runlock import hold_run_lock
from kbsync.session import Connect, asset_store, open_client, remote_ref
from kbsync.words import plural

INTERRUPTED = 130
_PAST = {Action.CREATE: "created", Action.ADOPT: "adopted", Action.UPDATE: "updated",
         Action.MOVE: "moved", Action.REORDER: "reordered", Action.DELETE: "deleted"}


def run(config: Config, console: Console, *, planfile: Path | None = None, yes: bool = False,
        options: DiffOptions = DiffOptions(), targets: Sequence[str] = (),
        connect: Connect = open_client) -> int:
    with hold_run_lock(config.state_dir, "apply"):  # a second apply or pull refuses at once
        clean_stale_temps(config.root)
        return _run(config, console, planfile=planfile, yes=yes, options=options,
                    targets=targets, connect=connect)


def _run(config: Config, console: Console, *, planfile: Path | None, yes: bool,
         options: DiffOptions, targets: Sequence[str], connect: Connect) -> int:
    workspace = open_workspace(config)
    local = None if planfile is not None else workspace.local()
    if local is not None:
        for warning in local.warnings:
            console.problem(warning)
        targets = resolve_targets(local, targets, Path.cwd())  # a typo: before any request
    ref = remote_ref(config)
    lock = open_lock(config, ref)  # a lock made for another Help Center: no request
    # made in another folder or for another Help Center: refused before any request
    saved = open_saved_plan(planfile, config, ref) if planfile is not None else None
    store = asset_store(config)  # connected on its first request: none when all is known
    with connect(config) as client:
        with console.status("Reading the Help Center…"):
            if saved is not None:
                planned = workspace.plan_saved(saved, client, ref, lock, force=options.force)
            else:
                assert local is not None
                planned = workspace.plan(local, client, lock, ref, options=options,
                                         targets=targets, store=store)
        planned.require_safe()
        plan = planned.plan
        console.show_plan(plan)
        console.annotate_plan(plan)
        if not plan.has_changes:
            workspace.apply(planned, client, lock, store=store)  # the lock follows
            _fail_on_conflicts(plan)
            return 0
        _confirm(console, yes or planfile is not None)  # a saved plan is the approval
        before = client.request_count
        with stop_on_interrupt() as stop_requested, console.progress(
                "Applying", requests=lambda: client.request_count - before) as hooks:
            result = workspace.apply(planned, client, lock, hooks=hooks,
                                     should_stop=stop_requested, store=store)
        requests = client.request_count - before
    return _report(result, planned, console, requests)


def _confirm(console: Console, yes: bool) -> None:
    if yes:
        return
    if not console.interactive:
        raise KbsyncError("refusing to apply without --yes when not on a terminal")
    if not console.confirm("Apply these changes to the Help Center?"):
        raise KbsyncError("apply cancelled; nothing was changed")


def _report(result: ApplyResult, planned: Planned, console: Console, requests: int) -> int:
    plan = planned.plan
    done = [f"{c.action.value} {c.kind} {escaped(c.key)}" for c in result.done]
    not_done = [f"{c.action.value} {c.kind} {escaped(c.key)}" for c in result.not_done]
    if result.interrupted:
        console.warn(f"Interrupted: {plural(len(done), 'step')} done, {len(not_done)} not done. "
                     "The lock is saved; run `kbsync apply` again to finish.")
        return INTERRUPTED
    if result.error is not None:
        failed = result.failed
        where = (f" at {failed.action.value} {failed.kind} {escaped(failed.key)}" if failed
                 else "")
        raise ApplyFailed(
            f"apply stopped{where}: {result.error}\n  done ({len(done)}): "
            + (", ".join(done) or "nothing")
            + f"\n  not done ({len(not_done)}): " + (", ".join(not_done) or "nothing")
            + "\n  The lock records what was done; fix the cause and run apply again.",
            done, not_done)
    counts = ", ".join([f"{plan.uploads} uploaded"] * bool(plan.uploads)
                       + [f"{plan.count_items(a)} {_PAST[a]}" for a in _PAST
                          if plan.count_items(a)])
    console.success(f"Apply complete: {counts} ({plural(requests, 'request')}).")
    _fail_on_conflicts(plan)
    return 0


def _fail_on_conflicts(plan: Plan) -> None:
    """Conflicts left alone mean the Help Center still differs: exit 1, said last."""
    conflicts = [c for c in plan.changes if c.action is Action.CONFLICT]
    if conflicts:
        raise ConflictsLeft([c.key for c in conflicts],
                            deleted=[c.key for c in conflicts if c.deleted_here])


@contextmanager
def stop_on_interrupt() -> Iterator[Callable[[], bool]]:
    """First Ctrl-C: finish the current step, then stop. Second: stop now."""
    requested = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal requested
        if requested:
            raise KeyboardInterrupt
        requested = True

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (tests): no handler, plain KeyboardInterrupt
        yield lambda: False
        return
    try:
        yield lambda: requested
    finally:
        signal.signal(signal.SIGINT, previous)
