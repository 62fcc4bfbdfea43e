"""planfile: a saved plan reads back exactly; anything else is refused with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbsync.errors import PlanError
from kbsync.model import RemoteRef
from kbsync.plan.model import Action, Change, FieldChange, Plan
from kbsync.planfile import load_plan, save_plan

PLAN = Plan(RemoteRef("https://api.example", 3), (
    Change("article", "a.md", Action.UPDATE, "a", "A", remote_id=9,
           fields=(FieldChange("title", "Old", "A"),), remote_fingerprint="sha256:1",
           local_fingerprint="blob"),
), options={"prune": "off", "force": False, "targets": []})


def test_a_saved_plan_reads_back_exactly(tmp_path: Path) -> None:
    save_plan(PLAN, tmp_path / "plan.json")
    assert load_plan(tmp_path / "plan.json") == PLAN


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="no such plan file; make one with `kbsync plan --out"):
        load_plan(tmp_path / "missing.json")


@pytest.mark.parametrize(("text", "reason"), [
    ("not json", "not a kbsync plan file"),
    ("[1, 2]", "not a kbsync plan file"),
    ('{"format_version": 99, "remote": {}}', "format_version 99 is not supported"),
])
def test_what_is_not_a_plan_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / "plan.json").write_text(text)
    with pytest.raises(PlanError, match=reason):
        load_plan(tmp_path / "plan.json")


def test_an_unknown_field_is_refused_with_its_path(tmp_path: Path) -> None:
    save_plan(PLAN, tmp_path / "plan.json")
    data = json.loads((tmp_path / "plan.json").read_text())
    data["changes"][0]["surprise"] = 1
    (tmp_path / "plan.json").write_text(json.dumps(data))
    with pytest.raises(PlanError, match=r"changes\[0\]: unknown key surprise"):
        load_plan(tmp_path / "plan.json")
