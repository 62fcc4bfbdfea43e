from __future__ import annotations

import pickle
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.assets.home import AssetHome
from kbsync.markdown import (
    DEFAULT_MARKDOWN,
    ArticleKeys,
    Heading,
    Link,
    MarkdownRenderer,
    renderer_for,
    resolve_relative,
)
from kbsync.markdown.heading_ids import heading_ids
from kbsync.markdown.text import html_to_text
from kbsync.model import RenderedBody

GITHUB = heading_ids("github")

MD = MarkdownRenderer()
URLS = {"guides/other.md": "https://help.example.com/guides/other-7"}


def render(body: str, key: str = "guides/a.md", assets: str | None = None) -> RenderedBody:
    return MD.render(MD.parse(body), article_key=key, resolve_article_url=URLS.get,
                     assets=AssetHome(assets) if assets else None)


def html(body: str, **kwargs: str) -> str:
    return render(body, **kwargs).html


def test_tables_strikethrough_and_task_lists() -> None:
    assert "<table>" in html("| a |\n|---|\n| 1 |\n")
    assert html("~~gone~~") == "<p><s>gone</s></p>\n"
    assert 'type="checkbox"' in html("- [x] done\n")


def test_headings_get_github_style_ids_and_repeats_are_numbered() -> None:
    parsed = MD.parse("## Step 2: Do it!\n\n## Step 2: Do it!\n")
    assert parsed.anchors == {"step-2-do-it", "step-2-do-it-1"}
    assert '<h2 id="step-2-do-it">' in html("## Step 2: Do it!")


def test_code_fence_has_language_class() -> None:
    assert '<code class="language-python">' in html("```python\nx = 1\n```\n")


def test_article_links_become_public_urls_with_the_anchor() -> None:
    assert 'href="https://help.example.com/guides/other-7#step-2"' in html(
        "[o](other.md#step-2)")


def test_unknown_article_link_stays_relative_and_external_is_untouched() -> None:
    assert 'href="new.md"' in html("[n](new.md)")
    assert 'href="https://x.org/a.md"' in html("[x](https://x.org/a.md)")
    assert 'href="#top"' in html("[t](#top)")


def test_local_images_and_files_move_under_assets_base_url() -> None:
    out = html("![logo](<../img/a b.png>) [pdf](files/g.pdf)", assets="https://raw.example/kb/")
    assert 'src="https://raw.example/kb/img/a%20b.png"' in out
    assert 'href="https://raw.example/kb/guides/files/g.pdf"' in out
    assert 'src="img.png"' in html("![x](img.png)")


def test_rendering_does_not_change_the_parse() -> None:
    parsed = MD.parse("[o](other.md)")
    MD.render(parsed, article_key="guides/a.md", resolve_article_url=URLS.get)
    second = MD.render(parsed, article_key="guides/a.md", resolve_article_url=lambda _: None)
    assert 'href="other.md"' in second.html


def test_links_carry_their_file_line_and_columns() -> None:
    body = "para\nline [a](a.md)\n\n| x |\n|---|\n| ![i](i.png) |\n"
    assert MD.parse(body, body_line=5).links == (
        Link("a.md", 6, False, column=6, target_column=10, written="a.md"),
        Link("i.png", 10, True, "i", column=3, target_column=8, written="i.png"))


def test_a_destination_is_found_as_written_one_link_after_the_other() -> None:
    links = MD.parse("[a.md](<my file.md>) [x [y]](café.md#z) [b](a.md) [a](a.md)\n").links
    assert [(k.column, k.target_column, k.written) for k in links] == [
        (1, 8, "<my file.md>"), (22, 30, "café.md#z"), (41, 45, "a.md"), (51, 55, "a.md")]


def test_a_reference_link_has_no_columns_and_headings_make_an_outline() -> None:
    parsed = MD.parse("[r][x]\n\n[x]: r.md\n\n## Sub {#s}\n\nSet\n---\n", body_line=3)
    assert (parsed.links[0].column, parsed.links[0].target_column) == (0, 0)
    assert parsed.outline == (Heading("Sub", 7, 2, "s", written=True),
                              Heading("Set", 9, 2, "set"))


@pytest.mark.parametrize(("href", "expected"), [
    ("../install/windows.md#step-2", ("install/windows.md", "step-2")),
    ("#top", ("a/b.md", "top")),
    ("./c%20d.md?x=1", ("a/c d.md", None)),
    ("../../x.md", ("../x.md", None)),
    ("https://x.org", None), ("mailto:a@b.c", None), ("/abs.md", None), ("//cdn/x.png", None),
])
def test_resolve_relative(href: str, expected: tuple[str, str | None] | None) -> None:
    assert resolve_relative("a/b.md", href) == expected


def test_heading_anchor() -> None:
    assert GITHUB.slug is not None
    assert GITHUB.slug(" Install `kbsync` (v2) on Windows ") == "install-kbsync-v2-on-windows"
    assert GITHUB.slug("Größe ändern") == "größe-ändern"


def test_html_to_text_blocks_lists_and_entities() -> None:
    html = ("<h2>T</h2>\n<p>a &amp; b<br />c</p>\n<ul>\n<li>x\n<ol start=\"3\">\n<li>y</li>\n"
            "</ol>\n</li>\n</ul>\n<pre><code>  keep\n</code></pre><script>no()</script>")
    assert html_to_text(html) == "T\n\na & b\nc\n\n- x\n  3. y\n\n  keep"


def test_text_of_a_rendered_table_and_task_list() -> None:
    assert render("| a | b |\n|---|---|\n| 1 | 2 |\n").text == "a | b\n1 | 2"
    assert render("- [x] done\n- [ ] todo\n").text == "- [x] done\n- [ ] todo"


markdownish = st.lists(
    st.sampled_from(["# ", "- ", "1. ", "> ", "```", "|", "---", "*", "_", "`", "[a](b.md)",
                     "![i](j.png)", "<div>", "</div>", "<!-- c -->", "&amp;", "&#1;", " ", "\n",
                     "\n\n", "    ", "999999999. ", "text", "<br>", "[x]: /u"])
    | st.text(max_size=8),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_html_is_always_the_longer_field(body: str) -> None:
    out = render(body, assets="https://raw.example/")
    assert len(out.html) > len(out.text) or out.html == out.text == ""


def test_huge_list_numbers_fall_back_to_compact_text() -> None:
    out = render("999999999. a\n" + "1. b\n" * 50)
    assert len(html_to_text(out.html)) > len(out.html) > len(out.text)


def test_parse_many_keys_the_parses_and_restores_the_gc() -> None:
    import gc

    parsed = MD.parse_many([("a.md", "# A\n", 1), ("b.md", "[x](a.md)\n", 4)])
    assert parsed["a.md"].anchors == {"a"}
    assert parsed["b.md"].links == (
        Link("a.md", 4, False, column=1, target_column=5, written="a.md"),)
    assert gc.isenabled()


# -- the dialect ---------------------------------------------------------------------------

def _html_in(dialect: tuple[str, ...], body: str) -> str:
    renderer = MarkdownRenderer(dialect)
    return renderer.render(renderer.parse(body), article_key="a.md",
                           resolve_article_url=lambda key: None).html


def test_each_extension_is_the_teams_choice() -> None:
    body = "| a |\n|---|\n| 1 |\n\n~~x~~ - [x] t[^1]\n\n[^1]: n\n\n> [!NOTE]\n> hi\n\n[l](u){.c}\n"
    bare = _html_in((), body)
    assert "<table>" not in bare and "<s>" not in bare and "footnote" not in bare
    assert "<blockquote>\n<p>[!NOTE]" in bare and "{.c}" in bare
    full = _html_in(DEFAULT_MARKDOWN, body)
    assert "<table>" in full and "<s>x</s>" in full and 'class="footnote-ref"' in full
    assert 'class="kb-callout kb-callout-note"' in full and '<a href="u" class="c">' in full
    assert renderer_for(["tables"]) is renderer_for(("tables", "tables"))
    with pytest.raises(ValueError, match="unknown Markdown extension"):
        MarkdownRenderer(("tables", "mermaid"))


@pytest.mark.parametrize(("body", "expected"), [
    ("## Sign up with email {#email}", '<h2 id="email">Sign up with email</h2>'),
    ("## Minors {#Junior-accounts .big}", '<h2 id="Junior-accounts" class="big">Minors</h2>'),
    ("{.a}\n## T {#t .b}", '<h2 id="t" class="a b">T</h2>'),
    ("## Literal \\{#x}", '<h2 id="literal-x">Literal {#x}</h2>'),
    ("## [L](u){.c}", '<h2 id="l"><a href="u" class="c">L</a></h2>'),
    ("Setext {#s}\n---", '<h2 id="s">Setext</h2>'),
])
def test_attributes_after_a_heading_go_on_the_heading(body: str, expected: str) -> None:
    assert html(body).startswith(expected)


def test_generated_heading_ids_step_around_written_ones() -> None:
    parsed = MD.parse("## Same\n\n## Same {#same-1}\n\n## Same\n")
    assert parsed.anchors == {"same", "same-1", "same-2"}


def test_attributes_on_links_images_code_and_blocks() -> None:
    out = html("[D](https://x.test/a.zip){.link-download target=_blank} "
               "![i](https://x.test/i.png){width=300 .shot} `c`{.k}\n\n{#intro .lead}\nPara\n")
    assert '<a href="https://x.test/a.zip" target="_blank" class="link-download">D</a>' in out
    assert '<img src="https://x.test/i.png" alt="i" width="300" class="shot" />' in out
    assert '<code class="k">c</code>' in out and '<p id="intro" class="lead">Para</p>' in out


def test_table_attributes_before_or_right_after_the_table() -> None:
    table = "| a |\n|---|\n| 1 |"
    before, after = html("{.table-regular}\n" + table), html(table + "\n{.table-regular}")
    assert before == after and before.startswith('<table class="table-regular">')
    assert "{" not in after and after.count("<tr>") == 2
    assert "<td>{.x}</td>" in html(table + "\n| {.x} |")  # a row with pipes is a row


def test_a_line_of_empty_braces_stays_text() -> None:
    assert html("{}\nnext") == "<p>{}\nnext</p>\n"


@pytest.mark.parametrize("kind", ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION", "note"])
def test_alerts_are_callouts_with_their_title(kind: str) -> None:
    title = kind.title()
    assert html(f"> [!{kind}]\n> Mind *this*.") == (
        f'<div class="kb-callout kb-callout-{kind.lower()}">\n'
        f'<p class="kb-callout-title">{title}</p>\n<p>Mind <em>this</em>.</p>\n</div>\n')


def test_what_is_not_an_alert_stays_a_quote() -> None:
    for body in ("> [!NOTE] inline\n> x", "> \\[!NOTE]\n> x", "> [!BANANA]\n> x", "> x\n> [!NOTE]"):
        assert html(body).startswith("<blockquote>")


def test_alert_link_lines_point_into_the_file() -> None:
    parsed = MD.parse("> [!TIP]\n> See [a](a.md).\n", body_line=3)
    assert parsed.links == (
        Link("a.md", 4, False, column=7, target_column=11, written="a.md"),)


def test_admonitions_when_enabled_are_the_same_callout() -> None:
    dialect = (*DEFAULT_MARKDOWN, "admonitions")
    assert _html_in(dialect, '!!! tip "Save *money*"\n    Pay yearly.\n') == (
        '<div class="kb-callout kb-callout-tip">\n<p class="kb-callout-title">Save '
        "<em>money</em></p>\n<p>Pay yearly.</p>\n</div>\n")
    assert _html_in(dialect, "!!! danger\n    x\n").startswith(
        '<div class="kb-callout kb-callout-danger">\n<p class="kb-callout-title">Danger</p>')
    assert _html_in(DEFAULT_MARKDOWN, "!!! tip\n    x\n").startswith("<p>!!! tip")


def test_anchors_are_every_id_a_browser_knows() -> None:
    parsed = MD.parse('## Head\n\n{#para}\nText [l](u){#lnk} <a id="x"></a> <a name="Old">o</a>'
                      ' <span name="no">n</span>[^1]\n\n<div id="blk" class="c">\n<p id="in">'
                      "</p>\n</div>\n\n[^1]: note\n")
    assert parsed.anchors == {"head", "para", "lnk", "x", "Old", "blk", "in", "fn1", "fnref1"}


def test_article_keys_find_a_file_in_either_unicode_form() -> None:
    nfd = unicodedata.normalize("NFD", "ü/ä.md")
    keys = ArticleKeys([nfd, "plain.md"])
    assert keys.find("ü/ä.md") == nfd and keys.find(nfd) == nfd
    assert keys.find("plain.md") == "plain.md" and keys.find("ö.md") == "ö.md"
    both = ArticleKeys([nfd, "ü/ä.md"])
    assert both.find(nfd) == nfd and both.find("ü/ä.md") == "ü/ä.md"
    assert pickle.loads(pickle.dumps(keys)).find("ü/ä.md") == nfd
    out = MD.render(MD.parse("[x](../ü/ä.md)"), article_key="g/a.md",
                    resolve_article_url={nfd: "https://help.example/u-1"}.get, article_keys=keys)
    assert 'href="https://help.example/u-1"' in out.html


@pytest.mark.parametrize(("href", "target"), [
    ("A%20&%20B/a.md", "A & B/a.md"), ("hash%23tag/a.md", "hash#tag/a.md"),
    ("why%3F/a.md", "why?/a.md"), ("50%25%20off/a.md", "50% off/a.md"),
    ("why?/a.md", "why"), ("lt%3Cgt%3E/a.md", "lt<gt>/a.md"),
])
def test_resolve_relative_decodes_after_splitting(href: str, target: str) -> None:
    assert resolve_relative("x.md", href) == (target, None)


_BODY_LINES = st.sampled_from([
    "", "Text with [a link](other.md#part) in it.", "## A heading", "![An image](img/a.png)",
    "- item [x](b.md)", "  continued line", "```", "code [not](a.md)", "> quote [q](q.md)",
    '<p id="raw">html</p>', "Term[^1]", "[^1]: A note [n](n.md)", "| a | [b](b.md) |",
    "|---|---|", "Setext", "======"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_BODY_LINES, max_size=12), st.integers(0, 3), st.integers(1, 40))
def test_a_body_parsed_from_line_1_moves_to_any_line_exactly(
        lines: list[str], blanks: int, body_line: int) -> None:
    """What init relies on: it parses a body before its front matter (and the blank line
    after it) exist, then moves the parse to the line the body starts at in the file."""
    body = "\n".join(lines) + "\n"
    in_file = MD.parse("\n" * blanks + body, body_line)
    moved = MD.parse(body).starting_at(body_line + blanks)
    assert moved.links == in_file.links
    assert moved.anchors == in_file.anchors
    assert moved.tokens is None
