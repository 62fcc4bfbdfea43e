"""What the issue of lost and growing content named, each pinned: nothing a reader sees
is dropped, flattened or grows on the next pull."""

from __future__ import annotations

import pytest

from kbsync.markdown.html_parser import parse_html
from kbsync.markdown.html_tree import EVERY_TAG
from tests.markdown.conftest import render, to_markdown


def twice(markdown: str) -> tuple[str, str, str]:
    """(first HTML, HTML after one pull, Markdown of a second pull)."""
    first = render(markdown)
    back = to_markdown(first)
    return first, render(back), to_markdown(render(back))


@pytest.mark.parametrize("markdown", [
    '<a href="foo">\n*bar*\n</a>\n',  # CommonMark examples 162, 163, 164
    "<Warning>\n*bar*\n</Warning>\n",
    '<i class="foo">\n*bar*\n</i>\n',
])
def test_text_in_a_raw_html_block_comes_back_as_written(markdown: str) -> None:
    first, again, _ = twice(markdown)
    assert to_markdown(first) == markdown
    assert again == first


def test_an_empty_comment_adds_nothing_on_each_pull() -> None:
    markdown = "foo <!--> foo -->\n\nfoo <!---> foo -->\n"  # example 626
    first, again, _ = twice(markdown)
    assert again == first


@pytest.mark.parametrize(("html", "markdown"), [
    ("<ul><li>a<li>b</ul>", "- a\n- b\n"),
    ("<ol><li>one<li>two</ol>", "1. one\n2. two\n"),
    ("<p>a<p>b", "a\n\nb\n"),
])
def test_omitted_end_tags_are_read_as_a_browser_reads_them(html: str, markdown: str) -> None:
    assert to_markdown(html) == markdown


def test_a_table_row_ends_the_open_one() -> None:
    soup = parse_html("<table><tr><td>a<td>b<tr><td>c</table>", EVERY_TAG).soup
    assert str(soup) == "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"


def test_a_bare_div_around_markdown_keeps_the_div() -> None:
    markdown = "<div>\n\n*Emphasized* text.\n\n</div>\n"  # example 188
    first, again, _ = twice(markdown)
    assert 'div' in again and again == first


@pytest.mark.parametrize("html", [
    '<div id="foo"\n*hi*\n',  # a start tag that never ends
    "<![CDATA[\nx < y\n]]>\n",
    "<!-- not closed\n\nstill the comment\n",
    "<?php\n  echo '>';\n?>\n",
])
def test_what_a_browser_hides_stays_hidden(html: str) -> None:
    assert render(to_markdown(html)) == html


@pytest.mark.parametrize(("html", "markdown"), [
    ("<p><b>bold</b> <i>it</i> <del>gone</del> <strike>old</strike></p>",
     "<b>bold</b> <i>it</i> <del>gone</del> <strike>old</strike>\n"),
    ("<p><strong>bold</strong> <em>it</em> <s>gone</s></p>", "**bold** *it* ~~gone~~\n"),
])
def test_raw_emphasis_tags_stay_the_tags_they_are(html: str, markdown: str) -> None:
    assert to_markdown(html) == markdown


def test_a_raw_table_keeps_its_first_row_a_row() -> None:
    html = "<table><tr><td>a</td></tr><tr><td>b</td></tr></table>"
    assert to_markdown(html) == html + "\n"


@pytest.mark.parametrize("depth", [10, 20])
def test_ten_levels_of_lists_and_twenty_of_quotes_keep_their_text(depth: int) -> None:
    lists = "".join(f"{'  ' * level}- level {level}\n" for level in range(depth))
    quotes = "".join(">" * (level + 1) + f" quote {level}\n\n" for level in range(depth))
    for markdown, word in ((lists, "level"), (quotes, "quote")):
        first, again, back = twice(markdown)
        assert f"{word} {depth - 1}" in first
        assert again == first and to_markdown(again) == back


@pytest.mark.parametrize("markdown", [
    '![foo *bar*]\n\n[foo *bar*]: train.jpg "train & tracks"\n',  # example 573
    "<!-- foo -->*bar*\n*baz*\n",  # example 177
    "<a/><b2/>\n",  # example 614
    "foo <!ELEMENT br EMPTY>\n",  # example 628
])
def test_raw_html_lines_keep_their_paragraph_and_their_text(markdown: str) -> None:
    first, again, back = twice(markdown)
    assert again == first and to_markdown(again) == back


def test_a_relative_image_that_is_not_an_asset_keeps_its_paragraph() -> None:
    html = '<p><img src="diagram.png" alt="Flow"></p>\n<p>Next paragraph.</p>\n'
    assert render(to_markdown(html)).startswith('<p><img src="diagram.png" alt="Flow"></p>')
