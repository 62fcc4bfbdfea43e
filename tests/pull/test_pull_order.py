"""The Help Center's order after init and pull: said by the files' names, so that no
written position is ever shared with a sibling's place by name (the issue's two cases)."""

from __future__ import annotations

from pathlib import Path

from kbsync.model import ArticleFields, CollectionFields
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb, synced, committed = pull_kb.pkb, pull_kb.synced, pull_kb.committed
SHARED = "is also the position of"


def _reordered(pkb: PullKB) -> None:
    """A collection whose articles initdesk orders against their names."""
    start = pkb.create_collection(CollectionFields(name="Start", slug="start"))
    for position, slug in enumerate(["welcome", "create-your-account", "set-up-your-shop"]):
        pkb.create_remote(ArticleFields(title=slug.title(), slug=slug, status="published",
                                        collection_id=start, position=position))


def test_a_file_added_after_init_shares_no_position(pkb: PullKB, tmp_path: Path) -> None:
    _reordered(pkb)
    target = tmp_path / "imported"
    assert pkb.init(target).code == 0
    copy = PullKB(target, pkb.app)
    copy.article("start/a-new-one.md", "A new one")
    outcome = copy.plan()
    assert outcome.code == 2 and SHARED not in outcome.err, outcome.err


def test_a_pull_that_moves_an_article_shares_no_position(committed: PullKB) -> None:
    guides = committed.collection_id("guides")
    committed.edit_remote("deep", collection_id=guides, position=0)
    outcome = committed.pull()
    assert outcome.code == 0 and SHARED not in outcome.err, outcome.err
    plan = committed.plan()
    assert plan.code == 0 and SHARED not in plan.err, plan.err
    committed.article("guides/00-intro.md", "Intro")
    assert SHARED not in committed.plan().err


def test_a_position_beyond_every_name_is_written_rather_than_renaming(
        synced: PullKB) -> None:
    """A collection created last in initdesk: one line, not every folder renamed."""
    synced.create_collection(CollectionFields(name="FAQ", slug="faq", position=5))
    synced.create_remote(ArticleFields(title="Hours", slug="hours", status="published",
                                       collection_id=synced.collection_id("faq")))
    outcome = synced.pull()
    assert outcome.code == 0 and "moved" not in outcome.out, outcome.out
    assert synced.read("faq/_collection.yaml") == "name: FAQ\nposition: 5\n"
    assert synced.plan().code == 0


def test_a_folder_where_a_file_writes_its_position_keeps_its_names(synced: PullKB) -> None:
    synced.article("billing/invoices.md", "Invoices", "| a | b |\n|---|---|\n| 1 | 2 |",
                   excerpt="Where invoices live", position=0)
    assert synced.apply().code == 0
    billing = synced.collection_id("billing")
    synced.create_remote(ArticleFields(title="About", slug="about", status="published",
                                       collection_id=billing, position=1))
    outcome = synced.pull()
    assert outcome.code == 0 and "moved" not in outcome.out, outcome.out
    assert "position: 1" in synced.read("billing/about.md")
    assert synced.plan().code == 0


def test_names_that_would_swap_between_two_files_are_not_used(synced: PullKB) -> None:
    """01-a.md and 02-a.md (own slugs) swapped in initdesk: renaming one onto the other's
    name would overwrite it, so their order is written as positions instead."""
    synced.article("faq/01-a.md", "First", slug="first")
    synced.article("faq/02-a.md", "Second", slug="second")
    assert synced.apply().code == 0
    faq = synced.collection_id("faq")
    synced.edit_remote("second", collection_id=faq, position=0)
    synced.edit_remote("first", collection_id=faq, position=1)
    outcome = synced.pull()
    assert outcome.code == 0, outcome.err
    assert sorted(p.name for p in (synced.root / "faq").iterdir()) == ["01-a.md", "02-a.md"]
    assert synced.plan().code == 0
