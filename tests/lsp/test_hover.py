"""Hover: a link's target (title, collection, status, excerpt, its heading), a draft
warned about, a front-matter key's meaning and default."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import Editor

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _hover(editor: Editor, rel: str, position: types.Position) -> str:
    found = await editor.client.text_document_hover_async(
        types.HoverParams(text_document=editor.doc(rel), position=position))
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    return found.contents.value


async def test_a_link_shows_its_target_and_heading(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    shown = await _hover(editor, "guides/01-start.md", editor.at("guides/01-start.md", "[the"))
    assert shown == ("**Next steps**\n\nGuides · published · `guides/02-next.md`\n\n"
                     "`#details`: ## Details (line 5)")


async def test_a_link_to_a_draft_is_a_warning(editor: Editor) -> None:
    editor.article("guides/03-more.md", "More", "Soon: [draft](draft.md).")
    editor.open("guides/03-more.md")
    shown = await _hover(editor, "guides/03-more.md", editor.at("guides/03-more.md", "draft.md"))
    assert shown.startswith("**Draft one**\n\nGuides · draft")
    assert "⚠ **Draft**: readers cannot open it" in shown


async def test_a_key_shows_what_it_means_and_its_default(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    shown = await _hover(editor, "guides/01-start.md", types.Position(2, 3))  # excerpt:
    assert shown == ("**excerpt**: One line under the title, in lists and search results; "
                     "≤ 500 characters.\n\nDefault: none.")
