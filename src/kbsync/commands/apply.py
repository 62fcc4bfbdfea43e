"""`kbsync apply`: run a plan (fresh, or a saved one) with a progress bar.

Ctrl-C is honoured between steps: the request under way finishes, the lock is saved, and
the command exits 130; the next run converges from there. A second Ctrl-C stops at once
(still safe: the lock is only ever replaced atomically).
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

from kbsync.apply.executor import ApplyResult, Executor
from kbsync.commands.plan import show
from kbsync.config import Config
from kbsync.console import Console
from kbsync.engine import LocalState, plan_against, read_local
from kbsync.errors import ApplyFailed, KbsyncError
from kbsync.fingerprint import blob_id, fields_fingerprint
from kbsync.lock import Lock, load_lock
from kbsync.plan.diff import DiffOptions
from kbsync.plan.model import Action, Plan
from kbsync.plan.planfile import check_fresh, load_plan
from kbsync.plan.planner import check_safe
from kbsync.pull.bases import BaseStore
from kbsync.remote.actual import ActualState, read_actual
from kbsync.remote.client import HelpCenterClient
from kbsync.session import Connect, open_client, remote_ref

INTERRUPTED = 130
_PAST = {Action.CREATE: "created", Action.ADOPT: "adopted", Action.UPDATE: "updated",
         Action.MOVE: "moved", Action.REORDER: "reordered", Action.DELETE: "deleted"}


def run(config: Config, console: Console, *, planfile: Path | None = None, yes: bool = False,
        options: DiffOptions = DiffOptions(), targets: Sequence[str] = (),
        connect: Connect = open_client) -> int:
    local = None if planfile is not None else read_local(config)
    if local is not None:
        for warning in local.warnings:
            console.problem(warning)
    lock = load_lock(config.lock_path)
    ref = remote_ref(config)
    with connect(config) as client:
        with console.status("Reading the Help Center…"):
            if local is None:
                assert planfile is not None
                plan = load_plan(planfile)
                actual = read_actual(client,
                                     with_portal=any(c.kind == "portal" for c in plan.changes))
                check_fresh(plan, actual, ref)
            else:
                plan, actual = plan_against(local, client, lock, ref, options=options,
                                            targets=targets)
        check_safe(plan, max_deletes=config.max_deletes, force=options.force)
        show(plan, console, "text")
        if not plan.has_changes:
            _sync_lock(lock, local, actual, plan, ref.base_url, ref.organization_id)
            if local is not None and not targets:
                lock.render = local.render_key
            lock.save(config.lock_path)
            return 0
        _confirm(console, yes)
        lock.base_url, lock.organization_id = ref.base_url, ref.organization_id
        before = client.request_count
        result = _execute(plan, client, lock, config, console)
        requests = client.request_count - before
    return _report(result, plan, lock, local, actual, config, console, requests)


def _confirm(console: Console, yes: bool) -> None:
    if yes:
        return
    if not console.interactive:
        raise KbsyncError("refusing to apply without --yes when not on a terminal")
    if not console.confirm("Apply these changes to the Help Center?"):
        raise KbsyncError("apply cancelled; nothing was changed")


def _execute(plan: Plan, client: HelpCenterClient, lock: Lock, config: Config,
             console: Console) -> ApplyResult:
    with stop_on_interrupt() as stop_requested, console.progress("Applying") as hooks:
        executor = Executor(client, lock, lambda lk: lk.save(config.lock_path), hooks,
                            should_stop=stop_requested)
        return executor.run(plan)


def _report(result: ApplyResult, plan: Plan, lock: Lock, local: LocalState | None,
            actual: ActualState, config: Config, console: Console, requests: int) -> int:
    done = [f"{c.action.value} {c.kind} {c.key}" for c in result.done]
    not_done = [f"{c.action.value} {c.kind} {c.key}" for c in result.not_done]
    if result.interrupted:
        lock.save(config.lock_path)
        console.warn(f"Interrupted: {len(done)} step(s) done, {len(not_done)} not done. "
                     "The lock is saved; run `kbsync apply` again to finish.")
        return INTERRUPTED
    if result.error is not None:
        failed = result.failed
        where = f" at {failed.action.value} {failed.kind} {failed.key}" if failed else ""
        raise ApplyFailed(
            f"apply stopped{where}: {result.error}\n  done ({len(done)}): "
            + (", ".join(done) or "nothing")
            + f"\n  not done ({len(not_done)}): " + (", ".join(not_done) or "nothing")
            + "\n  The lock records what was done; fix the cause and run apply again.",
            done, not_done)
    _sync_lock(lock, local, actual, plan, lock.base_url, lock.organization_id)
    _record_bases(config, lock, result)
    if local is not None and not plan.options.get("targets"):
        lock.render = local.render_key  # every body now is what this renderer makes
    lock.save(config.lock_path)
    counts = ", ".join(f"{plan.count(a)} {_PAST[a]}" for a in _PAST if plan.count(a))
    skipped = plan.count(Action.CONFLICT)
    tail = f"; {skipped} conflict(s) left untouched (kbsync pull, or --force)" if skipped else ""
    console.success(f"Apply complete: {counts} ({requests} requests){tail}.")
    return 0


def _record_bases(config: Config, lock: Lock, result: ApplyResult) -> None:
    """Keep a copy of each file as applied, so pull always finds its merge base.

    Without it, a file applied but never committed, then edited both locally and in
    initdesk, would have no base to merge from.
    """
    bases = BaseStore(config.root)
    for change in result.done:
        if change.kind != "article" or not change.local_fingerprint:
            continue
        try:
            data = (config.root / change.key).read_bytes()
        except OSError:
            continue
        if blob_id(data) == change.local_fingerprint:  # unchanged since it was planned
            bases.put(data)
    bases.save({entry.local for _, entry in lock.entries("articles") if entry.local})


def _sync_lock(lock: Lock, local: LocalState | None, actual: ActualState, plan: Plan,
               base_url: str | None, organization_id: int | None) -> None:
    """Record items that are in sync but not in the plan, as they are now.

    A renamed file with an unchanged article, a whitespace-only edit, or a write that was
    committed although its answer was lost all leave local and remote equal: the lock
    follows, so the next run sees no drift and pull finds the right base.
    """
    lock.base_url, lock.organization_id = base_url, organization_id
    if local is None:
        return
    pending = {c.key for c in plan.changes}
    for article in local.tree.articles:
        entry = lock.articles.get(article.slug)
        remote = actual.articles.get(entry.id) if entry is not None else None
        if entry is None or remote is None or article.key in pending:
            continue
        synced = replace(entry, path=article.key, local=article.source_hash,
                         remote=fields_fingerprint(remote.fields), updated_at=remote.updated_at)
        if synced != entry:
            lock.put("articles", article.slug, synced)
    for collection in local.tree.collections:
        entry = lock.collections.get(collection.slug)
        current = actual.collections.get(entry.id) if entry is not None else None
        if entry is None or current is None or collection.key in pending:
            continue
        synced = replace(entry, path=collection.key, remote=fields_fingerprint(current.fields),
                         updated_at=current.updated_at)
        if synced != entry:
            lock.put("collections", collection.slug, synced)


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
