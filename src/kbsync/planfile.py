"""Saved plans on disk: ``plan --out FILE`` writes one, ``apply FILE`` reads it back.

The file is the versioned JSON of ``render.json`` (its exact inverse reads it), written
atomically. Whether a loaded plan is still fresh is ``plan.fresh``'s question.
"""

from __future__ import annotations

import json
from pathlib import Path

from kbsync.errors import PlanError
from kbsync.local.writer import atomic_write
from kbsync.plan.model import Plan
from kbsync.render.json import plan_from_dict, render_json

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
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanError(f"{path}: not a kbsync plan file ({exc})") from None
    if not isinstance(data, dict):
        raise PlanError(f"{path}: not a kbsync plan file")
    return plan_from_dict(data)
