"""Renames that keep links working: a heading (the anchors follow) and a file moved in
the editor (the links follow, and the writer is asked before the public URL changes)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from kbsync.cli import run

from .conftest import Editor

pytestmark = pytest.mark.asyncio(loop_scope="session")


def applied(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with the edits applied, the last first (as an editor applies them)."""
    lines = text.splitlines(keepends=True)
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        start = sum(map(len, lines[:edit.range.start.line])) + edit.range.start.character
        end = sum(map(len, lines[:edit.range.end.line])) + edit.range.end.character
        text = "".join(lines)
        lines = (text[:start] + edit.new_text + text[end:]).splitlines(keepends=True)
    return "".join(lines)


def applied_edit(editor: Editor, edit: types.WorkspaceEdit | None) -> dict[str, str]:
    assert edit is not None and edit.changes is not None
    out = {}
    for uri, edits in edit.changes.items():
        rel = uri.removeprefix(editor.root.as_uri() + "/")
        out[rel] = applied((editor.root / rel).read_text(), list(edits))
    return out


async def test_renaming_a_heading_rewrites_the_anchors_that_link_to_it(editor: Editor) -> None:
    editor.article("guides/03-more.md", "More", "See [x](02-next.md#details) and "
                                                "[y](<02-next.md#details>).")
    editor.open("guides/02-next.md")
    at = editor.at("guides/02-next.md", "Details", 2)
    place = await editor.client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=editor.doc("guides/02-next.md"), position=at))
    assert place == types.PrepareRenamePlaceholder(
        types.Range(types.Position(4, 3), types.Position(4, 10)), "Details")
    edit = await editor.client.text_document_rename_async(types.RenameParams(
        text_document=editor.doc("guides/02-next.md"), position=at, new_name="All the details"))
    files = applied_edit(editor, edit)
    assert "## All the details\n" in files["guides/02-next.md"]
    assert "[the next one](02-next.md#all-the-details)" in files["guides/01-start.md"]
    assert ("See [x](02-next.md#all-the-details) and [y](<02-next.md#all-the-details>)."
            in files["guides/03-more.md"])


async def test_a_file_moved_in_the_editor_keeps_its_links_and_its_url(editor: Editor) -> None:
    asked: list[str] = []

    @editor.client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def answer(params: types.ShowMessageRequestParams) -> types.MessageActionItem:
        asked.append(params.message)
        return types.MessageActionItem("Keep the URL (write slug:)")

    editor.open("guides/01-start.md")
    edit = await editor.client.workspace_will_rename_files_async(types.RenameFilesParams(
        files=[types.FileRename(old_uri=editor.uri("guides/02-next.md"),
                                new_uri=editor.uri("reference/later.md"))]))
    files = applied_edit(editor, edit)
    assert "[the next one](../reference/later.md#details)" in files["guides/01-start.md"]
    assert files["guides/02-next.md"] == ("---\ntitle: Next steps\nslug: next\n---\n\n"
                                          "## Details\n\nMore [start](../guides/01-start.md).\n")
    assert asked == ["Renaming changes the public URL of guides/02-next.md (next -> later): "
                     "links from outside the Help Center to the old URL would break. Keep the "
                     "URL by writing slug: into the front matter?"]
    for rel, text in files.items():  # the editor applies the edit, then moves the file
        editor.write(rel, text)
    (editor.root / "reference").mkdir()
    (editor.root / "guides/02-next.md").rename(editor.root / "reference/later.md")
    assert run(["-C", str(editor.root), "validate"]) == 0  # nothing broken by the move
