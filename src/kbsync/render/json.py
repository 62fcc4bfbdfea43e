"""Plan <-> versioned JSON: the saved plan file and ``plan --json``.

The JSON is complete (every Change field, as ``dataclasses.asdict`` gives them), because
``apply PLANFILE`` executes exactly what was saved, and :func:`plan_from_dict` is its
exact inverse. Reading is strict, through the pydantic models of ``schema.planfile``: a
file of another format version, an unknown action or a missing field is refused with the
path of the bad value. ``summary`` is written for readers and ignored on read.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from kbsync.plan.model import Action, Change, Plan
from kbsync.schema.planfile import JSON_FORMAT_VERSION, read_plan

__all__ = ["JSON_FORMAT_VERSION", "plan_from_dict", "plan_to_dict", "render_json"]


def render_json(plan: Plan) -> str:
    """The plan as stable, diff-friendly JSON text (sorted keys, two-space indent)."""
    return json.dumps(plan_to_dict(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -- writing --------------------------------------------------------------------------------


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Every field of the plan as JSON values; ``summary`` is derived, for humans and CI."""
    return {
        "format_version": plan.version,
        "remote": {"base_url": plan.remote.base_url,
                   "organization_id": plan.remote.organization_id},
        "summary": {action.value: plan.count(action) for action in Action},
        "changes": [_change_to_dict(change) for change in plan.changes],
        "options": dict(plan.options),
        "warnings": list(plan.warnings),
        "root": plan.root,
    }


def _change_to_dict(change: Change) -> dict[str, Any]:
    data = dataclasses.asdict(change)
    data["action"] = change.action.value
    return data


# -- reading --------------------------------------------------------------------------------


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """The Plan a :func:`plan_to_dict` result describes; PlanError if it is not one."""
    return read_plan(data)
