"""Edits that keep the knowledge base valid: heading renames, moves, a pinned slug."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.engine.edits import (
    Edit,
    heading_text_columns,
    move_edits,
    rename_heading,
    slug_changes,
    text_edits,
)
from kbsync.engine.links import Links
from kbsync.frontend import open_workspace
from kbsync.markdown import renderer_for
from kbsync.markdown.heading_ids import heading_ids

from .conftest import KB, write_small_kb


def applied(root: Path, edits: list[Edit]) -> dict[str, str]:
    """Each edited file's text with its edits applied (last first, as editors do)."""
    texts: dict[str, list[str]] = {}
    for edit in sorted(edits, key=lambda e: (e.line, e.column), reverse=True):
        lines = texts.setdefault(edit.path, (root / edit.path).read_text().splitlines(
            keepends=True))
        text = "".join(lines)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))
        start = offsets[edit.line - 1] + edit.column - 1
        end = offsets[min(edit.end_line - 1, len(lines))] + edit.end_column - 1
        texts[edit.path] = (text[:start] + edit.text + text[end:]).splitlines(keepends=True)
    return {path: "".join(lines) for path, lines in texts.items()}


@pytest.mark.parametrize(("line", "expected"), [
    ("## Before you start", (4, 20)), ("### Steps ###", (5, 10)),
    ("## Steps {#custom .x}", (4, 9)), ("Setext title", (1, 13)), ("", None)])
def test_the_text_of_a_heading_on_its_line(line: str, expected: tuple[int, int] | None) -> None:
    assert heading_text_columns(line) == expected


def test_renaming_a_heading_rewrites_the_anchors_linking_to_it(kb: KB) -> None:
    write_small_kb(kb)
    kb.article("guides/x.md", "X", "[here](#details) [there](<02-next.md#details>)")
    links = Links(open_workspace(kb.config()).check())
    heading = links.heading("guides/02-next.md", "details")
    assert heading is not None
    line = (kb.root / "guides/02-next.md").read_text().splitlines()[heading.line - 1]
    edits = rename_heading(links, "guides/02-next.md", heading, "More `details`", line,
                           heading_ids("github"), renderer_for())
    files = applied(kb.root, edits)
    assert "## More `details`\n" in files["guides/02-next.md"]
    assert "See [next](../02-next.md#more-details)." in files["guides/advanced/deep.md"]
    assert "[there](<02-next.md#more-details>)" in files["guides/x.md"]
    assert "[here](#details)" in files["guides/x.md"]  # x.md's own #details: not the same


def test_a_move_rewrites_links_to_it_and_its_own(kb: KB) -> None:
    write_small_kb(kb)
    links = Links(open_workspace(kb.config()).check())
    moves = {"guides/02-next.md": "billing/later.md"}
    files = applied(kb.root, move_edits(links, lambda k: (kb.root / k).read_text(), moves, {}))
    assert sorted(files) == ["guides/02-next.md", "guides/advanced/deep.md"]
    assert "[next](../../billing/later.md#details)" in files["guides/advanced/deep.md"]
    assert "More [start](../guides/01-start.md)." in files["guides/02-next.md"]
    assert [(c.old, c.new) for c in slug_changes(links, moves, {})] == [("next", "later")]
    assert slug_changes(links, {"guides/02-next.md": "billing/02-next.md"}, {}) == []


def test_a_moved_article_keeps_its_slug_pinned_in_its_front_matter(kb: KB) -> None:
    kb.write("g/a.md", "---\ntitle: A\nstatus: draft\n---\n[b](b.md)\n")
    kb.article("g/b.md", "B")
    links = Links(open_workspace(kb.config()).check())
    edits = move_edits(links, lambda k: (kb.root / k).read_text(), {"g/a.md": "h/z.md"}, {},
                       pins={"g/a.md": "a"})
    assert applied(kb.root, edits)["g/a.md"] == (
        "---\ntitle: A\nslug: a\nstatus: draft\n---\n[b](../g/b.md)\n")


def test_text_edits_replace_the_changed_lines_only() -> None:
    assert text_edits("a.md", "a\nb\nc", "a\nB\nc") == [Edit("a.md", 2, 1, 3, 1, "B\n")]
    assert text_edits("a.md", "a\nb", "a\nb!") == [Edit("a.md", 2, 1, 2, 2, "b!")]
