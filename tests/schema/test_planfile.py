"""schema.planfile: the file's models are the Change dataclasses, field for field."""

from __future__ import annotations

import dataclasses

import pytest

from kbsync.errors import PlanError
from kbsync.plan.model import Change, FieldChange, Plan
from kbsync.schema.planfile import ChangeFile, FieldChangeFile, PlanFile, read_plan


@pytest.mark.parametrize(("model", "cls", "derived"), [
    (ChangeFile, Change, set()),
    (FieldChangeFile, FieldChange, set()),
    (PlanFile, Plan, {"format_version", "summary"}),
])
def test_the_file_model_has_every_field_of_the_dataclass(
        model: type[object], cls: type[object], derived: set[str]) -> None:
    fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    assert set(model.model_fields) - derived == fields - {"version"}  # type: ignore[attr-defined]


def test_a_kind_that_is_not_text_says_so() -> None:
    data = {"format_version": 2, "remote": {"base_url": "u", "organization_id": 1},
            "changes": [{"kind": 7, "key": "k", "action": "create", "slug": "s", "title": "t"}]}
    with pytest.raises(PlanError, match=r"^invalid plan: changes\[0\]\.kind: expected a "
                                        r"string, got int$"):
        read_plan(data)
