"""pull never brings back what was deleted here: a local deletion is a local change."""

from __future__ import annotations

import json

from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb, synced, committed = pull_kb.pkb, pull_kb.synced, pull_kb.committed


def _delete_invoices(kb: PullKB) -> None:
    """``git rm billing/invoices.md`` (the billing folder goes with it) and the article
    that linked to it, and commit."""
    kb.git("rm", "-q", "guides/01-start.md", "billing/invoices.md")
    kb.article("guides/02-next.md", "Next steps", "## Details\n\nMore.")  # linked to start
    kb.commit_all("delete")


def test_pull_after_a_committed_delete_creates_no_file(committed: PullKB) -> None:
    _delete_invoices(committed)
    lock = committed.read("kbsync.lock")
    outcome = committed.pull()
    assert outcome.code == 0, outcome.err
    assert not (committed.root / "billing").exists()
    assert "  - deleted locally  billing/invoices.md  (apply deletes it)" in outcome.out
    assert "  - deleted locally  billing/  (apply deletes it)" in outcome.out
    assert "3 deleted locally, left deleted" in outcome.err  # two articles and billing/
    assert committed.read("kbsync.lock") == lock  # still managed: the plan deletes them
    assert committed.git("status", "--porcelain") == ""


def test_a_deleted_file_edited_in_initdesk_since_is_a_conflict_naming_both(
        committed: PullKB) -> None:
    _delete_invoices(committed)
    committed.edit_remote("invoices", title="Edited in initdesk")
    outcome = committed.pull()
    assert outcome.code == 1 and not (committed.root / "billing/invoices.md").exists()
    assert ("! conflict  billing/invoices.md  (deleted here, edited in initdesk since the last "
            "sync: restore it with `git checkout`, or apply the delete with --force)"
            ) in outcome.out
    assert "1 item deleted here, edited in initdesk since the last sync" in outcome.err
    assert "! article    billing/invoices.md" in committed.plan().out  # not deleted either


def test_dry_run_and_commit_leave_a_deleted_file_deleted_too(committed: PullKB) -> None:
    _delete_invoices(committed)
    committed.edit_remote("deep", title="Deep, edited there")
    dry = committed.pull(dry_run=True)
    assert "- deleted locally  billing/invoices.md" in dry.out and dry.code == 0
    assert committed.pull(commit=True).code == 0
    shown = committed.git("show", "--name-status", "--format=", "HEAD").splitlines()
    assert shown == ["M\tguides/advanced/deep.md", "M\tkbsync.lock"]


def test_a_renamed_file_is_pulled_into_not_written_again(committed: PullKB) -> None:
    committed.git("mv", "billing/invoices.md", "billing/bills.md")
    committed.commit_all("rename")
    committed.edit_remote("invoices", excerpt="Edited in initdesk")
    outcome = committed.pull()
    assert outcome.code == 0, outcome.err
    assert "excerpt: Edited in initdesk" in committed.read("billing/bills.md")
    assert sorted(p.name for p in (committed.root / "billing").iterdir()) == ["bills.md"]


def test_with_on_delete_keep_an_edit_in_initdesk_is_no_conflict(committed: PullKB) -> None:
    committed.write("kbsync.toml", '[apply]\non_delete = "keep"\n')
    _delete_invoices(committed)
    committed.edit_remote("invoices", title="Edited in initdesk")
    outcome = committed.pull()
    assert outcome.code == 0, outcome.err
    assert '- deleted locally  billing/invoices.md  (kept in initdesk: on_delete = "keep")' \
        in outcome.out
    assert "invoices" in json.loads(committed.read("kbsync.lock"))["articles"]


def test_with_on_delete_draft_a_deleted_folder_stays_in_initdesk_without_conflict(
        committed: PullKB) -> None:
    committed.write("kbsync.toml", '[apply]\non_delete = "draft"\n')
    _delete_invoices(committed)
    with committed.connect(committed.config()) as client:
        client.patch_collection(committed.collection_id("billing"), {"description": "Edited"})
    outcome = committed.pull()
    assert outcome.code == 0, outcome.err
    assert '- deleted locally  billing/  (kept in initdesk: on_delete = "draft")' in outcome.out
    assert "- deleted locally  billing/invoices.md  (apply unpublishes it)" in outcome.out
