"""Bulk parsing and rendering: worker processes give exactly what one process gives."""

from __future__ import annotations

import os

from kbsync.local.bulk import POOL_THRESHOLD, Job, parse_metas, render_templates, workers
from kbsync.local.markdown import MarkdownRenderer
from kbsync.model import RenderedBody
from kbsync.plan.links import LINK_PLACEHOLDER, fill_links


def _jobs(count: int) -> list[Job]:
    return [Job(f"g/a{n}.md", f"## Part {n}\n\nSee [next](a{n + 1}.md#part-{n + 1}).\n", 4)
            for n in range(count)]


def test_a_big_batch_uses_workers_and_matches_the_in_process_result() -> None:
    jobs = _jobs(POOL_THRESHOLD)
    assert workers(len(jobs)) == min(os.cpu_count() or 1, 8)
    assert workers(POOL_THRESHOLD - 1) == 1
    pooled = render_templates(jobs, None)
    renderer = MarkdownRenderer()
    for job in jobs[:: POOL_THRESHOLD // 7]:
        alone = renderer.parse(job.body, job.body_line)
        assert pooled[job.key].meta.links == alone.links
        assert pooled[job.key].meta.anchors == alone.anchors
    assert parse_metas(jobs)["g/a3.md"].anchors == frozenset({"part-3"})


def test_templates_hold_placeholders_that_fill_links_completes() -> None:
    template = render_templates(_jobs(1), None)["g/a0.md"].template
    assert f'href="{LINK_PLACEHOLDER}g/a1.md#part-1"' in template.html
    filled = fill_links(template, lambda key: f"https://help.example/x/{key[2:-3]}-9")
    assert 'href="https://help.example/x/a1-9#part-1"' in filled.html
    assert fill_links(template, lambda key: None) == template


def test_filled_html_stays_longer_than_its_text() -> None:
    template = RenderedBody(f'<a href="{LINK_PLACEHOLDER}a.md">x</a>', "x" * 30)
    assert fill_links(template, lambda key: "u").html.startswith("<div>")
