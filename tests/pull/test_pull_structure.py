"""New, moved and deleted remote items; portal settings; --dry-run and --commit."""

from __future__ import annotations

import json

from kbsync.model import ArticleFields, CollectionFields
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb, synced, committed = pull_kb.pkb, pull_kb.synced, pull_kb.committed


def test_new_remote_articles_and_collections_become_files_and_folders(synced: PullKB) -> None:
    faq = synced.create_collection(CollectionFields(name="FAQ & more", slug="faq", position=5))
    synced.create_remote(ArticleFields(title="Opening hours", slug="hours", collection_id=faq,
                                       status="published", position=0,
                                       content_html="<p>9 to 5</p>", content="9 to 5"))
    outcome = synced.pull()
    assert outcome.code == 0, outcome.err
    # faq/ comes last in initdesk but sorts before guides/ by name: faq pins its position,
    # and guides/ keeps none (its order among the folders is right by name)
    assert synced.read("faq/_collection.yaml") == "name: FAQ & more\nposition: 5\n"
    assert synced.read("faq/hours.md") == (
        "---\ntitle: Opening hours\nstatus: published\n---\n\n9 to 5\n")
    assert synced.read("guides/_collection.yaml") == "name: Guides\ndescription: How-tos\n"
    assert "Pulled 2 changes: 2 new." in outcome.err
    assert synced.plan().code == 0


def test_a_new_sibling_out_of_name_order_numbers_the_folder(synced: PullKB) -> None:
    """No position: then a file added later never shares one (it warned)."""
    billing = synced.collection_id("billing")
    synced.create_remote(ArticleFields(title="About bills", slug="about", collection_id=billing,
                                       status="published", position=1))
    outcome = synced.pull()
    assert "→ moved     billing/invoices.md -> billing/01-invoices.md" in outcome.out
    assert "+ new       billing/02-about.md" in outcome.out
    assert "position:" not in synced.read("billing/02-about.md") + synced.read(
        "billing/01-invoices.md")
    assert synced.plan().code == 0
    synced.article("billing/a-new-one.md", "A new one")
    assert "is also the position" not in synced.plan().err


def test_an_article_moved_in_initdesk_is_git_moved_and_links_follow(committed: PullKB) -> None:
    billing = committed.collection_id("billing")
    committed.edit_remote("deep", collection_id=billing, position=1)  # after invoices
    outcome = committed.pull()
    assert outcome.code == 0, outcome.err
    # "deep" sorts before "invoices": the folder is numbered in initdesk's order
    assert "→ moved     guides/advanced/deep.md -> billing/02-deep.md" in outcome.out
    assert "→ moved     billing/invoices.md -> billing/01-invoices.md" in outcome.out
    # the collection is still in initdesk, empty: its folder stays, as an empty collection
    assert committed.read("guides/advanced/_collection.yaml") == "name: Advanced\n"
    assert "See [next](../guides/02-next.md#details)." in committed.read("billing/02-deep.md")
    assert "(../billing/01-invoices.md)" in committed.read("guides/01-start.md")
    status = committed.git("status", "--porcelain")
    assert "RM guides/advanced/deep.md -> billing/02-deep.md" in status  # git moves
    assert "R  billing/invoices.md -> billing/01-invoices.md" in status
    lock = json.loads(committed.read("kbsync.lock"))
    assert lock["articles"]["deep"]["path"] == "billing/02-deep.md"
    assert committed.plan().code == 0


def test_no_position_is_pinned_where_the_order_stays(committed: PullKB) -> None:
    committed.article("guides/02-next.md", "Next steps", "## Details\n\nMore.")
    assert committed.apply().code == 0
    committed.commit_all()
    committed.delete_remote("start")  # 02-next.md is now first by name; still second...
    guides = committed.collection_id("guides")
    committed.create_remote(ArticleFields(title="Appendix", slug="appendix", status="published",
                                          collection_id=guides, position=7))
    outcome = committed.pull(prune=True)  # ...and a new last one sorts last by name too
    assert outcome.code == 0, outcome.err
    assert "adjusted" not in outcome.out, outcome.out
    assert not [p.name for p in committed.root.rglob("*.md") if "position:" in p.read_text()]
    assert committed.plan().code == 0


def test_a_move_that_changes_the_order_numbers_the_names_instead_of_pinning(
        committed: PullKB) -> None:
    """A position 0 pinned on the moved file was also 01-start.md's (a warning)."""
    guides = committed.collection_id("guides")
    committed.edit_remote("invoices", collection_id=guides, position=5)  # last in guides
    assert committed.pull().code == 0
    assert "position:" not in committed.read("guides/invoices.md")  # last by name as well
    committed.edit_remote("deep", collection_id=guides, position=0)  # beside 01-start
    outcome = committed.pull()
    assert outcome.code == 0 and "position" not in outcome.err, outcome.err
    assert sorted(p.name for p in (committed.root / "guides").glob("*.md")) == [
        "01-start.md", "02-deep.md", "03-next.md", "04-invoices.md"]
    assert not [p for p in committed.root.rglob("*.md") if "position:" in p.read_text()]
    assert committed.plan().code == 0
    committed.article("guides/appendix.md", "Appendix")
    assert "is also the position" not in committed.plan().err


def test_remote_deletions_are_reported_and_removed_only_with_prune(synced: PullKB) -> None:
    synced.delete_remote("deep")
    outcome = synced.pull()
    assert outcome.code == 0 and (synced.root / "guides/advanced/deep.md").exists()
    assert "deleted in initdesk: guides/advanced/deep.md" in outcome.out
    assert synced.pull(prune=True).code == 0
    assert not (synced.root / "guides/advanced/deep.md").exists()
    assert synced.read("guides/advanced/_collection.yaml") == "name: Advanced\n"  # kept there
    assert "deep" not in json.loads(synced.read("kbsync.lock"))["articles"]
    assert synced.plan().code == 0


def test_prune_keeps_a_deleted_article_that_was_edited_locally(synced: PullKB) -> None:
    synced.delete_remote("deep")
    synced.article("guides/advanced/deep.md", "Deep dive", "Edited meanwhile.")
    outcome = synced.pull(prune=True)
    assert (synced.root / "guides/advanced/deep.md").exists()
    assert "changed locally since the last sync; kept" in outcome.err


def test_portal_settings_update_portal_yaml_keeping_comments(synced: PullKB) -> None:
    synced.write("portal.yaml", "# ours\nname: Help\nprimary_color: '#000000'\n")
    assert synced.apply().code == 0
    with synced.connect(synced.config()) as client:
        client.patch_portal({"primary_color": "#0E7C66", "name": "Help"})
    assert synced.pull().code == 0
    assert synced.read("portal.yaml") == "# ours\nname: Help\nprimary_color: '#0E7C66'\n"
    assert synced.plan().code == 0


def test_dry_run_writes_nothing(synced: PullKB) -> None:
    synced.edit_remote("invoices", title="New title")
    synced.create_remote(ArticleFields(title="Brand new", slug="brand-new"))
    before = synced.snapshot()
    outcome = synced.pull(dry_run=True)
    assert outcome.code == 0 and synced.snapshot() == before
    assert "Would pull 2 changes: 1 new, 1 updated." in outcome.err


def test_commit_makes_one_commit_listing_what_was_pulled(committed: PullKB) -> None:
    committed.write("notes.txt", "unrelated, uncommitted\n")
    committed.edit_remote("invoices", title="New title")
    assert committed.pull(commit=True).code == 0
    log = committed.git("log", "--format=%s%n%b", "-1")
    assert log == ("kbsync pull: 1 change from initdesk\n1 updated.\n\n"
                   "- ~ updated   billing/invoices.md\n\n")
    assert committed.git("status", "--porcelain") == "?? notes.txt\n"


def test_commit_holds_deletions_and_both_ends_of_moves(committed: PullKB) -> None:
    committed.delete_remote("invoices")
    committed.edit_remote("deep", collection_id=committed.collection_id("guides"), position=5)
    assert committed.pull(prune=True, commit=True).code == 0
    assert committed.git("status", "--porcelain") == ""  # nothing left staged or unstaged
    changed = committed.git("show", "--no-renames", "--name-status", "--format=", "HEAD")
    assert changed.splitlines() == [
        "A\tbilling/_collection.yaml", "D\tbilling/invoices.md",  # billing stays, empty
        "A\tguides/advanced/_collection.yaml", "D\tguides/advanced/deep.md",
        "A\tguides/deep.md", "M\tkbsync.lock"]


def test_commit_outside_a_git_repository_is_refused_before_any_request(synced: PullKB) -> None:
    synced.reset_log()
    outcome = synced.pull(commit=True)
    assert outcome.code == 1 and "needs a git repository" in outcome.err
    assert synced.requests() == []


def test_a_collection_moved_in_initdesk_moves_its_folder_and_links_follow(
        committed: PullKB) -> None:
    billing = committed.collection_id("billing")
    with committed.connect(committed.config()) as client:
        client.patch_collection(committed.collection_id("advanced"), {"parent_id": billing})
    outcome = committed.pull()
    assert outcome.code == 0, outcome.err
    assert "→ moved     guides/advanced/ -> billing/advanced/" in outcome.out
    assert "See [next](../../guides/02-next.md#details)." in committed.read(
        "billing/advanced/deep.md")
    assert committed.validate_ok()
    assert committed.plan().code == 0


def test_collection_settings_edited_in_initdesk_update_collection_yaml(synced: PullKB) -> None:
    synced.write("guides/_collection.yaml", "# team: docs\nname: Guides\ndescription: How-tos\n")
    assert synced.apply().code == 0
    with synced.connect(synced.config()) as client:
        client.patch_collection(synced.collection_id("guides"),
                                {"name": "User guides", "description": None})
    assert synced.pull().code == 0
    assert synced.read("guides/_collection.yaml") == "# team: docs\nname: User guides\n"
    assert synced.plan().code == 0


def test_a_slug_changed_in_initdesk_goes_to_front_matter_and_the_file_keeps_its_name(
        synced: PullKB) -> None:
    synced.edit_remote("invoices", slug="bills")
    assert synced.pull().code == 0
    assert "slug: bills\n" in synced.read("billing/invoices.md")
    assert synced.plan().code == 0


def test_crlf_files_keep_their_line_ends(committed: PullKB) -> None:
    path = committed.root / "billing/invoices.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert committed.apply().code == 0
    committed.commit_all()
    committed.edit_remote("invoices", title="Bills")
    assert committed.pull().code == 0
    data = path.read_bytes()
    assert b"title: Bills\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert committed.plan().code == 0


def test_a_file_moved_locally_and_not_yet_applied_stays_where_the_writer_put_it(
        committed: PullKB) -> None:
    committed.git("mv", "guides/advanced/deep.md", "billing/deep.md")
    committed.git("commit", "-q", "-m", "move")
    for title in ("Deep dive v2", "Deep dive v3"):
        committed.edit_remote("deep", title=title)
        assert committed.pull().code == 0
        assert f"title: {title}" in committed.read("billing/deep.md")
        assert not (committed.root / "guides/advanced/deep.md").exists()


def test_a_conflicting_file_is_neither_rewritten_nor_moved(committed: PullKB) -> None:
    committed.article("guides/advanced/deep.md", "Local title", "Local body.")
    committed.commit_all()
    committed.edit_remote("deep", title="Remote title",
                          collection_id=committed.collection_id("billing"))
    before = committed.snapshot()
    outcome = committed.pull()
    assert outcome.code == 1 and "guides/advanced/deep.md" in outcome.err
    assert committed.snapshot() == before


def test_prune_removes_a_collection_deleted_in_initdesk_with_its_articles(
        committed: PullKB) -> None:
    committed.write("guides/advanced/_collection.yaml", "name: Advanced\n")
    assert committed.apply().code == 0
    committed.commit_all()
    committed.delete_remote("deep")
    with committed.connect(committed.config()) as client:
        client.delete_collection(committed.collection_id("advanced"))
    assert committed.pull().code == 0 and (committed.root / "guides/advanced").exists()
    outcome = committed.pull(prune=True)
    assert outcome.code == 0, outcome.err
    assert not (committed.root / "guides/advanced").exists()
    lock = json.loads(committed.read("kbsync.lock"))
    assert "advanced" not in lock["collections"] and "deep" not in lock["articles"]
    assert committed.plan().code == 0
