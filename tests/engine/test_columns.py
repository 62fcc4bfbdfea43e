"""The columns of a problem: a link's destination, a key's name; kept per file content."""

from __future__ import annotations

import pytest

from kbsync.engine.columns import key_columns
from kbsync.frontend import open_workspace
from kbsync.problems import Problem

from .conftest import KB, write_small_kb


@pytest.mark.parametrize(("line", "key", "expected"), [
    ("titel: Hello", "titel", (1, 6)),
    ('"owner" : me', "owner", (1, 8)),
    ("  - q: how do I", "q", (5, 6)),
    ("heading_ids = 'x'", "content.heading_ids", None),  # TOML, not a YAML key
    ("title: titel", "titel", None),
])
def test_a_key_is_found_at_the_start_of_its_line(line: str, key: str,
                                                 expected: tuple[int, int] | None) -> None:
    assert key_columns(line, key) == expected


def _only(kb: KB, path: str) -> list[Problem]:
    return [p for p in open_workspace(kb.config()).check().problems if p.path == path]


def test_a_broken_link_points_at_its_destination_with_the_fix(kb: KB) -> None:
    write_small_kb(kb)
    kb.article("guides/x.md", "X", "See [next](02-nxt.md) and [it](02-next.md#detials).")
    missing, anchor = _only(kb, "guides/x.md")
    line = (kb.root / "guides/x.md").read_text().splitlines()[missing.line - 1]  # type: ignore[operator]
    assert line[missing.column - 1:missing.end_column - 1] == "02-nxt.md"  # type: ignore[operator]
    assert (missing.suggestion, anchor.suggestion) == ("02-next.md", "02-next.md#details")


def test_an_unknown_key_points_at_the_key_with_the_fix(kb: KB) -> None:
    write_small_kb(kb)
    kb.write("guides/y.md", "---\ntitle: Y\n\ntitel: Y\n---\nText.\n")
    problem = _only(kb, "guides/y.md")
    assert [(p.line, p.column, p.end_column, p.suggestion) for p in problem] == [
        (4, 1, 6, "title")]


def test_an_editor_text_moves_the_columns_on_the_next_check(kb: KB) -> None:
    write_small_kb(kb)
    kb.write("guides/y.md", "---\ntitle: Y\ntitel: Y\n---\nText.\n")
    workspace = open_workspace(kb.config())
    assert [p.column for p in workspace.check().problems] == [1]
    workspace.set_text("guides/y.md", "---\ntitle: Y\n'titel' : Y\n---\nText.\n")
    assert [(p.column, p.end_column) for p in workspace.check({"guides/y.md"}).problems] == [
        (1, 8)]


def test_an_image_without_alt_text_points_at_the_image(kb: KB) -> None:
    write_small_kb(kb)
    kb.write("guides/shot.png", "png")
    kb.article("guides/z.md", "Z", "Look: ![](shot.png)")
    problem = next(p for p in _only(kb, "guides/z.md") if "alt text" in p.message)
    line = (kb.root / "guides/z.md").read_text().splitlines()[problem.line - 1]  # type: ignore[operator]
    assert line[problem.column - 1:problem.end_column - 1] == "shot.png"  # type: ignore[operator]
