"""plan.match: THE identity rule, case by case."""

from __future__ import annotations

from kbsync.model import Lock
from kbsync.plan.match import Match, match, match_section
from tests.plan.builders import actual, article, desired, remote_article, synced


def _pairs(local: list[tuple[str, str]], remote: dict[int, str],
           lock: Lock) -> dict[str, int | None]:
    return {key: m.remote_id for key, m in match_section("articles", local, remote, lock).items()}


def test_the_lock_pairs_by_slug_wherever_the_file_moved() -> None:
    lock = synced(Lock(), remote_article(7, "refunds"), "billing/refunds.md")
    found = match_section("articles", [("help/refunds.md", "refunds")], {7: "refunds"}, lock)
    assert found["help/refunds.md"] == Match(7, lock_entry=lock.articles["refunds"])


def test_a_slug_changed_in_the_same_file_is_paired_through_its_path() -> None:
    lock = synced(Lock(), remote_article(7, "refunds"), "billing/refunds.md")
    assert _pairs([("billing/refunds.md", "money-back")], {7: "refunds"}, lock) == {
        "billing/refunds.md": 7}


def test_the_path_does_not_pair_when_another_file_still_has_the_synced_slug() -> None:
    lock = synced(Lock(), remote_article(7, "refunds"), "billing/refunds.md")
    local = [("billing/refunds.md", "money-back"), ("other/refunds.md", "refunds")]
    assert _pairs(local, {7: "refunds"}, lock) == {"billing/refunds.md": None,
                                                    "other/refunds.md": 7}


def test_without_a_lock_entry_a_remote_item_with_the_same_slug_is_adopted() -> None:
    found = match_section("articles", [("a.md", "refunds")], {3: "refunds"}, Lock())
    assert found["a.md"] == Match(3, adopted=True)


def test_a_remote_item_is_claimed_once() -> None:
    lock = synced(Lock(), remote_article(7, "refunds"), "a.md")
    local = [("a.md", "refunds"), ("b.md", "money-back")]
    lock.put("articles", "money-back", lock.articles["refunds"])  # a hand-made double claim
    pairs = _pairs(local, {7: "refunds"}, lock)
    assert sorted(v for v in pairs.values() if v is not None) == [7]


def test_an_item_deleted_in_initdesk_is_recreated_with_what_was_synced() -> None:
    lock = synced(Lock(), remote_article(7, "refunds"), "a.md")
    found = match_section("articles", [("a.md", "refunds")], {}, lock)["a.md"]
    assert (found.remote_id, found.recreated, found.lock_entry) == (
        None, True, lock.articles["refunds"])


def test_a_new_item_is_neither_adopted_nor_recreated() -> None:
    assert match_section("articles", [("a.md", "new")], {1: "old"}, Lock())["a.md"] == Match(None)


def test_the_answer_does_not_depend_on_the_order_of_the_files() -> None:
    local = [("z.md", "same"), ("a.md", "same")]
    assert _pairs(local, {1: "same"}, Lock()) == _pairs(local[::-1], {1: "same"}, Lock())


def test_match_pairs_collections_and_articles_by_local_key() -> None:
    state = desired(article("a.md", "refunds"))
    matching = match(state, actual(remote_article(5, "refunds")), Lock())
    assert matching.local_keys("articles") == {5: "a.md"}
    assert matching.collection_id(None) is None
