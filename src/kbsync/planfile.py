"""Saved plans on disk: ``plan --out FILE`` writes one, ``apply FILE`` reads it back.

The file is the versioned JSON of ``render.json`` (its exact inverse reads it), written
atomically. Whether a loaded plan is still fresh is ``plan.fresh``'s question.
"""

from __future__ import annotations

import json
from pathlib import Path

from kbsync.errors import PlanError
from kbsync.local.writer import atomic_write
from kbsync.model import ARTICLE_FIELDS, ASSET_FIELDS, COLLECTION_FIELDS, PORTAL_FIELDS
from kbsync.plan.model import Action, Change, Plan
from kbsync.problems import clipped, shown
from kbsync.render.json import plan_from_dict, render_json

#: What a plan may write, per kind: anything else would fail inside the executor.
_FIELDS = {"article": ARTICLE_FIELDS, "collection": COLLECTION_FIELDS,
           "portal": PORTAL_FIELDS, "asset": ASSET_FIELDS}
#: What a create must carry (the fields initdesk requires, and kbsync's identity).
_CREATE_NEEDS = {"article": ("title", "slug"), "collection": ("name", "slug"),
                 "asset": ASSET_FIELDS}

__all__ = ["load_plan", "save_plan"]


def save_plan(plan: Plan, path: Path) -> None:
    atomic_write(path, render_json(plan))


def load_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(
            f"{path}: no such plan file; make one with `kbsync plan --out {path}`"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is one
        raise PlanError(f"{path}: not a kbsync plan file ({clipped(str(exc), 120)})") from None
    except RecursionError:
        raise PlanError(f"{path}: not a kbsync plan file (nested too deeply)") from None
    if not isinstance(data, dict):
        raise PlanError(f"{path}: not a kbsync plan file")
    plan = plan_from_dict(data)
    for index, change in enumerate(plan.changes):
        _check_change(change, f"changes[{index}]")
    return plan


def _check_change(change: Change, where: str) -> None:
    """What the executor takes for granted of a change, checked of one read from a file
    (which anybody can edit): only fields the kind has, ids where an item exists."""
    known = _FIELDS[change.kind]
    for index, item in enumerate(change.fields):
        if item.field not in known:
            raise PlanError(f"invalid plan: {where}.fields[{index}].field: "
                            f"{shown(item.field)} is not one of the {change.kind} fields ("
                            f"{', '.join(known)})")
    if change.kind == "asset" and change.action is not Action.CREATE:
        raise PlanError(f"invalid plan: {where}: an asset is only ever uploaded (create), "
                        f"not {change.action.value}")
    if not change.action.writes or change.kind == "portal":
        return
    if change.action is Action.CREATE:
        given = {item.field for item in change.fields}
        missing = [name for name in _CREATE_NEEDS[change.kind] if name not in given]
        if missing:
            raise PlanError(f"invalid plan: {where}: a create without "
                            f"{' and '.join(missing)}")
    elif change.remote_id is None:
        raise PlanError(f"invalid plan: {where}: a {change.action.value} without remote_id")
