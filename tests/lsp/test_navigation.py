"""Go to definition on a link (at its anchor's heading) and the references to an
article."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import Editor

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_definition_goes_to_the_heading_the_anchor_names(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    found = await editor.client.text_document_definition_async(types.DefinitionParams(
        text_document=editor.doc("guides/01-start.md"),
        position=editor.at("guides/01-start.md", "#details")))
    at = types.Position(4, 0)  # "## Details": the 5th line
    assert found == types.Location(editor.uri("guides/02-next.md"), types.Range(at, at))


async def test_references_are_the_links_to_the_article(editor: Editor) -> None:
    editor.article("guides/03-more.md", "More", "Back to [the start](01-start.md#top).")
    editor.open("guides/01-start.md")
    found = await editor.client.text_document_references_async(types.ReferenceParams(
        text_document=editor.doc("guides/01-start.md"), position=types.Position(0, 0),
        context=types.ReferenceContext(include_declaration=False)))
    assert found is not None
    assert sorted((loc.uri.rsplit("/", 1)[1], loc.range.start.line, loc.range.start.character,
                   loc.range.end.character) for loc in found) == [
        ("02-next.md", 6, 5, 25), ("03-more.md", 4, 8, 36)]
