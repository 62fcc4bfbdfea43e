"""html_to_markdown / text_to_markdown / body_from_remote on fixed examples."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from kbsync.markdown import body_from_remote, html_to_markdown, resolve_relative, text_to_markdown
from tests.markdown.conftest import render, to_markdown

# Markdown already in kbsync's canonical style comes back byte for byte.
CANONICAL = [
    "# Title\n\n## Second *level*\n\n###### Six\n",
    "Some *em*, **strong**, ~~gone~~ and `code`.\n",
    "- one\n- two\n  - nested\n    - deeper\n- three\n",
    "3. three\n4. four\n   1. inner\n",
    "- first\n\n- loose\n\n  second paragraph\n",
    "- [ ] todo\n- [x] done\n",
    "| Left | Center | Right | None |\n| :-- | :-: | --: | --- |\n| a | **b** | `c` |  |\n",
    "```python\nprint('hi')\n\n\nx = 1\n```\n",
    "````\n```\nnested fence\n```\n````\n",
    "> quoted\n> lines\n>\n> - with a list\n",
    "before\n\n---\n\nafter\n",
    "line one\\\nline two\n",
    "See [refunds](../billing/refunds.md#fees), [a sibling](b.md) and <https://example.com>.\n",
    '![Diagram](img/flow.png "The flow")\n',
    "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>; E = mc<sup>2</sup>.\n",
    "<details><summary>More</summary>\n\nHidden *text*.\n\n</details>\n",
    '<div class="warning">\n\n**Careful** here.\n\n</div>\n',
    "Text\n\n<!-- kept comment -->\n\nmore\n",
    "<!-- a -->\n\n<!-- b -->\n\nx <!-- inline --> y\n",
    "- a <!-- c -->\n",
    "- a\n\n* b after a list that is not the same list\n",
    "- item\n  ```sh\n  make\n  ```\n",
    "- ___\n",
    "Setext keeps its break\nacross lines\n===\n",
]


@pytest.mark.parametrize("markdown", CANONICAL)
def test_canonical_markdown_comes_back_unchanged(markdown: str) -> None:
    assert to_markdown(render(markdown)) == markdown


@pytest.mark.parametrize(("source", "canonical"), [
    ("_em_ and __strong__", "*em* and **strong**\n"),
    ("* star\n+ plus", "- star\n\n* plus\n"),
    ("Title\n-----", "## Title\n"),
    ("    indented code", "```\nindented code\n```\n"),
    ("***", "---\n"),
    ("# Closing hashes ##", "# Closing hashes\n"),
    ("1) paren", "1. paren\n"),
    ("~~~js\nx\n~~~", "```js\nx\n```\n"),
])
def test_other_spellings_come_back_canonical(source: str, canonical: str) -> None:
    assert to_markdown(render(source)) == canonical


def test_heading_ids_do_not_leak() -> None:
    html = render("## Hello world\n")
    assert 'id="hello-world"' in html
    assert to_markdown(html) == "## Hello world\n"


@pytest.mark.parametrize(("text", "escaped"), [
    ("*not em*", "\\*not em\\*"),
    ("snake_case stays, _edge_ does not", "snake_case stays, \\_edge\\_ does not"),
    ("# not a heading", "\\# not a heading"),
    ("### not either", "\\### not either"),
    ("1. not a list", "1\\. not a list"),
    ("- not a list", "\\- not a list"),
    ("> not a quote", "\\> not a quote"),
    ("a | b", "a \\| b"),
    ("[x] and `y`", "\\[x\\] and \\`y\\`"),
    ("&amp; written out", "\\&amp; written out"),
    ("<b>not a tag</b>", "\\<b>not a tag\\</b>"),
    ("C:\\Users\\me", "C:\\Users\\me"),
    ("Ends in #", "Ends in #"),
    ("~5 min, ~~x~~", "\\~5 min, \\~\\~x\\~\\~"),
    ("<<<<<<< ours", "\\<<<<<<< ours"),  # validate would read a conflict marker
    ("<<<<<<<< eight", "<<<<<<<< eight"),
])
def test_text_is_escaped_only_where_markdown_would_read_syntax(text: str, escaped: str) -> None:
    html = f"<p>{BeautifulSoup('', 'html.parser').new_string(text).output_ready()}</p>"
    assert html_to_markdown(html) == escaped + "\n"
    assert render(escaped) == html + "\n"


def test_heading_ending_in_hashes_is_escaped() -> None:
    assert html_to_markdown("<h2>C #</h2>") == "## C \\#\n"
    assert render("## C \\#").startswith("<h2") and ">C #</h2>" in render("## C \\#")


@pytest.mark.parametrize(("html", "markdown"), [
    ("<p><em>a</em><strong>b</strong></p>", "<em>a</em><strong>b</strong>\n"),
    ("<p>a<em>b</em>c</p>", "a<em>b</em>c\n"),
    ("<p><strong><em>x</em></strong></p>", "**_x_**\n"),
    ("<p><em><strong>x</strong></em></p>", "*__x__*\n"),
    ("<p><strong>bold</strong>s</p>", "<strong>bold</strong>s\n"),
])
def test_emphasis_falls_back_to_html_where_delimiters_would_misparse(html: str,
                                                                     markdown: str) -> None:
    assert html_to_markdown(html) == markdown
    assert render(markdown) == html + "\n"


@pytest.mark.parametrize(("html", "markdown"), [
    ("<p>a<em><br />\nb</em></p>", "a<em>\\\nb</em>\n"),
    ("<p><em>a<br />\n</em>b</p>", "<em>a\\\n</em>b\n"),
    ("<p><strong>a<br />\nb</strong> c</p>", "**a\\\nb** c\n"),
])
def test_hard_breaks_at_the_edge_of_inline_elements(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown
    assert render(markdown) == html + "\n"


def test_elements_that_convert_to_nothing_do_not_hide_neighbours() -> None:
    markdown = html_to_markdown("<p><em>a</em><code></code><em>b</em></p>")
    assert markdown == "<em>a</em><em>b</em>\n"
    assert render(markdown) == "<p><em>a</em><em>b</em></p>\n"


# -- web-editor HTML ---------------------------------------------------------------------

@pytest.mark.parametrize(("html", "markdown"), [
    ("<p>Hello <b>bold</b> and <i>it</i><br>next line</p>",
     "Hello <b>bold</b> and <i>it</i>\\\nnext line\n"),
    ("<div><p>a</p></div><div>b</div>\n<div><br></div>", "a\n\nb\n"),
    ("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul><ol><li>one</li><li>two</li></ol>",
     "- a\n- b\n  - c\n\n1. one\n2. two\n"),
    ("<ul><li><p>a</p></li><li><p>b</p></li></ul>", "- a\n\n- b\n"),
    ("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>",
     "| a | b |\n| --- | --- |\n| 1 | 2 |\n"),
    ('<table><tr><th align="center">a</th><th style="text-align: right">b</th></tr>'
     "<tr><td>1</td></tr></table>", "| a | b |\n| :-: | --: |\n| 1 |  |\n"),
    ("<p>Hello&nbsp; world&nbsp;</p><p>&nbsp;</p><p>10&nbsp;kg</p>",
     "Hello world\n\n10&nbsp;kg\n"),
    ("<p>text<br></p><p><br>lead</p>", "text\n\nlead\n"),
    ("<p><strong>Note: </strong>text</p>", "**Note:** text\n"),
    ('<!DOCTYPE html><html><head><title>x</title></head><body><p>a</p></body></html>', "a\n"),
    ("<pre>\ncode line\n  indented</pre>", "```\ncode line\n  indented\n```\n"),
    ('<pre><code class="lang-js">x()</code></pre>', "```js\nx()\n```\n"),
    ("<p><span>plain</span> <u>under</u></p>", "plain <u>under</u>\n"),
    ("<p>Tom &amp; Jerry &lt;3</p>", "Tom & Jerry <3\n"),
    ("<p><del>old</del> <strike>older</strike> <s>oldest</s></p>",
     "<del>old</del> <strike>older</strike> ~~oldest~~\n"),
])
def test_editor_html_becomes_clean_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@pytest.mark.parametrize(("html", "markdown", "plain"), [
    ('<h1 id="x">Title</h1><h3 class="y">Sub</h3>', "# Title {#x}\n\n### Sub {.y}\n",
     "# Title\n\n### Sub\n"),
    ('<p><a href="https://example.com" target="_blank" rel="noopener">site</a></p>',
     "[site](https://example.com){target=_blank rel=noopener}\n",
     "[site](https://example.com)\n"),
    ('<p><img src="https://x.test/y.png" width="300" alt="a"> x</p>',
     "![a](https://x.test/y.png){width=300} x\n",
     '<img src="https://x.test/y.png" width="300" alt="a"> x\n'),
])
def test_editor_attributes_come_back_in_attribute_syntax(html: str, markdown: str,
                                                         plain: str) -> None:
    """With ``attrs`` in the dialect nothing is lost; without it the Markdown stays plain."""
    assert html_to_markdown(html) == markdown
    assert html_to_markdown(html, dialect=("tables",)) == plain


@pytest.mark.parametrize(("html", "markdown"), [
    ("""<p><span title='say "hi"'>New</span> feature</p>""",
     """<span title='say "hi"'>New</span> feature"""),
    ("<table><tr><th>a</th></tr><tr><td><ul><li>x</li></ul></td></tr></table>",
     "<table><tr><th>a</th></tr><tr><td><ul><li>x</li></ul></td></tr></table>"),
    ('<table><tr><td colspan="2">wide</td></tr></table>',
     '<table><tr><td colspan="2">wide</td></tr></table>'),
    ('<p><a id="top"></a>Top</p>', '<a id="top"></a>Top'),
    ('<iframe src="https://www.youtube.com/embed/x" width="560"></iframe>',
     '<iframe src="https://www.youtube.com/embed/x" width="560"></iframe>'),
    ("<dl><dt>Term</dt><dd>Definition</dd></dl>", "<dl><dt>Term</dt><dd>Definition</dd></dl>"),
])
def test_what_markdown_cannot_say_stays_html(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown + "\n"
    assert render(markdown + "\n") == html + "\n"


def test_a_code_block_showing_a_merge_conflict_is_html_validate_accepts() -> None:
    # In a fence the marker lines would stand as written and validate would refuse them
    html = ('<pre><code class="language-text">&lt;&lt;&lt;&lt;&lt;&lt;&lt; HEAD\nmine\n\n'
            "=======\n&lt;b&gt; &amp;\n&gt;&gt;&gt;&gt;&gt;&gt;&gt; topic\n</code></pre>")
    markdown = html_to_markdown(html)
    assert markdown == html + "\n"
    assert render(markdown) == html + "\n"
    assert html_to_markdown("<pre><code>&lt;&lt;&lt;&lt;&lt;&lt; six\n</code></pre>") == \
        "```\n<<<<<< six\n```\n"


def test_raw_start_tags_are_copied_verbatim() -> None:
    html = "<p>x <abbr title='single &amp; quoted'   data-x=1>HTML</abbr></p>"
    assert html_to_markdown(html) == "x <abbr title='single &amp; quoted'   data-x=1>HTML</abbr>\n"


# -- links -------------------------------------------------------------------------------

def _keys(url: str) -> str | None:
    return {"https://help.test/billing/refunds-12": "billing/refunds.md",
            "https://help.test/guides/b-13": "guides/b.md",
            "https://help.test/guides/my-file-14": "guides/my file.md"}.get(url)


def test_a_link_that_would_fail_validate_stays_html_and_renders_the_same() -> None:
    body = ('<h2>Local anchor</h2>\n<p><a href="#local-anchor">here</a>, '
            '<a href="#gone">gone</a>, <a href="../other/page">other</a> and '
            '<img src="images/a.png" alt="A"></p>\n')
    assert html_to_markdown(body) == (
        "## Local anchor\n\n[here](#local-anchor), <a href=\"#gone\">gone</a>, "
        "<a href=\"../other/page\">other</a> and <img src=\"images/a.png\" alt=\"A\">\n")


@pytest.mark.parametrize(("article", "href", "expected"), [
    ("guides/a.md", "https://help.test/billing/refunds-12#fees", "../billing/refunds.md#fees"),
    ("guides/a.md", "https://help.test/guides/b-13", "b.md"),
    ("a.md", "https://help.test/billing/refunds-12", "billing/refunds.md"),
    ("deep/er/a.md", "https://help.test/guides/b-13", "../../guides/b.md"),
    ("guides/a.md", "https://help.test/guides/my-file-14", "my%20file.md"),
    ("guides/a.md", "https://elsewhere.test/page#x", "https://elsewhere.test/page#x"),
])
def test_article_urls_become_relative_md_links(article: str, href: str, expected: str) -> None:
    html = f'<p><a href="{href}">x</a></p>'
    assert html_to_markdown(html, url_to_key=_keys, article_key=article) == f"[x]({expected})\n"


def test_asset_urls_become_relative_paths_again() -> None:
    markdown = "![a](../img/a%20b.png) [pdf](files/x.pdf)\n"
    assert to_markdown(render(markdown)) == markdown


def test_link_destinations_are_escaped() -> None:
    html = '<p><a href="https://x.test/a(b" title="say &quot;hi&quot;">l</a></p>'
    assert html_to_markdown(html) == '[l](https://x.test/a\\(b "say \\"hi\\"")\n'


# -- plain text and the display rule -----------------------------------------------------

def test_text_to_markdown_keeps_paragraphs_and_line_breaks() -> None:
    text = "Hello *world*\r\n\r\nSecond para\nline 2\n\n\n# not heading\n  - x"
    assert text_to_markdown(text) == (
        "Hello \\*world\\*\n\nSecond para\\\nline 2\n\n\\# not heading\\\n\\- x\n")


def test_text_to_markdown_of_nothing_is_nothing() -> None:
    assert text_to_markdown("") == text_to_markdown(" \n\n ") == ""


def test_display_rule_takes_the_longer_body() -> None:
    assert body_from_remote("plain", "<p><b>rich</b> body</p>") == "<b>rich</b> body\n"
    assert body_from_remote("a much longer plain text body", "<p>x</p>") == (
        "a much longer plain text body\n")
    assert body_from_remote("", "") == ""


def test_links_into_folders_with_any_name_read_back_as_their_path() -> None:
    keys = {"https://help.test/a-1": "A & B/ünï #1?.md"}
    out = html_to_markdown('<p><a href="https://help.test/a-1#part">x</a></p>',
                           url_to_key=keys.get, article_key="g/a.md")
    assert out == "[x](../A%20%26%20B/ünï%20%231%3F.md#part)\n"
    assert resolve_relative("g/a.md", "../A%20%26%20B/ünï%20%231%3F.md#part") == (
        "A & B/ünï #1?.md", "part")


def test_plain_text_escapes_every_paragraph_with_a_one_pass_dialect() -> None:
    assert text_to_markdown("{#x}\n\n{#y}", iter(["attrs"])) == "\\{#x}\n\n\\{#y}\n"


def test_text_that_would_read_as_a_merge_conflict_marker_is_escaped() -> None:
    html = ("<p>&lt;&lt;&lt;&lt;&lt;&lt;&lt; ours</p><p>=======</p>"
            "<p>&gt;&gt;&gt;&gt;&gt;&gt;&gt; x</p>")
    markdown = to_markdown(html)
    assert markdown == "\\<<<<<<< ours\n\n\\=======\n\n\\>>>>>>> x\n"
    assert render(markdown) == html.replace("</p>", "</p>\n")
