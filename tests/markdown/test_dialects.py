"""The dialects teams migrate from: attribute syntax without a space, kramdown's block
attributes, Docusaurus admonitions, and the heading-id schemes; each one written back
in the syntax the file used."""

from __future__ import annotations

import pytest

from kbsync.markdown import Dialect
from kbsync.markdown.heading_ids import heading_ids
from tests.markdown.conftest import render, to_markdown

DOCUSAURUS = Dialect(("tables", "footnotes", "attrs", "alerts", "docusaurus"),
                     "markdown-it-anchor")


@pytest.mark.parametrize(("scheme", "text", "made"), [
    ("github", "Use the IDE (legacy)", "use-the-ide-legacy"),
    ("markdown-it-anchor", "Use the IDE (legacy)", "use-the-ide-(legacy)"),
    ("markdown-it-anchor", "Step 1: Café", "step-1%3A-caf%C3%A9"),
    ("mkdocs", "Step 1: Café", "step-1-cafe"),
    ("kramdown", "1. Step: Café", "step-caf"),
    ("kramdown", "123", "section"),
])
def test_each_scheme_makes_its_tools_ids(scheme: str, text: str, made: str) -> None:
    slug = heading_ids(scheme).slug
    assert slug is not None and slug(text) == made


def test_repeats_are_numbered_as_each_tool_numbers_them() -> None:
    texts = ["Setup", "Setup", "Setup"]
    assert heading_ids("github").ids(texts, [None] * 3) == ["setup", "setup-1", "setup-2"]
    assert heading_ids("mkdocs").ids(texts, [None] * 3) == ["setup", "setup_1", "setup_2"]
    assert heading_ids("none").ids(texts, [None, "x", None]) == [None, "x", None]


def test_the_renderer_uses_the_scheme() -> None:
    dialect = Dialect(heading_ids="markdown-it-anchor")
    assert render("## Use the IDE (legacy)\n", dialect=dialect) == \
        '<h2 id="use-the-ide-(legacy)">Use the IDE (legacy)</h2>\n'
    assert render("## Plain\n", dialect=Dialect(heading_ids="none")) == "<h2>Plain</h2>\n"


@pytest.mark.parametrize(("markdown", "html"), [
    ("## How to return an item{#request-a-return}\n",
     '<h2 id="request-a-return">How to return an item</h2>\n'),
    ("## Title {#t .big}\n", '<h2 id="t" class="big">Title</h2>\n'),
    ("## Use \\{#x} in templates\n", '<h2 id="use-x-in-templates">Use {#x} in templates</h2>\n'),
    ("## [Docs](https://x.example){.ext}\n",
     '<h2 id="docs"><a href="https://x.example" class="ext">Docs</a></h2>\n'),
    ("A [tag]{.badge} here\n", '<p>A <span class="badge">tag</span> here</p>\n'),
    ("{: .lead}\nIntro text.\n", '<p class="lead">Intro text.</p>\n'),
    ("Intro text.\n{: .lead #intro}\n", '<p id="intro" class="lead">Intro text.</p>\n'),
])
def test_attributes_as_markdown_it_attrs_and_kramdown_read_them(markdown: str,
                                                                 html: str) -> None:
    assert render(markdown) == html


@pytest.mark.parametrize("markdown", [
    "## How to return an item {#request-a-return}\n",
    "A [tag]{.badge} here\n",
    "## Ends in \\{braces}\n",
])
def test_attributes_come_back_as_attributes(markdown: str) -> None:
    assert to_markdown(render(markdown)) == markdown


def test_kramdown_block_attributes_come_back_kramdown_style() -> None:
    file = "{: .lead}\nIntro text.\n"
    assert to_markdown(render(file), like=file) == file
    assert to_markdown(render(file)) == "{.lead}\nIntro text.\n"


@pytest.mark.parametrize(("markdown", "html"), [
    (":::note\n\nRead this.\n\n:::\n",
     '<div class="kb-callout kb-callout-note">\n<p class="kb-callout-title">Note</p>\n'
     "<p>Read this.</p>\n</div>\n"),
    (":::tip Save money\n\nPay yearly.\n\n:::\n",
     '<div class="kb-callout kb-callout-tip">\n<p class="kb-callout-title">Save money</p>\n'
     "<p>Pay yearly.</p>\n</div>\n"),
    (":::danger[Careful]\n\nHot.\n\n:::\n",
     '<div class="kb-callout kb-callout-danger">\n<p class="kb-callout-title">Careful</p>\n'
     "<p>Hot.</p>\n</div>\n"),
])
def test_docusaurus_admonitions_render_as_callouts(markdown: str, html: str) -> None:
    assert render(markdown, dialect=DOCUSAURUS) == html


def test_docusaurus_admonitions_are_off_by_default() -> None:
    assert render(":::note\n\nx\n\n:::\n") == "<p>:::note</p>\n<p>x</p>\n<p>:::</p>\n"


@pytest.mark.parametrize("markdown", [
    ":::note\n\nRead this.\n\n:::\n",
    ":::tip Save money\n\nPay yearly.\n\n:::\n",
    ":::danger[Careful]\n\nHot.\n\n:::\n",
    "::::note\n\n:::tip\n\nInner.\n\n:::\n\n::::\n",
])
def test_docusaurus_admonitions_come_back_as_written(markdown: str) -> None:
    html = render(markdown, dialect=DOCUSAURUS)
    assert to_markdown(html, dialect=DOCUSAURUS, like=markdown) == markdown


def test_a_callout_comes_back_in_the_syntax_the_file_used() -> None:
    both = Dialect(("alerts", "docusaurus"))
    html = render("> [!NOTE]\n> Read this.\n", dialect=both)
    assert to_markdown(html, dialect=both, like="> [!TIP]\n> x\n") == "> [!NOTE]\n> Read this.\n"
    assert to_markdown(html, dialect=both, like=":::tip\n\nx\n\n:::\n") == \
        ":::note\n\nRead this.\n\n:::\n"
    assert to_markdown(html, dialect=both) == ":::note\n\nRead this.\n\n:::\n"


def test_text_that_would_open_an_admonition_is_escaped() -> None:
    html = render("\\:::note\n", dialect=DOCUSAURUS)
    assert render(to_markdown(html, dialect=DOCUSAURUS), dialect=DOCUSAURUS) == html


def test_cmark_gfm_footnotes_come_back_as_footnotes() -> None:
    html = ('<p>Text<sup class="footnote-ref"><a href="#fn-note" id="fnref-note" '
            'data-footnote-ref>1</a></sup>.</p>\n<section class="footnotes" data-footnotes>\n'
            '<ol>\n<li id="fn-note">\n<p>The note. <a href="#fnref-note" '
            'class="footnote-backref" data-footnote-backref>↩</a></p>\n</li>\n</ol>\n'
            "</section>\n")
    assert to_markdown(html) == "Text[^note].\n\n[^note]: The note.\n"
