"""Save and load a plan; refuse one that no longer matches the remote.

A saved plan (``plan --out``) is what a reviewer approved. ``apply PLANFILE`` runs exactly
that, but only while every remote object it touches still has the fingerprint it had when
planned, and no object it creates has appeared meanwhile: otherwise it is stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from kbsync.errors import PlanError, StalePlanError
from kbsync.fingerprint import fields_fingerprint
from kbsync.local.writer import atomic_write
from kbsync.plan.model import Action, Change, Plan, RemoteRef
from kbsync.remote.actual import ActualState
from kbsync.render.json import plan_from_dict, render_json


def save_plan(plan: Plan, path: Path) -> None:
    atomic_write(path, render_json(plan))


def load_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(
            f"{path}: no such plan file; make one with `kbsync plan --out {path}`"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanError(f"{path}: not a kbsync plan file ({exc})") from None
    if not isinstance(data, dict):
        raise PlanError(f"{path}: not a kbsync plan file")
    return plan_from_dict(data)


def check_fresh(plan: Plan, actual: ActualState, remote: RemoteRef) -> None:
    """Raise StalePlanError naming every item that changed since the plan was made."""
    if plan.remote != remote:
        raise StalePlanError(
            f"the plan was made for organization {plan.remote.organization_id} at "
            f"{plan.remote.base_url}, not {remote.organization_id} at {remote.base_url}"
        )
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
