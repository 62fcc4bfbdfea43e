"""plan.links: placeholders in rendered bodies, filled with public URLs."""

from __future__ import annotations

import html

from kbsync.model import RenderedBody
from kbsync.plan.links import (
    LINK_PLACEHOLDER,
    fill_html,
    fill_links,
    placeholder,
    placeholder_targets,
)

BODY = RenderedBody(f'<p><a href="{placeholder("g/a.md")}#part">a</a> '
                    f'<a href="{placeholder("b.md")}">b</a></p>', "a b")


def test_known_urls_are_filled_and_unknown_ones_kept() -> None:
    filled = fill_links(BODY, {"g/a.md": "https://help.example/g/a-1"}.get)
    assert 'href="https://help.example/g/a-1#part"' in filled.html
    assert placeholder_targets(filled.html) == ("b.md",)


def test_nothing_to_fill_returns_the_body_itself() -> None:
    plain = RenderedBody("<p>x</p>", "x")
    assert fill_links(plain, lambda key: "u") is plain
    assert fill_links(BODY, lambda key: None) == BODY


def test_the_html_stays_longer_than_the_text_when_urls_are_short() -> None:
    body = RenderedBody(f'<a href="{placeholder("a.md")}">x</a>', "x" * 30)
    assert fill_links(body, lambda key: "u").html.startswith("<div>")


def test_placeholder_targets_lists_each_key_once_in_order() -> None:
    html = fill_html(BODY.html + BODY.html, lambda key: None)
    assert placeholder_targets(html) == ("b.md", "g/a.md")


NAMES = ["A & B/art 0.md", "C's \"q\"/a.md", "lt<gt>/a.md", "hash#tag/a.md", "50% off/a.md",
         "why?/a.md", "space name/a.md", "ünïcode/a.md"]


def test_a_placeholder_survives_html_escaping_and_holds_nothing_that_ends_a_url() -> None:
    for key in NAMES:
        made = placeholder(key)
        assert html.escape(made) == made
        assert not set(made[len(LINK_PLACEHOLDER):]) & set("\"'#&<> ?\t\n")
        body = f'<a href="{made}#step-2">x</a>'
        assert placeholder_targets(body) == (key,)
        assert fill_html(body, {key: "https://help.example/c/a-1"}.get) == \
            '<a href="https://help.example/c/a-1#step-2">x</a>'


def test_a_filled_url_is_escaped_for_its_attribute() -> None:
    body = f'<a href="{placeholder("a.md")}">x</a>'
    assert fill_html(body, lambda key: "https://h/?a=1&b=2") == \
        '<a href="https://h/?a=1&amp;b=2">x</a>'
