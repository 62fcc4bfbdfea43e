"""Is a saved plan still the plan? Refuse one that no longer matches the remote.

A saved plan (``plan --out``) is what a reviewer approved. ``apply PLANFILE`` runs exactly
that, but only while every remote object it touches still has the fingerprint it had when
planned, and no object it creates has appeared meanwhile: otherwise it is stale.
"""

from __future__ import annotations

from kbsync.errors import StalePlanError
from kbsync.fingerprint import fields_fingerprint
from kbsync.model import ActualState, RemoteRef
from kbsync.model.lockstate import same_remote
from kbsync.plan.model import Action, Change, Plan
from kbsync.problems import clipped


def check_plan_remote(plan: Plan, remote: RemoteRef) -> None:
    """Raise StalePlanError when the plan was made for another Help Center (checked
    before any request; the base URL compared normalised)."""
    if not same_remote(plan.remote, remote):
        raise StalePlanError(
            f"the plan was made for organization {plan.remote.organization_id} at "
            f"{clipped(plan.remote.base_url)}, not {remote.organization_id} at "
            f"{clipped(remote.base_url)}; nothing was sent"
        )


def check_plan_root(plan: Plan, root: str) -> None:
    """Raise StalePlanError when the plan was made in another knowledge base (``root``:
    this one's absolute path). Checked before any request: another folder's plan would
    publish that folder's files and record them in this folder's lock."""
    if plan.root is None:
        raise StalePlanError("this plan does not say which folder it was made in; make it "
                             "again with `kbsync plan --out FILE` here")
    if plan.root != root:
        raise StalePlanError(
            f"this plan was made in {clipped(plan.root, 400)} (organization "
            f"{plan.remote.organization_id} at {clipped(plan.remote.base_url)}); apply it "
            "there, or run kbsync plan here")


def check_fresh(plan: Plan, actual: ActualState, remote: RemoteRef) -> None:
    """Raise StalePlanError naming every item that changed since the plan was made."""
    check_plan_remote(plan, remote)
    taken = {"article": set(actual.article_by_slug()),
             "collection": set(actual.collection_by_slug())}
    stale = [problem for change in plan.writes
             if (problem := _staleness(change, actual, taken))]
    if stale:
        raise StalePlanError(
            "the saved plan is stale; run `kbsync plan` again: " + "; ".join(stale)
        )


def _staleness(change: Change, actual: ActualState,
               taken: dict[str, set[str]]) -> str | None:
    if change.kind == "asset":
        return None  # not in the Help Center: its bytes are checked when it is uploaded
    if change.kind == "portal":
        if actual.portal is None:
            return None
        now = fields_fingerprint(actual.portal.settings)
        return None if now == change.remote_fingerprint else "portal settings changed"
    if change.action is Action.CREATE:
        slugs = taken[change.kind]
        return f"{change.kind} '{change.slug}' now exists" if change.slug in slugs else None
    if change.remote_id is None:
        return None
    table = actual.articles if change.kind == "article" else actual.collections
    current = table.get(change.remote_id)
    if current is None:
        return None if change.action is Action.DELETE else \
            f"{change.kind} '{change.slug}' (id {change.remote_id}) was deleted"
    if fields_fingerprint(current.fields) != change.remote_fingerprint:
        return f"{change.kind} '{change.slug}' (id {change.remote_id}) was edited"
    return None
