"""The data rules, checked directly on the store (no HTTP)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from kbsync.emulator.fields import Invalid
from kbsync.emulator.store import (
    CYCLE_MESSAGE,
    DEPTH_MESSAGE,
    Clock,
    Conflict,
    NotFound,
    Store,
    body_text,
    fts_query,
    html_to_text,
    normalize_tickets,
    parse_datetime,
    slugify,
)


@pytest.fixture
def store() -> Store:
    return Store()


def test_slugify_ascii_folds_and_hyphenates() -> None:
    assert slugify("  Café & Crème: Getting Started! ", "x") == "cafe-creme-getting-started"


def test_slugify_falls_back_when_nothing_is_left() -> None:
    assert slugify("!!!", "article") == "article"


def test_fts_query_quotes_every_word_and_drops_syntax() -> None:
    assert fts_query('how do I "reset" my password? NEAR(*)') == (
        '"how" OR "do" OR "i" OR "reset" OR "my" OR "password" OR "near"'
    )


def test_fts_query_of_punctuation_only_is_empty() -> None:
    assert fts_query("?!- *") == ""


def test_html_to_text_strips_tags_scripts_and_entities() -> None:
    markup = "<p>Tom &amp; Jerry</p><script>alert(1)</script><b>bold</b>"
    assert html_to_text(markup) == "Tom & Jerry bold"


def test_body_text_takes_the_longer_of_plain_and_html() -> None:
    assert body_text("short", "<p>a much longer html body</p>") == "a much longer html body"
    assert body_text("a much longer plain body", "<p>tiny</p>") == "a much longer plain body"


def test_clock_is_strictly_increasing() -> None:
    clock = Clock()
    stamps = [clock.now() for _ in range(200)]
    assert stamps == sorted(set(stamps))
    assert stamps[0].endswith("Z") and len(stamps[0]) == len("2024-01-01T00:00:00.000000Z")


def test_parse_datetime_accepts_z_offsets_dates_and_a_space_for_plus() -> None:
    utc = timezone.utc
    assert parse_datetime("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=utc)
    assert parse_datetime("2024-05-01T12:00:00 02:00") == datetime(2024, 5, 1, 10, tzinfo=utc)
    assert parse_datetime("2024-05-01") == datetime(2024, 5, 1, tzinfo=utc)


def test_normalize_tickets_fills_defaults() -> None:
    (ticket,) = normalize_tickets([{"subject": "Cannot log in"}], "2024-01-01T00:00:00Z")
    assert ticket["id"] == 1 and ticket["public_id"] == 1
    assert ticket["is_spam"] is False and ticket["tags"] == [] and ticket["description"] == ""
    assert ticket["created_at"] == "2024-01-01T00:00:00.000000Z"


def test_normalize_tickets_rejects_a_bad_created_at() -> None:
    with pytest.raises(ValueError, match="ticket #1: created_at 'yesterday'"):
        normalize_tickets([{"created_at": "yesterday"}], "2024-01-01T00:00:00Z")


def test_generated_slugs_are_deduplicated(store: Store) -> None:
    slugs = [store.create_collection({"name": "Billing"})["slug"] for _ in range(3)]
    assert slugs == ["billing", "billing-2", "billing-3"]


def test_slug_dedup_ignores_lookalike_prefixes(store: Store) -> None:
    store.create_article({"title": "x", "slug": "faq0"})
    store.create_article({"title": "x", "slug": "faq-other"})
    assert store.create_article({"title": "FAQ"})["slug"] == "faq"


def test_depth_limit_on_create(store: Store) -> None:
    parent = None
    for level in range(3):
        parent = store.create_collection({"name": f"level {level}", "parent_id": parent})["id"]
    with pytest.raises(Invalid) as caught:
        store.create_collection({"name": "level 4", "parent_id": parent})
    assert caught.value.errors == {"parent_id": [DEPTH_MESSAGE]}


def test_moving_a_subtree_below_level_three_is_refused(store: Store) -> None:
    a = store.create_collection({"name": "a"})["id"]
    b = store.create_collection({"name": "b", "parent_id": a})["id"]
    other = store.create_collection({"name": "other"})["id"]
    deep = store.create_collection({"name": "deep", "parent_id": other})["id"]
    with pytest.raises(Invalid) as caught:  # a (with child b) under deep: b would be level 4
        store.update_collection(a, {"parent_id": deep}, partial=True)
    assert caught.value.errors == {"parent_id": [DEPTH_MESSAGE]}
    assert store.update_collection(a, {"parent_id": other}, partial=True)["parent_id"] == other
    assert b


def test_cycles_are_refused(store: Store) -> None:
    a = store.create_collection({"name": "a"})["id"]
    b = store.create_collection({"name": "b", "parent_id": a})["id"]
    for new_parent in (a, b):
        with pytest.raises(Invalid) as caught:
            store.update_collection(a, {"parent_id": new_parent}, partial=True)
        assert caught.value.errors == {"parent_id": [CYCLE_MESSAGE]}


def test_failed_write_changes_nothing(store: Store) -> None:
    store.create_article({"title": "One", "slug": "one"})
    second = store.create_article({"title": "Two", "slug": "two"})
    with pytest.raises(Invalid):
        store.update_article(second["id"], {"slug": "one"}, partial=True)
    assert store.get_article(second["id"]) == second


def test_delete_of_a_collection_with_articles_conflicts(store: Store) -> None:
    collection = store.create_collection({"name": "c"})["id"]
    store.create_article({"title": "t", "collection_id": collection})
    with pytest.raises(Conflict, match="1 article"):
        store.delete_collection(collection)


def test_missing_objects_raise_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_article(99)
    with pytest.raises(NotFound):
        store.delete_collection(99)


def test_ids_are_never_reused(store: Store) -> None:
    first = store.create_article({"title": "a"})["id"]
    store.delete_article(first)
    assert store.create_article({"title": "b"})["id"] == first + 1


def test_file_database_persists(tmp_path: Path) -> None:
    path = str(tmp_path / ".kbsync" / "kb.db")  # the folder is created
    store = Store(path)
    store.create_article({"title": "Kept", "status": "published"})
    store.close()
    reopened = Store(path)
    assert reopened.list_articles()[1][0]["title"] == "Kept"
    assert reopened.search_articles("kept")[0] == 1
    reopened.close()
