"""plan.fresh: a saved plan is applied only while the Help Center is as it was planned."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kbsync.errors import StalePlanError
from kbsync.model import Lock, RemoteRef
from kbsync.plan.fresh import check_fresh
from kbsync.plan.planner import build_plan
from tests.plan.builders import actual, article, desired, remote_article, synced

REMOTE = RemoteRef("https://api.example", 1)


def _plan():  # type: ignore[no-untyped-def]
    old = remote_article(5, "old", title="Old")
    lock = synced(Lock(), old, "old.md")
    state = desired(article("old.md", title="Old v2", source_hash="edited"), article("new.md"))
    return build_plan(desired=state, actual=actual(old), lock=lock, remote=REMOTE), old


def test_an_unchanged_help_center_keeps_the_plan_fresh() -> None:
    plan, old = _plan()
    check_fresh(plan, actual(old), REMOTE)


def test_an_edit_a_deletion_or_a_new_slug_makes_it_stale() -> None:
    plan, old = _plan()
    edited = replace(old, fields=replace(old.fields, title="Edited"))
    with pytest.raises(StalePlanError, match=r"article 'old' \(id 5\) was edited"):
        check_fresh(plan, actual(edited), REMOTE)
    with pytest.raises(StalePlanError, match=r"article 'old' \(id 5\) was deleted"):
        check_fresh(plan, actual(), REMOTE)
    with pytest.raises(StalePlanError, match="article 'new' now exists"):
        check_fresh(plan, actual(old, remote_article(9, "new")), REMOTE)


def test_a_plan_for_another_help_center_is_refused() -> None:
    plan, old = _plan()
    with pytest.raises(StalePlanError, match=r"made for organization 1 at https://api\.example"):
        check_fresh(plan, actual(old), RemoteRef("https://other.example", 1))
