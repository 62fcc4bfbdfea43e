"""Three-way pull: base (last synced), local (the file now), remote (initdesk now)."""

from __future__ import annotations

import json

import pytest

from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb, synced, committed = pull_kb.pkb, pull_kb.synced, pull_kb.committed


INVOICES = "billing/invoices.md"


def test_only_remote_changed_writes_the_file_and_the_next_plan_is_a_no_op(synced: PullKB) -> None:
    synced.edit_remote("invoices", title="Invoices and receipts",
                       content_html="<p>Hand <b>written</b>.</p>", content="Hand written.")
    outcome = synced.pull()
    assert outcome.code == 0, outcome.err
    assert "updated   billing/invoices.md" in outcome.out
    assert synced.read(INVOICES) == ("---\ntitle: Invoices and receipts\nexcerpt: Where invoices "
                                     "live\n---\n\nHand <b>written</b>.\n")
    assert synced.plan().code == 0
    assert "Pulled 1 change: 1 updated." in outcome.err


def test_only_local_changed_leaves_the_file_for_apply(synced: PullKB) -> None:
    synced.article(INVOICES, "Invoices", "Local words.", excerpt="Where invoices live")
    before = synced.read(INVOICES)
    outcome = synced.pull()
    assert outcome.code == 0 and synced.read(INVOICES) == before
    assert "Nothing to pull." in outcome.err
    assert synced.plan().code == 2


def test_both_changed_in_different_places_merge_cleanly(committed: PullKB) -> None:
    synced = committed
    synced.article(INVOICES, "Invoices", "| a | b |\n|---|---|\n| 1 | 2 |\n\nLocal line.",
                   excerpt="Where invoices live")
    synced.edit_remote("invoices", title="Invoices and VAT")
    outcome = synced.pull()
    assert outcome.code == 0, outcome.err
    assert "merged    billing/invoices.md" in outcome.out
    text = synced.read(INVOICES)
    assert "title: Invoices and VAT" in text and "Local line." in text
    plan = synced.plan()  # the local half is still to be pushed, without a drift conflict
    assert plan.code == 2 and "conflict" not in plan.out.lower()


@pytest.fixture
def conflicted(committed: PullKB) -> PullKB:
    synced = committed
    synced.article(INVOICES, "Local title", "Body", excerpt="Where invoices live")
    synced.commit_all()
    synced.edit_remote("invoices", title="Remote title")
    return synced


def test_a_conflict_leaves_the_file_untouched_and_exits_1(conflicted: PullKB) -> None:
    before = conflicted.snapshot()
    outcome = conflicted.pull()
    assert outcome.code == 1
    assert "1 file changed both locally and remotely: billing/invoices.md" in outcome.err
    assert conflicted.snapshot() == before


def test_on_conflict_markers_writes_git_style_markers(conflicted: PullKB) -> None:
    outcome = conflicted.pull(on_conflict="markers")
    assert outcome.code == 0, outcome.err
    text = conflicted.read(INVOICES)
    assert "<<<<<<< local\ntitle: Local title\n=======\ntitle: Remote title\n>>>>>>> remote" \
        in text


def test_on_conflict_theirs_takes_the_remote_version(conflicted: PullKB) -> None:
    assert conflicted.pull(on_conflict="theirs").code == 0
    assert conflicted.read(INVOICES).startswith("---\ntitle: Remote title\n")
    assert conflicted.plan().code == 0


def test_on_conflict_ours_keeps_the_file_and_apply_pushes_it(conflicted: PullKB) -> None:
    before = conflicted.read(INVOICES)
    assert conflicted.pull(on_conflict="ours").code == 0
    assert conflicted.read(INVOICES) == before
    plan = conflicted.plan()
    assert plan.code == 2 and "Local title" in plan.out and "conflict" not in plan.out.lower()


def test_uncommitted_changes_are_never_overwritten_by_theirs(conflicted: PullKB) -> None:
    conflicted.article(INVOICES, "Uncommitted title", "Body", excerpt="Where invoices live")
    before = conflicted.read(INVOICES)
    outcome = conflicted.pull(on_conflict="theirs")
    assert outcome.code == 1 and conflicted.read(INVOICES) == before


def test_a_conflict_with_uncommitted_edits_says_to_commit_or_stash_first(
        conflicted: PullKB) -> None:
    """--on-conflict markers would do nothing for such a file: it must not be advised."""
    conflicted.article(INVOICES, "Uncommitted title", "Body", excerpt="Where invoices live")
    for mode in ("fail", "markers"):
        outcome = conflicted.pull(on_conflict=mode)
        assert outcome.code == 1
        assert ("billing/invoices.md has uncommitted edits, which pull never overwrites: "
                "commit or stash them, then pull again)") in outcome.err
        assert "--on-conflict" not in outcome.err and "commit or stash first" in outcome.out


def test_uncommitted_changes_still_take_a_clean_merge(committed: PullKB) -> None:
    synced = committed
    synced.article(INVOICES, "Invoices", "| a | b |\n|---|---|\n| 1 | 2 |\n\nDraft line.",
                   excerpt="Where invoices live")
    synced.edit_remote("invoices", excerpt="Where invoices and receipts live")
    assert synced.pull().code == 0
    text = synced.read(INVOICES)
    assert "excerpt: Where invoices and receipts live" in text and "Draft line." in text


def test_a_missing_base_is_a_conflict_unless_both_sides_agree(synced: PullKB) -> None:
    lock = json.loads(synced.read("kbsync.lock"))
    lock["articles"]["invoices"]["local"] = "0" * 40  # a base found nowhere
    (synced.root / "kbsync.lock").write_text(json.dumps(lock))
    synced.edit_remote("invoices", title="Remote title")
    assert synced.pull().code == 1
    synced.article(INVOICES, "Remote title", "| a | b |\n|---|---|\n| 1 | 2 |",
                   excerpt="Where invoices live")
    assert synced.pull().code == 0


def test_the_base_of_a_merged_file_is_kept_for_the_next_pull(committed: PullKB) -> None:
    synced = committed
    synced.article(INVOICES, "Invoices", "| a | b |\n|---|---|\n| 1 | 2 |\n\nLocal line.",
                   excerpt="Where invoices live")
    synced.edit_remote("invoices", title="Second title")
    assert synced.pull().code == 0
    synced.edit_remote("invoices", excerpt="Third")  # a second web edit, still unapplied locally
    assert synced.pull().code == 0
    text = synced.read(INVOICES)
    assert "title: Second title" in text and "excerpt: Third" in text and "Local line." in text


def test_a_file_applied_but_never_committed_still_merges_from_its_base(synced: PullKB) -> None:
    synced.article(INVOICES, "Invoices", "| a | b |\n|---|---|\n| 1 | 2 |\n\nFirst.",
                   excerpt="Where invoices live")
    assert synced.apply().code == 0  # apply keeps the base; nothing is committed
    synced.article(INVOICES, "Invoices", "| a | b |\n|---|---|\n| 1 | 2 |\n\nFirst.\n\nMine.",
                   excerpt="Where invoices live")
    synced.edit_remote("invoices", title="Theirs")
    outcome = synced.pull()
    assert outcome.code == 0, outcome.err
    text = synced.read(INVOICES)
    assert "title: Theirs" in text and "Mine." in text
