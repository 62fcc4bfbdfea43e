"""Property: any document of the supported Markdown subset survives md -> html -> md -> html
with identical HTML, and the Markdown we write is a fixed point of the round trip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.markdown import DEFAULT_MARKDOWN, text_to_markdown
from tests.markdown.conftest import render, to_markdown

# Words that are Markdown syntax somewhere; the generator escapes them, so they are text
# in the first HTML and the converter must escape them again where they matter.
_SPECIAL = ["*", "_", "#", "##", "-", "+", "1.", "2)", "!", "|", "~", "~~", "<", ">", "&",
            "&amp;", "&copy;", "[", "]", "(", ")", "`", "\\", "=", "===", "---", ":", ":--",
            "snake_case", "a*b", "C#", "<b>", "x_", "<div>", "http://x.y", "***", "[ ]",
            "{", "}", "{.x}", "{#y}", "[!NOTE]", "!!!", "???", "[^1]"]
_URLS = ["other.md", "../billing/refunds.md#fees", "https://example.com/a?b=1&c=2", "#intro",
         "sub/page.md", "mailto:a@b.c", "file.pdf", "https://example.com/(x)"]


def _escape_all(text: str) -> str:
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def _code_span(content: str) -> str:
    ticks = "`" * (max((len(r) for r in re.findall("`+", content)), default=0) + 1)
    pad = " " if content.startswith("`") or content.endswith("`") else ""
    return f"{ticks}{pad}{content}{pad}{ticks}"


_word = st.one_of(st.text("abXZ09é", min_size=1, max_size=5),
                  st.sampled_from(_SPECIAL).map(_escape_all))
_plain = st.lists(_word, min_size=1, max_size=4).map(" ".join)
_code = st.text("ab `*_|<&\\", min_size=1, max_size=6).filter(str.strip).map(_code_span)
# Attribute syntax as migrated help centers write it (ids in mixed case included).
_ATTRS = ["", "", "{.link-download}", "{#Junior-accounts}", "{target=_blank .link-external}",
          '{title="x y" .a .b}', "{width=30}"]
_link = st.builds(lambda text, url, attrs: f"[{text}]({url}){attrs}", _plain,
                  st.sampled_from(_URLS), st.sampled_from(_ATTRS))
_image = st.builds(lambda alt, title, attrs: f"![{alt}](pic.png{title}){attrs}", _plain,
                   st.sampled_from(["", ' "A title"']), st.sampled_from(_ATTRS))
_anchor = st.sampled_from(['<a id="x"></a>', '<a name="Old-Name"></a>'])


def _wrap(marker: str) -> object:
    return lambda inner: f"{marker}{inner}{marker}"


_inline = st.recursive(
    st.one_of(_plain, _code, _link, _image, _anchor),
    lambda inner: st.one_of(
        inner.map(_wrap("*")), inner.map(_wrap("**")), inner.map(_wrap("~~")),
        inner.map(_wrap("_")),
        st.tuples(st.lists(inner, min_size=2, max_size=3), st.sampled_from([" ", ""]))
        .map(lambda t: t[1].join(t[0]))),
    max_leaves=6)

_paragraph = st.tuples(st.lists(_inline, min_size=1, max_size=3),
                       st.sampled_from(["\n", "\\\n"])).map(lambda t: t[1].join(t[0]))
_heading = st.builds(lambda n, text, attrs: "#" * n + " " + text + attrs, st.integers(1, 6),
                     st.one_of(_inline, st.sampled_from(["Same", "Same", "Step 1"])),
                     st.sampled_from(["", "", " {#email}", " {#Same-1}", " {.c}",
                                      " {#same .c data-x=1}"]))
_rule = st.sampled_from(["---", "***", "___"])
_fence = st.builds(
    lambda lang, lines: _fenced(lang, lines),
    st.sampled_from(["", "python", "js", "c++"]),
    st.lists(st.text("ab `~*<>&\\#- ", max_size=8), max_size=4))


def _fenced(lang: str, lines: list[str]) -> str:
    body = "\n".join(lines)
    fence = "`" * max(3, max((len(r) for r in re.findall("`+", body)), default=0) + 1)
    return f"{fence}{lang}\n{body}{chr(10) if lines else ''}{fence}"


def _table_source(header: list[str], aligns: list[str], rows: list[list[str]]) -> str:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"
    width = len(header)
    lines = [row(header), row(aligns[:width] + ["---"] * (width - len(aligns)))]
    lines += [row((r + [""] * width)[:width]) for r in rows]
    return "\n".join(lines)


_cell = st.one_of(_inline, st.just("")).map(lambda s: s.replace("|", "\\|"))
_table = st.builds(
    _table_source,
    st.lists(_cell, min_size=1, max_size=3),
    st.lists(st.sampled_from(["---", ":--", "--:", ":-:"]), min_size=3, max_size=3),
    st.lists(st.lists(_cell, min_size=1, max_size=3), max_size=3))


def _list_source(ordered: bool, start: int, marker: str, loose: bool,
                 items: list[tuple[str, str, str]]) -> str:
    out = []
    for i, (task, text, nested) in enumerate(items):
        bullet = f"{start + i}{'.' if marker == '-' else ')'} " if ordered else marker + " "
        indent = " " * len(bullet)
        item = bullet + task + text
        if nested:
            item += "\n" + "\n".join(indent + line if line else "" for line in nested.split("\n"))
        out.append(item)
    return ("\n\n" if loose else "\n").join(out)


def _lists(nested: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    item = st.tuples(st.sampled_from(["", "", "[ ] ", "[x] "]), _inline,
                     st.one_of(st.just(""), st.just(""), nested))
    return st.builds(_list_source, st.booleans(), st.integers(0, 11),
                     st.sampled_from(["-", "*", "+"]), st.booleans(),
                     st.lists(item, min_size=1, max_size=3))


_list = _lists(_lists(st.one_of(st.just(""), _fence)))
_quote = st.lists(st.one_of(_paragraph, _list, _heading), min_size=1, max_size=2).map(
    lambda blocks: "\n".join(
        "> " + line if line else ">" for line in "\n\n".join(blocks).split("\n")))
_with_attrs = st.builds(lambda attrs, block: f"{attrs}\n{block}",
                        st.sampled_from(["{.lead}", "{#intro .table-regular}", "{data-x=1}"]),
                        st.one_of(_paragraph, _table, _list, _quote, _rule))
_table_after = _table.map(lambda table: table + "\n{.table-regular}")
_alert = st.builds(lambda kind, blocks: "\n".join(
    f"> {line}" if line else ">" for line in (f"[!{kind}]\n" + blocks).split("\n")),
    st.sampled_from(["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION", "note"]),
    st.one_of(_paragraph, _list, st.just(""), _paragraph.map(lambda p: "\n" + p)))
_html_block = st.builds(
    lambda tag, inner: f'<{tag} id="box" class="c">\n\n{inner}\n\n</{tag}>',
    st.sampled_from(["div", "details"]), _plain)
_footnote = st.builds(lambda text, note: f"{text}[^@]\n\n[^@]: {note}", _plain, _inline)


def _numbered(document: str) -> str:
    """Each footnote block's label pair gets its own number."""
    count = iter(range(10**6))
    return re.sub(r"\[\^@\]", lambda m: f"[^n{next(count) // 2}]", document)


_block = st.one_of(_paragraph, _heading, _rule, _fence, _table, _list, _quote, _with_attrs,
                   _table_after, _alert, _html_block, _footnote)
_document = st.lists(_block, min_size=1, max_size=5).map(
    lambda b: _numbered("\n\n".join(b) + "\n"))


@settings(max_examples=200, deadline=None)
@given(_document)
def test_html_survives_the_round_trip(markdown: str) -> None:
    first = render(markdown)
    back = to_markdown(first)
    assert render(back) == first, back


@settings(max_examples=100, deadline=None)
@given(_document)
def test_converted_markdown_is_a_fixed_point(markdown: str) -> None:
    back = to_markdown(render(markdown))
    assert to_markdown(render(back)) == back


# -- MkDocs admonitions, for teams that enable them ------------------------------------------

_ADMONITIONS = (*DEFAULT_MARKDOWN, "admonitions")
_admonition = st.builds(
    lambda kind, title, blocks: f"!!! {kind}{title}\n" + "\n".join(
        f"    {line}" if line else "" for line in blocks.split("\n")),
    st.sampled_from(["note", "tip", "danger", "example"]),
    st.sampled_from(["", ' "Before you start"', ' ""', ' "*Heads* up"']),
    st.one_of(_paragraph, _list, _fence))
_admonition_document = st.lists(st.one_of(_admonition, _alert, _paragraph), min_size=1,
                                max_size=4).map(lambda b: "\n\n".join(b) + "\n")


@settings(max_examples=100, deadline=None)
@given(_admonition_document)
def test_admonitions_survive_the_round_trip(markdown: str) -> None:
    first = render(markdown, dialect=_ADMONITIONS)
    back = to_markdown(first, dialect=_ADMONITIONS)
    assert render(back, dialect=_ADMONITIONS) == first, back
    assert to_markdown(render(back, dialect=_ADMONITIONS), dialect=_ADMONITIONS) == back


# -- plain text --------------------------------------------------------------------------

_text_line = st.lists(st.sampled_from([*"abcXYZ 019*_#-+.!|~<>&[]()`\\=:;'\"{}?^", "é", "ש",
                                      "🎉", "{.x}", "[!NOTE]", "[^1]", "!!! note"]),
                      max_size=12).map(lambda s: "".join(s).strip(" "))
_text = st.lists(st.lists(_text_line, min_size=1, max_size=3), min_size=1, max_size=3)


@settings(max_examples=150, deadline=None)
@given(_text)
def test_plain_text_renders_as_itself(paragraphs: list[list[str]]) -> None:
    text = "\n\n".join("\n".join(lines) for lines in paragraphs)
    html = render(text_to_markdown(text))
    soup = BeautifulSoup(html, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("")
    shown = [line for line in soup.get_text().split("\n") if line]
    assert shown == [line for lines in paragraphs for line in lines if line]


# -- the example knowledge base ----------------------------------------------------------

_EXAMPLE_KB = Path(__file__).resolve().parents[2] / "example-kb"


@pytest.mark.parametrize("path", sorted(_EXAMPLE_KB.rglob("*.md")),
                         ids=lambda p: str(p.relative_to(_EXAMPLE_KB)))
def test_example_kb_articles_round_trip(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = text[text.index("\n---\n", 4) + 5:]
    key = str(path.relative_to(_EXAMPLE_KB))
    first = render(text, key)
    back = to_markdown(first, key)
    assert render(back, key) == first
    assert to_markdown(render(back, key), key) == back
