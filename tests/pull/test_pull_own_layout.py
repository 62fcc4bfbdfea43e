"""Pull merges what git would merge: the remote side is written in the file's own layout.

A file says its paragraphs its own way (no blank line after the front matter, ``*`` or
``+`` list markers, ``_emphasis_``, wrapped lines, no final newline); an edit in one
paragraph locally and in another in initdesk must merge cleanly and keep both.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.pull.blocks import in_own_layout
from tests.engine.conftest import TOKEN
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb = pull_kb.pkb

WORDS = st.sampled_from(["parcel", "label", "carrier", "refund", "invoice", "pickup", "box"])


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["text", "wrapped", "list", "emphasis", "heading", "ordered"]))
    words = draw(st.lists(WORDS, min_size=2, max_size=6))
    text = " ".join(words).capitalize()
    if kind == "wrapped":
        return f"{text}\nand {' '.join(reversed(words))}."
    if kind == "list":
        marker = draw(st.sampled_from(["-", "*", "+"]))
        return "\n".join(f"{marker} {word}" for word in words)
    if kind == "emphasis":
        style = draw(st.sampled_from(["_", "*"]))
        return f"{text} {style}{words[0]}{style} done."
    if kind == "heading":
        return f"## {text}"
    if kind == "ordered":
        return "\n".join(f"{n}) {word}" for n, word in enumerate(words, start=1))
    return f"{text}."


@st.composite
def article_file(draw: st.DrawFn) -> tuple[str, list[str]]:
    blocks = draw(st.lists(paragraph(), min_size=3, max_size=6))
    blocks.insert(draw(st.integers(0, len(blocks))), "Plain words to edit here.")
    blocks.append("Another plain paragraph to edit.")
    gap = draw(st.sampled_from(["", "\n"]))
    end = draw(st.sampled_from(["\n", ""]))
    return "---\ntitle: Layout\n---\n" + gap + "\n\n".join(blocks) + end, blocks


def _edit_remote_paragraph(html: str, text: str) -> str:
    """Append a word to the paragraph holding ``text``, as a web editor would."""
    assert html.count(f"{text}</p>") == 1
    return html.replace(f"{text}</p>", f"{text} REMOTE</p>")


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(article_file(), st.data())
def test_edits_in_different_paragraphs_merge_cleanly(case: tuple[str, list[str]],
                                                     data: st.DataObject) -> None:
    text, blocks = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        app = create_app(EmulatorConfig(token=TOKEN, org_id=1))
        try:
            kb = PullKB(root, app)
            kb.write("kbsync.toml", "[remote]\n")
            kb.write("g/layout.md", text)
            assert kb.apply().code == 0
            plain = [i for i, b in enumerate(blocks) if b.startswith(("Plain", "Another"))]
            local_block, remote_block = data.draw(st.permutations(plain))[:2]
            with kb.connect(kb.config()) as client:
                article = client.list_articles()[0]
                client.patch_article(article.id, {"content_html": _edit_remote_paragraph(
                    article.fields.content_html, blocks[remote_block])})
            edited = text.replace(blocks[local_block], blocks[local_block][:-1] + " LOCAL.")
            kb.write("g/layout.md", edited)
            outcome = kb.pull()
            assert outcome.code == 0, outcome.out + outcome.err
            merged = kb.read("g/layout.md")
            assert "LOCAL" in merged and "REMOTE" in merged, merged
            assert merged.replace(" REMOTE", "") == edited  # nothing else rewritten
            assert kb.apply().code == 0
            assert kb.plan().code == 0
        finally:
            app.close()


def test_no_blank_line_after_the_front_matter_stays_so(pkb: PullKB) -> None:
    pkb.write("kbsync.toml", "[remote]\n")
    pkb.write("g/a.md", "---\ntitle: A\n---\nFirst.\n\nSecond.\n")
    assert pkb.apply().code == 0
    pkb.edit_remote("a", content_html="<p>First.</p>\n<p>Second, edited.</p>\n")
    assert pkb.pull().code == 0
    assert pkb.read("g/a.md") == "---\ntitle: A\n---\nFirst.\n\nSecond, edited.\n"


def test_nothing_is_kept_when_initdesk_rewrote_every_block() -> None:
    from kbsync.markdown import MarkdownRenderer, ParsedBody

    renderer = MarkdownRenderer()

    def render(tokens: object) -> str:
        return renderer.render(ParsedBody(tuple(tokens), (), frozenset()),  # type: ignore[arg-type]
                               article_key="a.md", resolve_article_url=lambda k: None).html

    assert in_own_layout("* one\n* two\n", "<div>all new</div>", renderer, render,
                         lambda html: "All new.\n") is None
