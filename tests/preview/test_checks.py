"""The preview's checks: after each save, what it shows equals validate's whole run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from kbsync.local.bulk import parse_articles
from kbsync.local.parse_cache import ParseCache
from kbsync.local.tree import read_tree
from kbsync.markdown import MarkdownRenderer
from kbsync.preview.site import Site
from kbsync.validate import check_tree

from .conftest import KB


def _validate(kb: KB) -> Counter[str]:
    config = kb.config()
    tree = read_tree(config.root, config.content)
    parsed = parse_articles(tree.articles, MarkdownRenderer(), ParseCache(None))
    problems = check_tree(tree, parsed, assets=config.assets)
    return Counter(str(p) for p in problems)


def _shown(site: Site) -> Counter[str]:
    return Counter(str(p) for p in site.current.problems)


def test_incremental_checks_equal_a_whole_validate(
        kb: KB, make_site: Callable[[KB], Site]) -> None:
    kb.article("g/a.md", "A", "See [b](b.md#sec) and [c](../h/c.md).")
    kb.article("g/b.md", "B", "## Sec\n\nText.")
    kb.article("h/c.md", "C", "![shot](img/shot.png)", position=3)
    kb.article("h/d.md", "D", position=3)
    site = make_site(kb)
    steps: list[tuple[str, str | None]] = [
        ("g/b.md", "---\ntitle: B\n---\n\n## Other\n\nText.\n"),  # a's anchor breaks
        ("g/b.md", "---\ntitle: B\n---\n\n## Sec\n\nText.\n"),  # and is back
        ("h/c.md", "---\ntitle: C\nslug: a\n---\n\n![shot](img/shot.png)\n"),  # a's slug
        ("h/img/shot.png", None),  # the image appears
        ("g/a.md", "---\ntitle: A\n---\n\n<<<<<<< ours\nx\n>>>>>>> theirs\n[b](b.md#nope)\n"),
        ("h/d.md", "---\ntitle: D\nposition: 4\n---\n\nNo longer shares a position.\n"),
    ]
    assert _shown(site) == _validate(kb)
    for path, text in steps:
        target = kb.root / path
        if text is None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"png")
        else:
            target.write_text(text)
        update = site.update({path})
        assert update.summary != "" and not update.summary.startswith("the knowledge base")
        assert _shown(site) == _validate(kb), path
    assert _shown(site)  # the last steps leave problems: the comparison was not vacuous


def test_the_preview_renders_and_checks_with_the_heading_id_scheme(
        kb: KB, make_site: Callable[[KB], Site]) -> None:
    kb.write("kbsync.toml", '[content]\nheading_ids = "markdown-it-anchor"\n')
    kb.article("g/a.md", "A", "## Use the IDE (legacy)\n\nText.")
    kb.article("g/b.md", "B", "See [a](a.md#use-the-ide-(legacy)).")
    site = make_site(kb)
    assert '<h2 id="use-the-ide-(legacy)">' in site.current.pages["g/a.md"].rendering.html
    assert not site.current.problems
