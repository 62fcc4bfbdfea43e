"""Bulk parsing and rendering: worker processes give exactly what one process gives."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from kbsync.config import ContentSettings
from kbsync.local.bulk import (
    POOL_THRESHOLD,
    ArticleParser,
    Job,
    Settings,
    parse_metas,
    render_templates,
    workers,
)
from kbsync.local.parse_cache import ParseCache
from kbsync.local.tree import read_tree
from kbsync.markdown import (
    ArticleKeys,
    Link,
    MarkdownRenderer,
    ParsedBody,
    template_resolver,
)
from kbsync.model import LocalArticle, RenderedBody
from kbsync.plan.links import LINK_PLACEHOLDER, fill_links


def _jobs(count: int) -> list[Job]:
    return [Job(f"g/a{n}.md", f"## Part {n}\n\nSee [next](a{n + 1}.md#part-{n + 1}).\n", 4)
            for n in range(count)]


def test_a_big_batch_uses_workers_and_matches_the_in_process_result() -> None:
    jobs = _jobs(POOL_THRESHOLD)
    assert workers(len(jobs)) == min(os.cpu_count() or 1, 8)
    assert workers(POOL_THRESHOLD - 1) == 1
    pooled = render_templates(jobs, Settings())
    renderer = MarkdownRenderer()
    for job in jobs[:: POOL_THRESHOLD // 7]:
        alone = renderer.parse(job.body, job.body_line)
        assert pooled[job.key].meta.links == alone.links
        assert pooled[job.key].meta.anchors == alone.anchors
    assert parse_metas(jobs)["g/a3.md"].anchors == frozenset({"part-3"})


def test_templates_hold_placeholders_that_fill_links_completes() -> None:
    template = render_templates(_jobs(1), Settings())["g/a0.md"].template
    assert f'href="{LINK_PLACEHOLDER}g/a1.md#part-1"' in template.html
    filled = fill_links(template, lambda key: f"https://help.example/x/{key[2:-3]}-9")
    assert 'href="https://help.example/x/a1-9#part-1"' in filled.html
    assert fill_links(template, lambda key: None) == template


def test_filled_html_stays_longer_than_its_text() -> None:
    template = RenderedBody(f'<a href="{LINK_PLACEHOLDER}a.md">x</a>', "x" * 30)
    assert fill_links(template, lambda key: "u").html.startswith("<div>")


def test_workers_render_in_the_dialect_and_find_keys_in_any_unicode_form() -> None:
    """The dialect and the article keys travel to the worker processes."""
    stored = unicodedata.normalize("NFD", "g/über.md")
    body = "> [!NOTE]\n> Hi\n\n[u](über.md) | a |\n"
    jobs = [Job(f"g/a{n}.md", body, 1) for n in range(POOL_THRESHOLD)]
    settings = Settings(("alerts",), None, ArticleKeys([stored]))
    pooled = render_templates(jobs, settings)["g/a7.md"].template
    alone = MarkdownRenderer(("alerts",))
    expected = alone.render(alone.parse(body), article_key="g/a7.md",
                            resolve_article_url=template_resolver,
                            article_keys=ArticleKeys([stored]))
    assert pooled == expected
    assert 'class="kb-callout kb-callout-note"' in pooled.html and "<table>" not in pooled.html
    assert fill_links(pooled, {stored: "https://help.example/g/u-1"}.get).html.count(
        "https://help.example/g/u-1") == 1


def test_a_body_parsed_already_is_taken_at_its_line_and_cached(tmp_path: Path) -> None:
    """init's workers parse each body as they convert it; checking the written files then
    takes that parse (moved to the body's line), so no body is parsed twice."""
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n\nSee [b](b.md).\n")
    (tmp_path / "b.md").write_text("---\ntitle: B\n---\n\nNot known: [a](a.md).\n")
    tree = read_tree(tmp_path, ContentSettings())
    from_converter = ParsedBody(None, (Link("b.md", 1, False),), frozenset({"converted"}))
    cache = ParseCache(tmp_path / "cache.json")
    parser = ArticleParser(MarkdownRenderer(), cache, {"See [b](b.md).\n": from_converter})
    for article in tree.articles:
        parser.add(article)
    parsed = parser.finish()
    want = ParsedBody(None, (Link("b.md", 5, False),), frozenset({"converted"}))
    assert parsed["a.md"] == want  # the anchor only the given parse has: not parsed again
    assert parsed["b.md"].links == (  # parsed here
        Link("a.md", 5, False, column=12, target_column=16, written="a.md"),)
    assert cache.get(tree.article("a.md").source_hash) == want  # plan finds it cached


def test_warm_up_starts_the_workers_a_big_batch_needs_and_only_those() -> None:
    """Run in a fresh interpreter: this one may have started the shared pool already."""
    script = ("import multiprocessing, sys\n"
              "from kbsync.local.bulk import POOL_THRESHOLD, warm_up\n"
              "warm_up(POOL_THRESHOLD - 1)\n"
              "small = len(multiprocessing.active_children())\n"
              "warm_up(POOL_THRESHOLD)\n"
              "print(small, len(multiprocessing.active_children()))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.split() == ["0", str(workers(POOL_THRESHOLD))]


def test_a_tree_parsed_as_it_is_read_matches_one_process(tmp_path: Path) -> None:
    """A cold check hands bodies to the workers while it reads the rest of the files."""
    for job in _jobs(POOL_THRESHOLD):
        path = tmp_path / job.key
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"---\ntitle: T\n---\n\n{job.body}")
    cache = ParseCache(tmp_path / "cache.json")
    parser = ArticleParser(MarkdownRenderer(), cache)
    seen: list[str] = []

    def read(article: LocalArticle) -> None:
        seen.append(article.key)
        parser.add(article)

    tree = read_tree(tmp_path, ContentSettings(), scanned=parser.expect, read=read)
    parsed = parser.finish()
    assert sorted(seen) == [a.key for a in tree.articles]
    alone = MarkdownRenderer()
    for article in tree.articles[:: POOL_THRESHOLD // 7]:
        fresh = alone.parse(article.body, article.body_line)
        assert (parsed[article.key].links, parsed[article.key].anchors) == (
            fresh.links, fresh.anchors)
        assert cache.get(article.source_hash) == parsed[article.key]
    assert len(parsed) == POOL_THRESHOLD
