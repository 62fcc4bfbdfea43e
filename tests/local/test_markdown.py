from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.local.markdown import (
    Link,
    MarkdownRenderer,
    RenderedBody,
    heading_anchor,
    html_to_text,
    resolve_relative,
)

MD = MarkdownRenderer()
URLS = {"guides/other.md": "https://help.example.com/guides/other-7"}


def render(body: str, key: str = "guides/a.md", assets: str | None = None) -> RenderedBody:
    return MD.render(MD.parse(body), article_key=key, resolve_article_url=URLS.get,
                     assets_base_url=assets)


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
    MD.render(parsed, article_key="guides/a.md", resolve_article_url=URLS.get,
              assets_base_url=None)
    second = MD.render(parsed, article_key="guides/a.md", resolve_article_url=lambda _: None,
                       assets_base_url=None)
    assert 'href="other.md"' in second.html


def test_links_carry_their_file_line() -> None:
    body = "para\nline [a](a.md)\n\n| x |\n|---|\n| ![i](i.png) |\n"
    assert MD.parse(body, body_line=5).links == (
        Link("a.md", 6, is_image=False), Link("i.png", 10, is_image=True))


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
    assert heading_anchor(" Install `kbsync` (v2) on Windows ") == "install-kbsync-v2-on-windows"
    assert heading_anchor("Größe ändern") == "größe-ändern"


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
    assert parsed["b.md"].links == (Link("a.md", 4, is_image=False),)
    assert gc.isenabled()
