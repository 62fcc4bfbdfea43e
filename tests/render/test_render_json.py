"""render.json: the saved plan is complete, round-trips exactly, and is read strictly."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbsync.errors import PlanError
from kbsync.model import ARTICLE_FIELDS, COLLECTION_FIELDS, PORTAL_FIELDS
from kbsync.plan.model import PLAN_FORMAT_VERSION, Action, Change, FieldChange, Plan, RemoteRef
from kbsync.render.json import JSON_FORMAT_VERSION, plan_from_dict, plan_to_dict, render_json
from kbsync.render.markdown import render_markdown
from kbsync.render.text import render_text

scalars = st.none() | st.booleans() | st.integers() | st.text()
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner,
                                                                         max_size=3),
    max_leaves=6)
optional_text = st.none() | st.text()
field_changes = st.builds(
    FieldChange, field=st.sampled_from(sorted({*ARTICLE_FIELDS, *COLLECTION_FIELDS,
                                               *PORTAL_FIELDS})),
    before=scalars, after=scalars)
changes = st.builds(
    Change, kind=st.sampled_from(["portal", "collection", "article"]), key=st.text(min_size=1),
    action=st.sampled_from(Action), slug=st.text(), title=st.text(),
    remote_id=st.none() | st.integers(), fields=st.lists(field_changes, max_size=4).map(tuple),
    reason=st.text(), parent_key=optional_text, remote_fingerprint=optional_text,
    local_fingerprint=optional_text, link_targets=st.lists(st.text(), max_size=3).map(tuple))
plans = st.builds(
    Plan, remote=st.builds(RemoteRef, base_url=st.text(), organization_id=st.integers()),
    changes=st.lists(changes, max_size=5).map(tuple),
    options=st.dictionaries(st.text(), json_values, max_size=3),
    warnings=st.lists(st.text(), max_size=3).map(tuple))

REMOTE = RemoteRef(base_url="http://example.test", organization_id=7)
DELETE = Change(kind="article", key="remote:old", action=Action.DELETE, slug="old",
                title="Old", remote_id=17)


def saved(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_json(plan))
    return data


@given(plans)
def test_a_plan_survives_json_unchanged(plan: Plan) -> None:
    assert plan_from_dict(saved(plan)) == plan


@given(plans)
def test_any_plan_renders_as_text_and_markdown(plan: Plan) -> None:
    assert render_text(plan).endswith("\n")
    assert render_markdown(plan).startswith("### kbsync plan\n")


def test_the_json_format_moves_with_the_plan_format() -> None:
    assert JSON_FORMAT_VERSION == PLAN_FORMAT_VERSION


def test_json_is_sorted_indented_and_counts_every_action() -> None:
    text = render_json(Plan(REMOTE, (DELETE,)))
    assert text.startswith('{\n  "changes": [\n') and text.endswith("}\n")
    assert json.loads(text)["summary"] == {a.value: int(a is Action.DELETE) for a in Action}


def test_another_format_version_is_refused_with_a_clear_message() -> None:
    data = {**plan_to_dict(Plan(REMOTE)), "format_version": 1}  # before plans had a root
    with pytest.raises(PlanError, match=r"^plan format_version 1 is not supported: this "
                       r"kbsync reads format_version 2; make the plan again with `kbsync plan`$"):
        plan_from_dict(data)


def test_a_file_without_format_version_is_not_a_plan() -> None:
    with pytest.raises(PlanError, match=r"^not a kbsync plan: it has no format_version$"):
        plan_from_dict({"remote": {}})


@pytest.mark.parametrize(("path", "value", "message"), [
    ("action", "rename", "changes[0].action: unknown action 'rename' (expected one of create"),
    ("kind", "page", "changes[0].kind: unknown kind 'page' (expected one of portal, collection"),
    ("remote_id", "17", "changes[0].remote_id: expected an integer, got str"),
    ("remote_id", True, "changes[0].remote_id: expected an integer, got bool"),
    ("fields", {}, "changes[0].fields: expected a list, got dict"),
    ("colour", "red", "changes[0]: unknown key colour"),
])
def test_a_bad_change_is_refused_naming_where(path: str, value: object, message: str) -> None:
    data = saved(Plan(REMOTE, (DELETE,)))
    data["changes"][0][path] = value
    with pytest.raises(PlanError, match="^invalid plan: " + re.escape(message)):
        plan_from_dict(data)


def test_a_missing_required_key_is_named() -> None:
    data = saved(Plan(REMOTE, (DELETE,)))
    del data["changes"][0]["slug"]
    with pytest.raises(PlanError, match=r"^invalid plan: changes\[0\]: missing 'slug'$"):
        plan_from_dict(data)

