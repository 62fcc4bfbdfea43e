"""The workspace: checks that re-check only what changed, kept renderings, an editor's
text instead of the disk's, and a warm check that reads no YAML."""

from __future__ import annotations

import json

from kbsync.engine import Workspace
from kbsync.frontend import open_workspace

from .conftest import KB, write_small_kb


def _problems(workspace: Workspace, changed: set[str] | None = None) -> list[str]:
    return [str(p) for p in workspace.check(changed).problems]


def test_a_check_after_saves_equals_a_whole_check(kb: KB) -> None:
    write_small_kb(kb)
    workspace = open_workspace(kb.config())
    workspace.check()
    kb.article("guides/02-next.md", "Next steps", "## Other\n\nMore.")  # deep.md's anchor
    assert _problems(workspace, {"guides/02-next.md"}) == _problems(open_workspace(kb.config()))
    kb.article("billing/invoices.md", "Invoices", "[x](nowhere.md)", slug="deep")
    after = _problems(workspace, {"billing/invoices.md"})
    assert after == _problems(open_workspace(kb.config())) and len(after) == 3  # link, anchor, slug


def test_a_new_article_reads_the_whole_tree(kb: KB) -> None:
    write_small_kb(kb)
    workspace = open_workspace(kb.config())
    workspace.check()
    kb.article("guides/00-first.md", "First")
    assert workspace.reshapes("guides/00-first.md")
    checked = workspace.check({"guides/00-first.md"})
    assert checked.tree.article("guides/02-next.md").position == 2  # type: ignore[union-attr]


def test_what_reshapes_the_tree(kb: KB) -> None:
    write_small_kb(kb)
    kb.write("guides/shot.png", "png")
    workspace = open_workspace(kb.config())
    workspace.check()
    assert workspace.reshapes("guides/_collection.yaml") and workspace.reshapes("guides")
    assert workspace.reshapes("kbsync.toml") and workspace.reshapes(".kbsyncignore")
    assert not workspace.reshapes("guides/01-start.md")  # an article: read it again
    assert not workspace.reshapes("guides/shot.png") and not workspace.reshapes("notes.txt")


def test_a_deleted_article_is_found_by_reading_it_again(kb: KB) -> None:
    write_small_kb(kb)
    workspace = open_workspace(kb.config())
    workspace.check()
    (kb.root / "billing/invoices.md").unlink()
    checked = workspace.check({"billing/invoices.md"})
    assert checked.tree.article("billing/invoices.md") is None
    assert [p.message for p in checked.problems] == [
        "broken link: ../billing/invoices.md: no such file"]


def test_an_editors_text_is_read_instead_of_the_file(kb: KB) -> None:
    write_small_kb(kb)
    workspace = open_workspace(kb.config())
    workspace.check()
    workspace.set_text("guides/01-start.md", "---\ntitle: Start\nstatus: live\n---\nText\n")
    assert [p.key for p in workspace.check({"guides/01-start.md"}).problems] == ["status"]
    assert "live" not in (kb.root / "guides/01-start.md").read_text()
    workspace.set_text("guides/01-start.md", None)
    assert workspace.check({"guides/01-start.md"}).problems == ()


def test_a_body_is_rendered_once_per_content(kb: KB) -> None:
    write_small_kb(kb)
    workspace = open_workspace(kb.config())
    workspace.check()
    first = workspace.render(["guides/01-start.md", "billing/invoices.md"])
    kb.article("billing/invoices.md", "Invoices", "New text.")
    workspace.check({"billing/invoices.md"})
    second = workspace.render(["guides/01-start.md", "billing/invoices.md"])
    assert second["guides/01-start.md"] is first["guides/01-start.md"]
    assert "New text." in second["billing/invoices.md"].html
    assert 'href="kbsync://article/billing/invoices.md"' in first["guides/01-start.md"].html


def test_a_warm_check_reads_each_front_matter_from_the_cache(kb: KB) -> None:
    """The second run finds every article's front matter by its blob id (none is read
    as YAML), and reports exactly what the first did, hostile files included."""
    write_small_kb(kb)
    kb.write("bad/a.md", "---\ntitle: A\ntitle: B\nwhen: 2024-02-30\n---\nText\n")
    kb.write("bad/b.md", "---\ntitle: [oops\n---\nText\n")
    kb.write("bad/c.md", "---\ntitle: \"C\\x1b\"\nslug: a\n---\nText\n")
    cold = _problems(open_workspace(kb.config()))
    cache = json.loads((kb.root / ".kbsync/cache/parsed.json").read_text())
    blobs = {a.source_hash for a in open_workspace(kb.config()).check().tree.articles}
    assert set(cache["front"]) == blobs and len(blobs) == 7
    assert _problems(open_workspace(kb.config())) == cold and len(cold) == 6


def test_a_check_that_renders_checks_and_renders_as_the_two_steps_do(kb: KB) -> None:
    """The preview's whole read renders while it parses; the result is the same."""
    write_small_kb(kb)
    kb.article("guides/x.md", "X", "[broken](nowhere.md) and [start](01-start.md#nope)")
    both = open_workspace(kb.config())
    checked = both.check(render=True)
    apart = open_workspace(kb.config())
    assert [str(p) for p in checked.problems] == _problems(apart) and checked.problems
    keys = [a.key for a in checked.tree.articles]
    assert both.render(keys) == apart.render(keys)


def test_a_file_with_too_many_problems_is_capped_the_same_after_an_edit(kb: KB) -> None:
    write_small_kb(kb)
    kb.article("guides/many.md", "Many", " ".join(f"[x](no-{n}.md)" for n in range(60)))
    workspace = open_workspace(kb.config())
    assert len(_problems(workspace)) == 51  # 50, then "10 more problems"
    kb.article("guides/many.md", "Many", " ".join(f"[x](no-{n}.md)" for n in range(70)))
    assert _problems(workspace, {"guides/many.md"}) == _problems(open_workspace(kb.config()))
    assert "20 more problems in this file not shown" in _problems(workspace)[-1]


def test_a_glance_checks_the_asked_articles_as_a_whole_check_does(kb: KB) -> None:
    write_small_kb(kb)
    kb.article("billing/invoices.md", "Invoices", "[x](nowhere.md) [d](../guides/02-next.md#nope)",
               slug="deep")
    whole = open_workspace(kb.config()).check().problems
    glanced = open_workspace(kb.config()).glance({"billing/invoices.md"})
    for path in ("billing/invoices.md", "guides/advanced/deep.md"):  # links; the slug
        mine = [p for p in glanced.problems if p.path == path]
        assert mine == [p for p in whole if p.path == path] and mine
    assert set(glanced.parsed) == {"billing/invoices.md", "guides/02-next.md"}
