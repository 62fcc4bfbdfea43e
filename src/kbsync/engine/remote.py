"""The engine's side that reads the Help Center: the lock, the plan and a saved plan.

Every command that reads or writes the remote opens the lock here (plan, apply, apply
PLANFILE, pull, watch --push-drafts), so none can send a request for a lock made for
another Help Center; and every plan is judged here, once, against the safety gates
(``plan.planner.check_safe``): ``plan`` shows the verdict as a warning, ``apply``
refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kbsync.config import Config
from kbsync.errors import UnsafePlanError
from kbsync.local.renames import match_local
from kbsync.lock import load_lock
from kbsync.model import ActualState, DesiredState, LocalAsset, Lock, RemoteRef
from kbsync.plan.diff import DiffMemo, DiffOptions
from kbsync.plan.fresh import check_fresh, check_plan_remote, check_plan_root
from kbsync.plan.lockcheck import check_lock_ids, check_lock_remote
from kbsync.plan.match import Matching
from kbsync.plan.model import Plan
from kbsync.plan.planner import asset_changes, bodies_needed, build_plan, check_safe, targeted
from kbsync.planfile import load_plan
from kbsync.remote.actual import read_actual, read_for_saved_plan

if TYPE_CHECKING:
    from kbsync.assets.store import AssetStore
    from kbsync.engine.local import LocalState
    from kbsync.engine.workspace import Workspace
    from kbsync.remote.client import HelpCenterClient

__all__ = ["Planned", "open_lock", "open_saved_plan", "plan_against", "plan_root",
           "plan_saved", "read_remote", "unknown_assets"]


@dataclass(frozen=True)
class Planned:
    """A plan and what it was made from (``desired`` is None for a saved plan).

    ``refusal``: why apply must not run it (a safety gate), None when it may; the plan
    then also carries it as a warning, so ``plan`` shows it and a saved plan keeps it.
    ``stored``: see below.
    """

    plan: Plan
    actual: ActualState
    desired: DesiredState | None = None
    matching: Matching | None = None
    refusal: UnsafePlanError | None = None
    #: names of published files the store had though the lock did not say so (a HEAD
    #: found them): the lock records them once the plan is applied
    stored: tuple[str, ...] = ()

    def require_safe(self) -> None:
        """Raise the refusal, if there is one (apply, before it shows the plan)."""
        if self.refusal is not None:
            raise self.refusal


def open_lock(config: Config, remote: RemoteRef) -> Lock:
    """kbsync.lock, refused before any request when it belongs to another Help Center."""
    lock = load_lock(config.lock_path)
    check_lock_remote(lock, remote)
    return lock


def open_saved_plan(path: Path, config: Config, remote: RemoteRef) -> Plan:
    """A plan saved by ``plan --out``, refused before any request when it was made in
    another folder or for another Help Center."""
    plan = load_plan(path)
    check_plan_root(plan, plan_root(config.root))
    check_plan_remote(plan, remote)
    return plan


def read_remote(client: HelpCenterClient, lock: Lock, *, with_portal: bool) -> ActualState:
    """The Help Center as it is, after checking that the lock's ids still describe it
    (a hand-edited lock is refused before anything is planned or pulled)."""
    actual = read_actual(client, with_portal=with_portal)
    check_lock_ids(lock, actual)
    return actual


def plan_against(workspace: Workspace, local: LocalState, client: HelpCenterClient,
                 lock: Lock, remote: RemoteRef, *, options: DiffOptions = DiffOptions(),
                 targets: Sequence[str] = (), store: AssetStore | None = None) -> Planned:
    """Read the Help Center, render what changed, plan, and judge the plan.

    ``targets`` are knowledge-base keys: the command resolves what the user typed
    (``engine.targets.resolve_targets``) before it opens the Help Center, so a typo
    costs nothing. The options take kbsync.toml's part of them (``on_delete``). The
    plan records the knowledge base it was made in, so a saved one is applied there
    only (``plan.fresh.check_plan_root``). ``store``: the asset store, asked only about
    published files the lock does not know (:func:`unknown_assets`); the uploads come
    first in the plan.
    """
    config = workspace.config
    options = replace(options, on_delete=config.on_delete)
    actual = read_remote(client, lock, with_portal=local.portal is not None)
    desired = local.desired()
    matching = match_local(desired, actual, lock, local.tree.root)
    memo = DiffMemo()  # each remote body hashed and judged once for both passes
    todo = bodies_needed(desired, actual, lock, matching, targets, memo)
    desired = desired.with_bodies(local.filled(workspace.render(todo)))
    plan = build_plan(desired=desired, actual=actual, lock=lock, remote=remote,
                      options=options, targets=targets, matching=matching,
                      memo=memo)
    uploads, stored = unknown_assets(local, lock, store, targets)
    plan = replace(plan, changes=(*asset_changes(uploads), *plan.changes),
                   root=plan_root(local.tree.root))
    plan, refusal = _judged(plan, lock, config, options.force)
    return Planned(plan, actual, desired, matching, refusal,
                   tuple(asset.name for asset in stored))


def unknown_assets(local: LocalState, lock: Lock, store: AssetStore | None,
                   targets: Sequence[str] = ()) -> tuple[list[LocalAsset], list[LocalAsset]]:
    """The published files the targeted articles show that the lock does not know: (to
    upload, in the store already). The lock is asked first, so a knowledge base whose
    files were all published sends the store no request at all; the rest are one HEAD
    each."""
    if not local.published or store is None:
        return [], []
    paths = {path for key, path in local.linked_files() if targeted(key, targets)}
    uploads: list[LocalAsset] = []
    stored: list[LocalAsset] = []
    for path in sorted(paths):
        asset = local.published.get(path)
        if asset is None or lock.has_asset(store.location, asset.name):
            continue
        (stored if store.has(asset.name) else uploads).append(asset)
    return uploads, stored


def plan_saved(plan: Plan, client: HelpCenterClient, remote: RemoteRef, lock: Lock, *,
               config: Config, force: bool = False) -> Planned:
    """A saved plan, checked against the Help Center as it is now (StalePlanError), and
    the lock it will update against it; judged as a fresh plan is (``force``: apply's
    --force lifts max_deletes)."""
    actual = read_for_saved_plan(client, plan)
    check_lock_ids(lock, actual)
    check_fresh(plan, actual, remote)
    judged, refusal = _judged(plan, lock, config, force)
    return Planned(plan if refusal is None else judged, actual, refusal=refusal)


def plan_root(root: Path) -> str:
    """How a plan names the knowledge base it was made in: its absolute path."""
    return str(root.resolve())


def _judged(plan: Plan, lock: Lock, config: Config,
            force: bool) -> tuple[Plan, UnsafePlanError | None]:
    """The safety gates, asked once: the plan (with the refusal as a warning) and the
    refusal, or the plan as it is and None."""
    try:
        check_safe(plan, lock, max_deletes=config.max_deletes, force=force)
    except UnsafePlanError as exc:
        warning = f"apply will refuse this plan: {exc}"
        return replace(plan, warnings=(*plan.warnings, warning)), exc
    return plan, None
