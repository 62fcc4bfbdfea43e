"""plan.diff: what each pair of local and remote item becomes, without files or network."""

from __future__ import annotations

from dataclasses import replace

from kbsync.model import Lock, PortalSettings
from kbsync.plan.diff import Differ, DiffOptions, portal_change
from kbsync.plan.links import placeholder
from kbsync.plan.model import Action, Change, FieldChange
from tests.plan.builders import (
    HOST,
    actual,
    article,
    body,
    collection,
    desired,
    remote_article,
    remote_collection,
    synced,
)


def _change(state, remote, lock, options=DiffOptions()):  # type: ignore[no-untyped-def]
    differ = Differ(state, remote, lock, options)
    return differ.article_change(state.articles[0])


def test_a_new_article_is_created_with_every_field() -> None:
    change = _change(desired(article("a.md", "refunds")), actual(), Lock())
    assert change.action is Action.CREATE
    assert {f.field: f.after for f in change.fields}["content_html"] == "<p>About a.</p>"
    assert [f.field for f in change.fields] == ["title", "slug", "excerpt", "status",
                                                "collection_id", "position", "content_html",
                                                "content"]


def test_an_article_as_synced_has_no_change() -> None:
    remote = remote_article(5, "refunds", content_html="<p>About a.</p>", content="About a.",
                            title="A")
    lock = synced(Lock(), remote, "a.md")
    assert _change(desired(article("a.md", "refunds")), actual(remote), lock) is None


def test_an_edited_file_is_an_update_of_just_what_changed() -> None:
    remote = remote_article(5, "refunds", title="A")
    lock = synced(Lock(), remote, "a.md")
    change = _change(desired(article("a.md", "refunds", body="New words.", source_hash="edited")),
                     actual(remote),
                     lock)
    assert (change.action, change.reason) == (Action.UPDATE, "content changed")
    assert [f.field for f in change.fields] == ["content_html", "content"]


def test_an_article_edited_in_initdesk_since_the_sync_is_a_conflict_unless_forced() -> None:
    remote = remote_article(5, "refunds", title="A")
    lock = synced(Lock(), remote, "a.md")
    edited = replace(remote, fields=replace(remote.fields, title="Edited in the web UI"))
    state = desired(article("a.md", "refunds", title="A", body="New words.",
                            source_hash="edited"))
    assert _change(state, actual(edited), lock).action is Action.CONFLICT
    forced = _change(state, actual(edited), lock, DiffOptions(force=True))
    assert (forced.action, forced.reason) == (Action.UPDATE,
                                             "overwrites edits made in initdesk (--force)")


def test_an_article_with_the_slug_and_no_lock_entry_is_adopted() -> None:
    change = _change(desired(article("a.md", "refunds")), actual(remote_article(5, "refunds")),
                     Lock())
    assert (change.action, change.remote_id) == (Action.ADOPT, 5)


def test_a_move_names_the_folder_it_leaves_and_a_position_alone_is_a_reorder() -> None:
    old, new = remote_collection(1, "old"), remote_collection(2, "new")
    remote = remote_article(5, "refunds", collection_id=1, title="Refunds",
                            content_html="<p>About refunds.</p>", content="About refunds.")
    lock = synced(synced(synced(Lock(), old, "old"), new, "new"), remote, "old/refunds.md")
    moved = desired(collection("old"), collection("new"), article("new/refunds.md"))
    change = Differ(moved, actual(old, new, remote), lock, DiffOptions()).article_change(
        moved.articles[0])
    assert (change.action, change.previous_parent) == (Action.MOVE, "old")
    reordered = desired(collection("old"), collection("new"),
                        article("old/refunds.md", position=3, explicit_position=True))
    change = Differ(reordered, actual(old, new, remote), lock, DiffOptions()).article_change(
        reordered.articles[0])
    assert change.action is Action.REORDER


def test_urls_of_link_targets_are_public_when_they_stay_and_placeholders_when_not() -> None:
    stays = remote_article(5, "refunds", title="Refunds")
    state = desired(article("refunds.md"), article("new.md"))
    differ = Differ(state, actual(stays), synced(Lock(), stays, "refunds.md"), DiffOptions())
    assert differ.url_of("refunds.md") == f"{HOST}/refunds-5"
    assert differ.url_of("new.md") == placeholder("new.md")
    assert differ.url_of("missing.md") is None


def test_a_body_unchanged_on_both_sides_is_not_rendered_again() -> None:
    remote = remote_article(5, "a", title="A", content_html="<p>remote</p>", content="remote")
    lock = synced(Lock(), remote, "a.md")
    lock.render = "1|"
    state = replace(desired(article("a.md")), bodies={})
    differ = Differ(state, actual(remote), lock, DiffOptions())
    assert differ.clean_body(state.articles[0]) == body("remote")
    assert differ.article_change(state.articles[0]) is None


def test_a_deleted_file_is_deleted_and_what_was_never_here_is_kept_unless_pruned() -> None:
    managed, foreign = remote_article(5, "managed"), remote_article(6, "foreign")
    lock = synced(Lock(), managed, "managed.md")

    def orphans(prune: str) -> dict[str, tuple[str, Action]]:
        differ = Differ(desired(), actual(managed, foreign), lock,
                        DiffOptions(prune=prune))  # type: ignore[arg-type]
        return {c.slug: (c.key, c.action) for c in differ.orphan_changes()}

    deleted = ("managed.md", Action.DELETE)
    assert orphans("off") == orphans("managed") == {
        "managed": deleted, "foreign": ("remote:foreign", Action.UNMANAGED)}
    assert orphans("all") == {"managed": deleted, "foreign": ("remote:foreign", Action.DELETE)}


def _gone(on_delete: str, force: bool = False, **remote: object) -> Change:
    """The change for article 5, synced from gone.md, whose file is gone."""
    synced_one = remote_article(5, "gone")
    lock = synced(Lock(), synced_one, "gone.md")
    now = remote_article(5, "gone", **remote) if remote else synced_one
    differ = Differ(desired(), actual(now), lock,
                    DiffOptions(force=force, on_delete=on_delete))  # type: ignore[arg-type]
    [change] = differ.orphan_changes()
    return change


def test_on_delete_draft_unpublishes_a_deleted_file_and_keep_leaves_it() -> None:
    draft = _gone("draft")
    assert (draft.action, draft.fields) == (Action.UPDATE, (
        FieldChange("status", "published", "draft"),))
    assert draft.reason == 'deleted locally; unpublished: on_delete = "draft"'
    kept = _gone("keep")
    assert (kept.action, kept.reason) == (Action.KEEP, 'deleted locally; kept: on_delete = "keep"')


def test_a_draft_already_unpublished_needs_nothing() -> None:
    lock = synced(Lock(), remote_article(5, "gone", status="draft"), "gone.md")
    differ = Differ(desired(), actual(remote_article(5, "gone", status="draft")), lock,
                    DiffOptions(on_delete="draft"))
    assert differ.orphan_changes() == []


def test_a_deleted_file_edited_in_initdesk_since_is_a_conflict_unless_forced() -> None:
    conflict = _gone("delete", title="Edited there")
    assert conflict.action is Action.CONFLICT
    assert conflict.reason == ("deleted here, edited in initdesk since the last sync: restore "
                               "it with `git checkout`, or apply the delete with --force")
    forced = _gone("delete", force=True, title="Edited there")
    assert (forced.action, forced.reason) == (
        Action.DELETE, "deleted locally; overwrites edits made in initdesk (--force)")


def test_a_deleted_item_whose_path_another_file_took_is_shown_by_slug() -> None:
    first, second = remote_article(5, "first"), remote_article(6, "second")
    lock = synced(synced(Lock(), first, "x.md"), second, "y.md")
    state = desired(article("x.md", "second"))  # y.md's slug moved into x.md; y.md is gone
    differ = Differ(state, actual(first, second), lock, DiffOptions())
    assert [(c.key, c.action) for c in differ.orphan_changes()] == [
        ("remote:first", Action.DELETE)]


def test_the_portal_compares_only_the_keys_the_file_sets() -> None:
    from kbsync.model import Portal

    live = actual()
    live = replace(live, portal=Portal(PortalSettings(name="Help", primary_color="#000000"), id=1))
    change = portal_change({"primary_color": "#0E7C66"}, live, Lock(), force=False)
    assert change is not None and [(f.field, f.after) for f in change.fields] == [
        ("primary_color", "#0E7C66")]
    assert portal_change({"name": "Help"}, live, Lock(), force=False) is None
