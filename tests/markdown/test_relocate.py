"""Relative links follow the files pull (or a rename in the editor) moves."""

from __future__ import annotations

import re

import pytest

from kbsync.markdown import resolve_relative
from kbsync.markdown.relocate import Relocator, relocate_links, respelled

MOVES = Relocator({"billing/refunds.md": "money/refunds.md"}, {"guides/old": "guides/new"})


def test_a_moved_file_keeps_pointing_at_the_same_targets() -> None:
    text = "---\ntitle: T\n---\n\nSee [x](../guides/a.md#top) and ![i](pics/a.png).\n"
    out = relocate_links(text, "billing/refunds.md", "money/sub/refunds.md", MOVES)
    assert out == ("---\ntitle: T\n---\n\nSee [x](../../guides/a.md#top) and "
                   "![i](../../billing/pics/a.png).\n")


def test_a_link_to_a_moved_file_or_folder_is_rewritten() -> None:
    text = "[r](../billing/refunds.md) [d](old/deep.md) [e](https://x.y/a.md) [s](#here)\n"
    out = relocate_links(text, "guides/a.md", "guides/a.md", MOVES)
    assert out == "[r](../money/refunds.md) [d](new/deep.md) [e](https://x.y/a.md) [s](#here)\n"


def test_code_and_reference_definitions() -> None:
    text = ("`[r](../billing/refunds.md)`\n```\n[r](../billing/refunds.md)\n```\n"
            "[ref]: ../billing/refunds.md\n")
    out = relocate_links(text, "guides/a.md", "guides/a.md", MOVES)
    assert out == ("`[r](../billing/refunds.md)`\n```\n[r](../billing/refunds.md)\n```\n"
                   "[ref]: ../money/refunds.md\n")


def test_no_moves_no_change() -> None:
    assert not Relocator({}, {})
    text = "[a](b.md)\n"
    assert relocate_links(text, "a.md", "a.md", Relocator({}, {})) == text


def test_names_with_hash_question_mark_and_percent_stay_one_path() -> None:
    """Moves into folders named like ``why?`` or ``hash#tag`` keep the link resolvable."""
    moves = Relocator({"a/x.md": "why?/x.md", "a/y.md": "50% off/y.md"},
                      {"b": "hash#tag"})
    text = "[x](x.md#top) [y](<y.md>) [z](../b/z.md)\n"
    out = relocate_links(text, "a/here.md", "a/here.md", moves)
    assert out == "[x](../why%3F/x.md#top) [y](<../50%25 off/y.md>) [z](../hash%23tag/z.md)\n"
    targets = [resolve_relative("a/here.md", m.strip("<>"))
               for m in re.findall(r"\]\(([^)]+)\)", out)]
    assert targets == [("why?/x.md", "top"), ("50% off/y.md", None), ("hash#tag/z.md", None)]


def test_a_moved_link_keeps_the_spelling_conversion_gives_it() -> None:
    """Conversion writes ``caf\u00e9`` readable and the space encoded; a move rewrites the
    link the same way, not as ``caf%C3%A9`` (a noisy diff on every move)."""
    moves = Relocator({"a b/caf\u00e9.md": "c d/caf\u00e9.md"}, {})
    text = "[x](../a%20b/caf\u00e9.md)\n"
    out = relocate_links(text, "g/here.md", "g/here.md", moves)
    assert out == "[x](../c%20d/caf\u00e9.md)\n"
    assert resolve_relative("g/here.md", "../c%20d/caf\u00e9.md") == ("c d/caf\u00e9.md", None)


@pytest.mark.parametrize(("written", "change", "expected"), [
    ("guide.md#stpes", {"fragment": "steps"}, "guide.md#steps"),
    ("<my guide.md>", {"fragment": "steps"}, "<my guide.md#steps>"),
    ("a.md?x=1#old", {"fragment": "new"}, "a.md?x=1#new"),
    ("a.md#keep", {"path": "../b c.md"}, "../b%20c.md#keep"),
    ("<a.md>", {"path": "../b c.md"}, "<../b c.md>"),
])
def test_a_destination_is_respelled_the_way_it_was_written(
        written: str, change: dict[str, str], expected: str) -> None:
    assert respelled(written, **change) == expected
