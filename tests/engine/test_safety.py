"""Drift, prune and stale plans: the gates that keep apply from destroying work."""

from __future__ import annotations

from pathlib import Path

from tests.engine.conftest import KB


def _edit_in_web_ui(kb: KB, slug: str, **fields: object) -> None:
    with kb.connect(kb.config()) as client:
        article = client.find_article_by_slug(slug)
        assert article is not None
        client.patch_article(article.id, fields)


def test_a_web_ui_edit_is_a_conflict_and_apply_leaves_it(small_kb: KB) -> None:
    small_kb.apply()
    _edit_in_web_ui(small_kb, "invoices", title="Invoices (edited in initdesk)")
    outcome = small_kb.plan()
    assert "conflict" in outcome.out and "billing/invoices.md" in outcome.out
    small_kb.reset_log()
    small_kb.apply()
    assert small_kb.writes() == []
    titles = {a.fields.title for a in small_kb.remote_articles()}
    assert "Invoices (edited in initdesk)" in titles


def test_a_conflict_fails_ci_after_the_rest_is_applied(small_kb: KB) -> None:
    small_kb.apply()
    _edit_in_web_ui(small_kb, "invoices", title="Invoices (edited in initdesk)")
    assert small_kb.plan().code == 2  # --detailed-exitcode: the Help Center differs
    small_kb.article("guides/01-start.md", "Start here v2",
                     "Read [billing](../billing/invoices.md).")
    small_kb.reset_log()
    outcome = small_kb.apply()
    assert outcome.code == 1
    assert [m for m, _ in small_kb.writes()] == ["PATCH"]  # the other edit went through
    last = outcome.err.strip().splitlines()[-1]
    assert last.startswith("Error: 1 conflict left untouched (billing/invoices.md)"), last
    assert small_kb.apply().code == 1  # nothing else to do, the conflict still stands


def test_force_overwrites_a_web_ui_edit(small_kb: KB) -> None:
    small_kb.apply()
    _edit_in_web_ui(small_kb, "invoices", title="Edited")
    assert small_kb.apply(force=True).code == 0
    assert "Edited" not in {a.fields.title for a in small_kb.remote_articles()}
    assert small_kb.plan().code == 0


def test_a_deleted_file_is_a_planned_deletion_without_prune(small_kb: KB) -> None:
    small_kb.apply()
    (small_kb.root / "guides/02-next.md").unlink()
    small_kb.article("guides/advanced/deep.md", "Deep dive", "No link now.")
    outcome = small_kb.plan()
    assert '  - article guides/02-next.md' in outcome.out and "(deleted locally)" in outcome.out
    small_kb.apply()
    assert len(small_kb.remote_articles()) == 3
    assert small_kb.plan().code == 0


def test_prune_keeps_items_kbsync_never_managed_unless_all(small_kb: KB) -> None:
    small_kb.apply()
    with small_kb.connect(small_kb.config()) as client:
        from kbsync.model import ArticleFields

        client.create_article(ArticleFields(title="Written in the UI", slug="ui-only"))
    assert "in the Help Center, not in this folder" in small_kb.plan().out
    small_kb.apply()
    small_kb.apply(prune="managed")  # accepted for old scripts: changes nothing
    assert "ui-only" in {a.fields.slug for a in small_kb.remote_articles()}
    small_kb.apply(prune="all")
    assert "ui-only" not in {a.fields.slug for a in small_kb.remote_articles()}


def test_more_deletes_than_max_deletes_are_refused_without_force(small_kb: KB) -> None:
    small_kb.write("kbsync.toml", "[apply]\nmax_deletes = 1\n")
    small_kb.apply()
    for name in ("01-start.md", "02-next.md"):
        (small_kb.root / "guides" / name).unlink()
    small_kb.article("guides/advanced/deep.md", "Deep dive", "No link.")
    small_kb.write("billing/invoices.md", "---\ntitle: Invoices\n---\nNo links.\n")
    small_kb.reset_log()
    outcome = small_kb.apply()
    assert outcome.code == 1 and "max_deletes = 1" in outcome.err
    assert small_kb.writes() == []
    assert small_kb.apply(force=True).code == 0


def test_a_saved_plan_applied_in_another_folder_is_refused_with_no_request(
        small_kb: KB, tmp_path: Path) -> None:
    planfile = tmp_path / "a.plan"
    assert small_kb.plan(out=planfile).code == 2
    elsewhere = KB(tmp_path / "kbB", small_kb.app)
    elsewhere.article("other.md", "Other")
    small_kb.reset_log()
    outcome = elsewhere.apply(planfile=planfile)
    assert outcome.code == 1 and small_kb.requests() == []
    assert (f"this plan was made in {small_kb.root.resolve()} (organization 1 at "
            "http://emulator.test); apply it there, or run kbsync plan here") in outcome.err


def test_a_stale_saved_plan_is_refused(small_kb: KB) -> None:
    small_kb.apply()
    small_kb.article("billing/invoices.md", "Invoices, renamed", "x")
    planfile = small_kb.root / "change.plan.json"
    small_kb.plan(out=planfile)
    _edit_in_web_ui(small_kb, "invoices", excerpt="changed meanwhile")
    small_kb.reset_log()
    outcome = small_kb.apply(planfile=planfile)
    assert outcome.code == 1 and "stale" in outcome.err and "invoices" in outcome.err
    assert small_kb.writes() == []


def test_a_saved_plan_reads_only_what_proves_it_fresh(small_kb: KB) -> None:
    small_kb.apply()
    small_kb.article("billing/invoices.md", "Invoices, renamed", "x")
    planfile = small_kb.root / "change.plan.json"
    small_kb.plan(out=planfile)
    small_kb.reset_log()
    assert small_kb.apply(planfile=planfile).code == 0
    reads = [r["path"] for r in small_kb.requests() if r["method"] == "GET"]
    assert len(reads) == 2 and reads[0] == "/organizations/1/"  # the tenant, the article
    assert reads[1].startswith("/organizations/1/portal/articles/")
    small_kb.article("billing/new.md", "New", "x")  # a create: every page shows its slug free
    small_kb.plan(out=planfile)
    small_kb.reset_log()
    assert small_kb.apply(planfile=planfile).code == 0
    assert [r["path"] for r in small_kb.requests() if r["method"] == "GET"] == [
        "/organizations/1/", "/organizations/1/portal/articles/"]


def test_a_fresh_saved_plan_applies_exactly(small_kb: KB) -> None:
    small_kb.apply()
    small_kb.article("billing/invoices.md", "Invoices, renamed", "x")
    planfile = small_kb.root / "change.plan.json"
    small_kb.plan(out=planfile)
    small_kb.reset_log()
    assert small_kb.apply(planfile=planfile).code == 0
    assert [m for m, _ in small_kb.writes()] == ["PATCH"]


def test_a_deleted_folder_that_still_holds_articles_it_does_not_delete_is_kept(
        small_kb: KB) -> None:
    small_kb.apply()
    with small_kb.connect(small_kb.config()) as client:
        from kbsync.model import ArticleFields

        billing = client.find_collection_by_slug("billing")
        assert billing is not None
        client.create_article(ArticleFields(title="UI page", slug="ui-page",
                                            collection_id=billing.id))
    (small_kb.root / "billing/invoices.md").unlink()
    small_kb.article("guides/01-start.md", "Start here", "No links.")
    outcome = small_kb.plan()
    assert "not deleted: it still holds 1 article and" in outcome.out
    assert small_kb.apply().code == 0
    slugs = {a.fields.slug for a in small_kb.remote_articles()}
    assert "invoices" not in slugs and "ui-page" in slugs
