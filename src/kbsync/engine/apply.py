"""Running a plan: the executor step by step, the lock made durable after each, then settled.

After a complete run the lock also follows the items that were in sync but not in the
plan, and every applied file's text is kept as pull's merge base. The remote is recorded
in the lock before the first write. Each step's changes to the lock are journaled
(``lock.journaled``); the lock is written whole when the run ends, however it ends.
"""

from __future__ import annotations

from collections.abc import Callable

from kbsync.apply.bookkeeping import record_bases, sync_lock
from kbsync.apply.executor import ApplyHooks, ApplyResult, Executor
from kbsync.apply.uploads import StoreUploader
from kbsync.assets.store import AssetStore
from kbsync.config import Config
from kbsync.engine.remote import Planned
from kbsync.lock import journaled
from kbsync.model import Lock
from kbsync.remote.client import HelpCenterClient

__all__ = ["apply_plan", "settle_lock"]


def apply_plan(planned: Planned, client: HelpCenterClient, lock: Lock, config: Config, *,
               hooks: ApplyHooks | None = None,
               should_stop: Callable[[], bool] = lambda: False,
               store: AssetStore | None = None) -> ApplyResult:
    """Run the plan step by step, the lock journaled after each, then settle the lock.

    ``store`` takes the plan's uploads; they run first, so a failed upload stops apply
    before any article shows the file.
    """
    plan = planned.plan
    lock.bind(plan.remote)
    result = ApplyResult()
    with journaled(lock, config.lock_path) as record:
        if plan.has_changes:
            uploader = StoreUploader(config.root, store) if store is not None else None
            executor = Executor(client, lock, record, hooks, should_stop=should_stop,
                                uploader=uploader)
            result = executor.run(plan)
        if result.ok:
            if store is not None:
                for name in planned.stored:  # in the store already: no question next time
                    lock.add_asset(store.location, name)
            settle_lock(planned, lock, config, result)
    return result


def settle_lock(planned: Planned, lock: Lock, config: Config, result: ApplyResult) -> None:
    """The lock after a complete run: in-sync items followed, bases kept, render key
    (written with the rest when the journaled run ends)."""
    if planned.desired is not None and planned.matching is not None:
        sync_lock(lock, planned.desired, planned.actual, planned.matching, planned.plan)
        if not planned.plan.options.get("targets"):
            lock.render = planned.desired.render_key  # every body is what it renders to
    record_bases(config.root, lock, result.done)
