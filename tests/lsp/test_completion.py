"""Completion: articles by relative path and title, anchors of the target, images,
front-matter keys and values, callout kinds."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import Editor

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _complete(editor: Editor, rel: str, text: str, after: str) -> types.CompletionList:
    """Complete in ``rel`` whose buffer is ``text``, the cursor just after ``after``."""
    editor.type(rel, text)
    line = next(n for n, line in enumerate(text.splitlines()) if after in line)
    column = text.splitlines()[line].index(after) + len(after)
    found = await editor.client.text_document_completion_async(types.CompletionParams(
        text_document=editor.doc(rel), position=types.Position(line, column)))
    assert isinstance(found, types.CompletionList)
    return found


async def test_a_link_completes_every_article_by_relative_path_and_title(editor: Editor) -> None:
    editor.article("billing/fees.md", "Fees and refunds")
    editor.open("guides/01-start.md")
    text = "---\ntitle: Start here\n---\n\nSee [x](\n"
    found = await _complete(editor, "guides/01-start.md", text, "[x](")
    assert [(i.label, i.detail) for i in found.items] == [
        ("01-start.md", "Start here"), ("02-next.md", "Next steps"), ("draft.md", "Draft one"),
        ("../billing/fees.md", "Fees and refunds")]
    item = found.items[1]
    assert item.text_edit == types.TextEdit(types.Range(types.Position(4, 8),
                                                        types.Position(4, 8)), "02-next.md")
    assert "Guides · published" in str(item.documentation)
    typed = await _complete(editor, "guides/01-start.md", text.replace("(", "(refu"), "(refu")
    assert [i.label for i in typed.items] == ["../billing/fees.md"]  # found by its title


async def test_an_anchor_completes_the_targets_heading_ids(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    text = "---\ntitle: Start here\n---\n\nSee [x](02-next.md#\n"
    found = await _complete(editor, "guides/01-start.md", text, "02-next.md#")
    assert [(i.label, i.detail) for i in found.items] == [("details", "## Details")]
    assert found.items[0].text_edit.range.start == types.Position(4, 19)  # type: ignore[union-attr]


async def test_an_image_completes_the_images_of_the_tree(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    text = "---\ntitle: Start here\n---\n\n![a shot](\n"
    found = await _complete(editor, "guides/01-start.md", text, "![a shot](")
    assert [i.label for i in found.items] == ["shot.png"]


async def test_front_matter_keys_with_their_meaning_and_status_values(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    text = "---\ntitle: Start here\nsl\n---\n\nText.\n"
    found = await _complete(editor, "guides/01-start.md", text, "sl")
    assert [i.label for i in found.items] == ["slug", "excerpt", "status", "position", "owner"]
    assert "Default: the file name without `.md`" in found.items[0].documentation.value  # type: ignore[union-attr]
    values = await _complete(editor, "guides/01-start.md", text.replace("sl", "status: "),
                             "status: ")
    assert [i.label for i in values.items] == ["draft", "published"]


async def test_callout_kinds_after_an_alert_marker(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    text = "---\ntitle: Start here\n---\n\n> [!W\n"
    found = await _complete(editor, "guides/01-start.md", text, "> [!W")
    assert [(i.label, i.text_edit.new_text) for i in found.items] == [  # type: ignore[union-attr]
        ("WARNING", "WARNING]")]
