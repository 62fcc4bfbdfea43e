"""plan.planner: what needs rendering, ordering, targets and the safety gates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kbsync.errors import UnsafePlanError
from kbsync.model import Lock, RemoteRef, RenderedBody
from kbsync.plan.diff import DiffMemo, unresolved_links
from kbsync.plan.links import placeholder
from kbsync.plan.model import Action
from kbsync.plan.planner import bodies_needed, build_plan, check_safe
from tests.plan.builders import (
    actual,
    article,
    collection,
    desired,
    remote_article,
    remote_collection,
    synced,
)

REMOTE = RemoteRef("https://api.example", 1)


def test_only_bodies_that_changed_on_some_side_need_rendering() -> None:
    kept = remote_article(5, "kept", title="Kept")
    edited = remote_article(6, "edited", title="Edited")
    lock = synced(synced(Lock(), kept, "kept.md"), edited, "edited.md")
    lock.render = "1|"
    state = replace(desired(article("kept.md"), article("edited.md", source_hash="new"),
                            article("new.md")), bodies={})
    assert bodies_needed(state, actual(kept, edited), lock) == ["edited.md", "new.md"]
    lock.render = "0|"  # the renderer changed since: everything renders again
    assert bodies_needed(state, actual(kept, edited), lock) == ["edited.md", "kept.md",
                                                                "new.md"]


def test_the_plan_takes_what_bodies_needed_worked_out_from_the_memo() -> None:
    kept = remote_article(5, "kept", title="Kept")
    lock = synced(Lock(), kept, "kept.md")
    lock.render = "1|"
    state = replace(desired(article("kept.md", title="Kept")), bodies={})
    memo = DiffMemo()
    assert bodies_needed(state, actual(kept), lock, memo=memo) == []
    assert (list(memo.clean), list(memo.fingerprints)) == (["kept.md"], [5])
    plan = build_plan(desired=state, actual=actual(kept), lock=lock, remote=REMOTE, memo=memo)
    assert plan.changes == ()
    memo.clean["kept.md"] = RenderedBody("<p>other</p>", "other")  # judged once: not again
    plan = build_plan(desired=state, actual=actual(kept), lock=lock, remote=REMOTE, memo=memo)
    assert [(c.key, c.reason) for c in plan.changes] == [("kept.md", "content changed")]


def test_parents_come_before_children_and_deletes_last_deepest_first() -> None:
    gone_parent = remote_collection(8, "gone")
    gone_child = remote_collection(9, "gone-child", parent_id=8)
    lock = synced(synced(Lock(), gone_parent, "gone"), gone_child, "gone/gone-child")
    state = desired(collection("a"), collection("a/b"), article("a/b/x.md"), article("a/y.md"))
    plan = build_plan(desired=state, actual=actual(gone_parent, gone_child), lock=lock,
                      remote=REMOTE)
    assert [(c.action.value, c.key) for c in plan.changes] == [
        ("create", "a"), ("create", "a/b"), ("create", "a/b/x.md"), ("create", "a/y.md"),
        ("delete", "gone/gone-child"), ("delete", "gone")]


def test_an_article_is_created_after_the_articles_it_links_to() -> None:
    state = desired(article("a.md"), article("b.md"), links={"a.md": ("b.md",)})
    state = replace(state, bodies={
        "a.md": replace(state.bodies["a.md"], html='<a href="kbsync://article/b.md">b</a>'),
        "b.md": state.bodies["b.md"]})
    plan = build_plan(desired=state, actual=actual(), lock=Lock(), remote=REMOTE)
    assert [c.key for c in plan.changes] == ["b.md", "a.md"]
    assert plan.changes[1].link_targets == ("b.md",)


def test_targets_keep_the_parents_they_need() -> None:
    state = desired(collection("a"), collection("a/b"), article("a/b/x.md"), article("c.md"))
    plan = build_plan(desired=state, actual=actual(), lock=Lock(), remote=REMOTE,
                      targets=["a/b/x.md"])
    assert [c.key for c in plan.changes] == ["a", "a/b", "a/b/x.md"]


def test_a_collection_that_would_still_hold_articles_is_not_deleted() -> None:
    folder = remote_collection(8, "old")
    inside = remote_article(9, "inside", collection_id=8)
    lock = synced(Lock(), folder, "old")
    plan = build_plan(desired=desired(), actual=actual(folder, inside), lock=lock,
                      remote=REMOTE)
    kept = next(c for c in plan.changes if c.kind == "collection")
    assert kept.action is Action.KEEP and "still holds 1 article and" in kept.reason


def test_more_deletes_than_max_deletes_are_refused_unless_forced() -> None:
    gone = [remote_article(n, f"gone-{n}") for n in range(3)]
    lock = Lock()
    for item in gone:
        synced(lock, item, f"{item.fields.slug}.md")
    plan = build_plan(desired=desired(), actual=actual(*gone), lock=lock, remote=REMOTE)
    with pytest.raises(UnsafePlanError, match="deletes 3 items, more than max_deletes = 2"):
        check_safe(plan, lock, max_deletes=2, force=False)
    check_safe(plan, lock, max_deletes=2, force=True)


def _linking(target: str) -> RenderedBody:
    return RenderedBody(f'<p><a href="{placeholder(target)}">x</a></p>', "x")


def test_a_link_to_an_article_created_in_the_same_run_is_left_to_the_executor() -> None:
    state = desired(article("a.md"), article("A & B/new.md"),
                    bodies={"a.md": _linking("A & B/new.md")})
    plan = build_plan(desired=state, actual=actual(), lock=Lock(), remote=REMOTE)
    assert unresolved_links(plan.changes, lambda key: False) == []
    check_safe(plan, Lock(), max_deletes=0, force=False)


def test_a_placeholder_no_step_of_the_plan_fills_is_refused_even_when_forced() -> None:
    """``--target`` left out the article a body links to: its URL would never exist."""
    state = desired(article("a.md"), article("A & B/new.md"),
                    bodies={"a.md": _linking("A & B/new.md")})
    plan = build_plan(desired=state, actual=actual(), lock=Lock(), remote=REMOTE,
                      targets=["a.md"])
    assert unresolved_links(plan.changes, lambda key: False) == [
        "a.md links to A & B/new.md, whose public URL this plan does not make (add --target "
        "A & B/new.md, or plan without --target)"]
    with pytest.raises(UnsafePlanError, match=r"a\.md links to A & B/new\.md"):
        check_safe(plan, Lock(), max_deletes=10, force=True)


def test_a_placeholder_for_a_file_that_is_no_article_is_refused() -> None:
    state = desired(article("a.md"), bodies={"a.md": _linking("gone.md")})
    plan = build_plan(desired=state, actual=actual(), lock=Lock(), remote=REMOTE)
    assert [c.key for c in plan.changes] == ["a.md"]
    with pytest.raises(UnsafePlanError, match=r"a\.md links to gone\.md"):
        check_safe(plan, Lock(), max_deletes=10, force=False)
