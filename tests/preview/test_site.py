"""The preview's model: incremental rebuilds, the last good version, moves and settings."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import pytest

from kbsync.config import Config
from kbsync.errors import ConfigError
from kbsync.preview.site import Site, article_url, collection_url

from .conftest import KB

MakeSite = Callable[[KB], Site]


@pytest.fixture
def two(kb: KB) -> KB:
    kb.write("billing/_collection.yaml", "name: Billing and plans\nposition: 2\n")
    kb.article("billing/refunds.md", "Refunds", "Money back. See [plans](plans.md#prices).",
               excerpt="Get your money back")
    kb.article("billing/plans.md", "Plans", "## Prices\n\nCheap.", position=0)
    kb.article("start/welcome.md", "Welcome", "Hello.", status="draft")
    return kb


def test_urls_mirror_the_files() -> None:
    assert article_url("billing/refunds.md") == "/billing/refunds"
    assert article_url("a b/ü.md") == "/a%20b/%C3%BC"
    assert collection_url("billing/eu") == "/billing/eu/"


def test_the_first_build_has_every_page_in_reader_order(two: KB, make_site: MakeSite) -> None:
    build = make_site(two).current
    assert sorted(build.pages) == ["billing/plans.md", "billing/refunds.md", "start/welcome.md"]
    folders, top = build.children[None]
    assert [c.key for c in folders] == ["start", "billing"]  # position 0 (by name) before 2
    assert top == ()
    assert [p.key for p in build.children["billing"][1]] == ["billing/plans.md",
                                                             "billing/refunds.md"]
    assert build.problems == ()


def test_article_links_point_into_the_preview(two: KB, make_site: MakeSite) -> None:
    html = make_site(two).current.pages["billing/refunds.md"].rendering.html
    assert '<a href="/billing/plans#prices">plans</a>' in html


def test_saving_an_article_rerenders_only_that_article(two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    before = site.current
    two.article("billing/refunds.md", "Refunds", "Money back within 30 days.",
                excerpt="Get your money back")
    update = site.update({"billing/refunds.md"})
    assert update.summary == "billing/refunds.md"  # one file re-read, not the tree
    assert update.pages == {"billing/refunds.md"} and not update.outline
    assert "within 30 days" in update.build.pages["billing/refunds.md"].rendering.html
    for key in ("billing/plans.md", "start/welcome.md"):
        assert update.build.pages[key] is before.pages[key]


def test_a_title_change_refreshes_the_navigation(two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    two.article("billing/plans.md", "Plans and prices", "## Prices\n\nCheap.", position=0)
    update = site.update({"billing/plans.md"})
    assert update.outline and update.pages == {"billing/plans.md"}
    assert update.build.pages["billing/plans.md"].article.title == "Plans and prices"


def test_an_unchanged_save_changes_nothing(two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    before = site.current
    update = site.update({"billing/plans.md", "billing/plans.md~", "4913"})
    assert not update.changed and update.build is before


def test_broken_front_matter_keeps_the_last_good_version(two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    two.write("billing/refunds.md", "---\ntitle: Refunds\nstatus: [oops\n---\nNew text.\n")
    update = site.update({"billing/refunds.md"})
    page = update.build.pages["billing/refunds.md"]
    assert "Money back" in page.rendering.html and page.article.title == "Refunds"
    assert "billing/refunds.md" in update.build.stale
    (problem,) = update.build.by_path["billing/refunds.md"]
    assert str(problem).startswith("billing/refunds.md:3: invalid YAML")
    assert update.new_problems == (problem,)

    two.article("billing/refunds.md", "Refunds", "Fixed text.")
    fixed = site.update({"billing/refunds.md"})
    assert "Fixed text." in fixed.build.pages["billing/refunds.md"].rendering.html
    assert fixed.build.stale == frozenset() and fixed.build.problems == ()
    assert fixed.fixed == ("billing/refunds.md",)


def test_a_file_that_was_never_valid_shows_as_read(two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    two.write("billing/new.md", "---\nstatus: live\n---\nDraft text.\n")
    build = site.update({"billing/new.md"}).build
    assert "Draft text." in build.pages["billing/new.md"].rendering.html
    assert "billing/new.md" not in build.stale
    assert [p.key for p in build.by_path["billing/new.md"]] == ["title", "status"]


def test_warnings_show_with_the_new_version(two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    two.write("billing/plans.md", "---\ntitle: Plans\ntitel: x\n---\n## Prices\n\nNew plans.\n")
    build = site.update({"billing/plans.md"}).build
    assert "New plans." in build.pages["billing/plans.md"].rendering.html
    assert [p.severity for p in build.problems] == ["warning"]


def test_a_deleted_folder_removes_its_pages_and_breaks_links_to_them(
        two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    two.article("start/welcome.md", "Welcome", "Read [refunds](../billing/refunds.md).",
                status="draft")
    site.update({"start/welcome.md"})
    shutil.rmtree(two.root / "billing")
    update = site.update({"billing", "billing/refunds.md", "billing/plans.md"})
    build = update.build
    assert list(build.pages) == ["start/welcome.md"] and [c.key for c in build.collections] == [
        "start"]
    assert [str(p) for p in build.problems] == [
        "start/welcome.md:6: broken link: ../billing/refunds.md: no such file "
        "(paths are relative to this file)"]
    assert "start/welcome.md" in update.pages and update.outline


def test_a_renamed_folder_moves_its_pages(two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    (two.root / "billing").rename(two.root / "plans-and-billing")
    build = site.update({"billing", "plans-and-billing"}).build
    assert "plans-and-billing/refunds.md" in build.pages
    assert build.moved["billing/refunds.md"] == "plans-and-billing/refunds.md"
    assert build.problems == ()  # relative links inside the folder still resolve


def test_a_new_file_shifts_the_default_positions_of_its_siblings(
        kb: KB, make_site: MakeSite) -> None:
    kb.article("g/b.md", "B")
    site = make_site(kb)
    assert site.current.pages["g/b.md"].article.position == 0
    kb.article("g/a.md", "A")
    build = site.update({"g/a.md"}).build
    assert (build.pages["g/a.md"].article.position, build.pages["g/b.md"].article.position) == (
        0, 1)


def test_an_ignored_file_changes_nothing(kb: KB, make_site: MakeSite) -> None:
    kb.write(".kbsyncignore", "notes/\n")
    kb.article("g/a.md", "A")
    site = make_site(kb)
    kb.article("notes/idea.md", "Idea")
    update = site.update({"notes/idea.md"})
    assert not update.changed and "notes/idea.md" not in update.build.pages
    kb.write(".kbsyncignore", "")
    assert "notes/idea.md" in site.update({".kbsyncignore"}).build.pages


def test_a_changed_image_refreshes_the_pages_that_show_it(kb: KB, make_site: MakeSite) -> None:
    kb.write("g/img/shot.png", "png")
    kb.article("g/a.md", "A", "![shot](img/shot.png)")
    kb.article("g/b.md", "B")
    site = make_site(kb)
    kb.write("g/img/shot.png", "png, again")
    update = site.update({"g/img/shot.png"})
    assert update.assets == {"g/a.md"}
    assert '<img src="img/shot.png" alt="shot"' in update.build.pages["g/a.md"].rendering.html


def test_a_broken_kbsync_toml_is_shown_and_the_last_settings_stay(
        kb: KB, make_site: MakeSite) -> None:
    kb.write("kbsync.toml", '[content]\nextra_keys = ["owner"]\n')
    kb.article("g/a.md", "A", owner="me")
    site = make_site(kb)
    kb.write("kbsync.toml", '[content]\nextra_keys = ["owner"]\nassets_base_url = "ftp://x"\n')
    build = site.update({"kbsync.toml"}).build
    assert [str(p) for p in build.site_problems] == [
        "kbsync.toml:3: content.assets_base_url: must be an http(s) URL, got 'ftp://x' "
        '(e.g. "https://raw.githubusercontent.com/acme/kb/main/") '
        "(the preview keeps the last valid settings)"]
    assert build.problems == build.site_problems  # owner: still a known key
    kb.write("kbsync.toml", "[content]\n")
    build = site.update({"kbsync.toml"}).build
    assert [p.key for p in build.problems] == ["owner"]  # the new settings apply


def test_images_load_from_the_folder_whatever_their_published_home(
        kb: KB, make_site: MakeSite) -> None:
    """A screenshot added in a branch exists only here: the preview shows this one, not
    the published copy (which may not exist yet)."""
    kb.write("g/shot.png", "png")
    kb.article("g/a.md", "A", "![shot](shot.png)")
    site = make_site(kb)
    kb.write("kbsync.toml", '[assets]\nbase_url = "https://cdn.example/kb"\n')
    html = site.update({"kbsync.toml"}).build.pages["g/a.md"].rendering.html
    assert '<img src="shot.png"' in html


def test_portal_name_and_colour_and_a_bad_colour_keeps_the_last(
        kb: KB, make_site: MakeSite) -> None:
    kb.write("portal.yaml", "name: Parcelly Help\nprimary_color: '#0E7C66'\n")
    kb.article("g/a.md", "A")
    site = make_site(kb)
    assert (site.current.look.name, site.current.look.color) == ("Parcelly Help", "#0E7C66")
    kb.write("portal.yaml", "name: Parcelly Help\nprimary_color: teal\n")
    update = site.update({"portal.yaml"})
    assert update.build.look.color == "#0E7C66" and update.outline
    assert [p.key for p in update.build.site_problems] == ["primary_color"]


def test_search_finds_published_articles_and_follows_edits(two: KB, make_site: MakeSite) -> None:
    site = make_site(two)
    assert [p.key for p, _ in site.search("money back")] == ["billing/refunds.md"]
    assert site.search("hello") == []  # welcome.md is a draft: not searchable
    two.article("billing/plans.md", "Plans", "Shipping insurance included.", position=0)
    site.update({"billing/plans.md"})
    assert [p.key for p, _ in site.search("insurance")] == ["billing/plans.md"]
    (two.root / "billing/plans.md").unlink()
    site.update({"billing/plans.md"})
    assert site.search("insurance") == []


def test_a_failed_rebuild_keeps_the_last_build_and_reads_everything_next(
        two: KB) -> None:
    calls: list[str] = []

    def load_config() -> Config:
        calls.append("load")
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return two.config()

    site = Site(load_config)
    try:
        site.update()
        before = site.current
        with pytest.raises(RuntimeError):
            site.update({"kbsync.toml"})
        assert site.current is before
        two.article("billing/plans.md", "Plans", "Changed.", position=0)
        update = site.update({"billing/plans.md"})
        assert update.summary.startswith("the knowledge base")  # a whole read after a failure
        assert "Changed." in update.build.pages["billing/plans.md"].rendering.html
    finally:
        site.close()


def test_an_invalid_kbsync_toml_at_start_is_an_error(kb: KB) -> None:
    kb.write("kbsync.toml", "[remote\n")
    with pytest.raises(ConfigError):
        Site(kb.config)


def test_the_example_builds_without_problems(example: KB, make_site: MakeSite) -> None:
    build = make_site(example).current
    assert len(build.pages) == 35 and len(build.collections) == 9
    drafts: Any = sorted(k for k, p in build.pages.items() if p.article.status == "draft")
    assert drafts == ["integrations/zapier.md", "shipping/carriers/international/"
                      "03-restricted-items.md", "shipping/schedule-a-pickup.md"]
    assert build.problems == ()


def test_an_empty_folder_still_gets_a_first_build(kb: KB, make_site: MakeSite) -> None:
    site = make_site(kb)
    assert site.current.id.endswith(".1") and site.current.pages == {}


def test_coverage_file_problems_show_and_follow_the_articles(kb: KB, make_site: MakeSite) -> None:
    """Everything validate reports: coverage.yaml too, its expect: slugs checked against
    the articles as they are now."""
    kb.article("g/a.md", "A")
    kb.write("coverage.yaml", "questions:\n  - q: Where is A?\n    expect: b\n")
    site = make_site(kb)
    assert [str(p) for p in site.current.problems if p.path == "coverage.yaml"] == [
        "coverage.yaml:3: expect: warning: expects 'b', but no article has that slug (check "
        "the article's slug)"]
    kb.write("coverage.yaml", "questions:\n  - q: Where is A?\n    expect: a\n")
    update = site.update({"coverage.yaml"})
    assert [p for p in update.build.problems if p.path == "coverage.yaml"] == []
