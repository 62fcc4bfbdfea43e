"""plan.match: THE identity rule, case by case."""

from __future__ import annotations

from kbsync.model import LocalArticle, Lock, RemoteArticle
from kbsync.plan.match import Match, Matching, match, match_section
from tests.plan.builders import (
    actual,
    article,
    collection,
    desired,
    remote_article,
    remote_collection,
    synced,
)


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


# -- rule 4: renames -------------------------------------------------------------------------


def _renamed_kb(*locals_: LocalArticle, similar: dict[tuple[str, str], float] | None = None,
                extra: tuple[RemoteArticle, ...] = ()) -> Matching:
    """``welcome`` (id 7) synced from guides/01-welcome.md as blob ``b1``; ``locals_`` now."""
    welcome = remote_article(7, "welcome")
    lock = synced(Lock(), welcome, "guides/01-welcome.md", local="b1")
    return match(desired(*locals_), actual(welcome, *extra), lock, similar)


def test_a_file_renamed_without_its_slug_is_paired_by_its_bytes() -> None:
    found = _renamed_kb(article("guides/01-hello.md", source_hash="b1")).articles
    assert found["guides/01-hello.md"].remote_id == 7
    assert found["guides/01-hello.md"].renamed_from == "guides/01-welcome.md"


def test_a_renamed_and_edited_file_is_paired_when_similar_enough() -> None:
    key = ("guides/01-hello.md", "guides/01-welcome.md")
    edited = article("guides/01-hello.md", source_hash="b2")
    assert _renamed_kb(edited, similar={key: 0.5}).articles[key[0]].remote_id == 7
    assert _renamed_kb(edited, similar={key: 0.49}).articles[key[0]].remote_id is None
    assert _renamed_kb(edited).gone_articles["welcome"].id == 7  # no score: gone, and new


def test_the_best_score_takes_the_gone_file_and_ties_go_by_path() -> None:
    a, b = article("a.md", source_hash="x"), article("b.md", source_hash="y")
    best = {("a.md", "guides/01-welcome.md"): 0.6, ("b.md", "guides/01-welcome.md"): 0.9}
    assert _renamed_kb(a, b, similar=best).local_keys("articles") == {7: "b.md"}
    tie = dict.fromkeys(best, 0.7)
    assert _renamed_kb(b, a, similar=tie).local_keys("articles") == {7: "a.md"}


def test_a_remote_item_with_the_new_slug_is_adopted_rather_than_renamed_into() -> None:
    hello = remote_article(8, "hello")
    found = _renamed_kb(article("guides/01-hello.md", "hello", source_hash="b1"), extra=(hello,))
    assert found.local_keys("articles") == {8: "guides/01-hello.md"}
    assert list(found.gone_articles) == ["welcome"]


def test_nothing_is_renamed_from_a_path_a_file_is_still_at() -> None:
    there = article("guides/01-welcome.md", "other", source_hash="b9")
    copy = article("guides/copy.md", source_hash="b1")
    found = _renamed_kb(there, copy).articles  # 01-welcome.md changed its slug: rule 2
    assert (found["guides/01-welcome.md"].remote_id, found["guides/copy.md"].remote_id) == (
        7, None)


def test_a_renamed_folder_keeps_its_collection_when_most_of_its_articles_moved_with_it() -> None:
    guides = remote_collection(1, "guides")
    one, two = remote_article(10, "one", 1), remote_article(11, "two", 1)
    lock = synced(synced(synced(Lock(), guides, "guides"), one, "guides/one.md"),
                  two, "guides/two.md")
    state = desired(collection("how-to"), article("how-to/one.md"), article("how-to/two.md"))
    found = match(state, actual(guides, one, two), lock)
    assert found.collections["how-to"] == Match(1, lock_entry=lock.collections["guides"],
                                                renamed_from="guides")
    half = desired(collection("how-to"), article("how-to/one.md"), article("two.md"))
    assert match(half, actual(guides, one, two), lock).collections["how-to"].remote_id is None


def test_what_the_lock_manages_and_nothing_claims_is_gone() -> None:
    found = _renamed_kb()
    assert found.gone_articles == {"welcome": found.gone_articles["welcome"]}
    assert (found.rename_sources, found.new_articles) == ((), ())  # no new file to score
