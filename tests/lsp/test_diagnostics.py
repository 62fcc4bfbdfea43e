"""Diagnostics as the writer types: validate's findings at their line and columns; they
clear when fixed, and follow a change in another open file."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import Editor

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_broken_link_appears_as_typed_and_clears_when_fixed(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    assert await editor.diagnostics("guides/01-start.md", lambda d: not d) == ()
    text = (editor.root / "guides/01-start.md").read_text()
    editor.type("guides/01-start.md", text.replace("02-next.md#details", "02-nxt.md"))
    found = await editor.diagnostics("guides/01-start.md")
    assert [(d.range, d.severity, d.source) for d in found] == [(
        types.Range(types.Position(5, 20), types.Position(5, 29)),
        types.DiagnosticSeverity.Error, "kbsync")]
    assert found[0].message == ("broken link: 02-nxt.md: no such file "
                                "(did you mean 02-next.md?)")
    editor.save("guides/01-start.md", text)
    assert await editor.diagnostics("guides/01-start.md", lambda d: not d) == ()


async def test_a_renamed_heading_breaks_the_link_in_the_other_open_file(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    editor.open("guides/02-next.md")
    assert await editor.diagnostics("guides/01-start.md", lambda d: not d) == ()
    text = (editor.root / "guides/02-next.md").read_text()
    editor.type("guides/02-next.md", text.replace("## Details", "## In detail"))
    found = await editor.diagnostics("guides/01-start.md")
    assert [d.message.split(":")[0] for d in found] == ["broken link"]
    assert "no heading or anchor 'details' in guides/02-next.md" in found[0].message
    editor.type("guides/02-next.md", text)
    assert await editor.diagnostics("guides/01-start.md", lambda d: not d) == ()


async def test_a_slug_collision_shows_in_the_file_that_collides(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    editor.open("guides/02-next.md")
    await editor.diagnostics("guides/02-next.md", lambda d: not d)
    text = (editor.root / "guides/01-start.md").read_text()
    editor.type("guides/01-start.md", text.replace("title: Start here", "title: Start here\n"
                                                   "slug: next"))
    found = await editor.diagnostics("guides/02-next.md")
    assert [d.message for d in found] == [
        "slug: slug 'next' is already used by guides/01-start.md (slugs are unique in the "
        "Help Center; set another)"]


async def test_front_matter_findings_point_at_their_key(editor: Editor) -> None:
    editor.write("guides/bad.md", "---\ntitle: Bad\ntitel: x\nstatus: live\n---\nText.\n")
    editor.open("guides/bad.md")
    found = await editor.diagnostics("guides/bad.md", lambda d: len(d) == 2)
    assert [(d.range.start.line, d.range.start.character, d.range.end.character, d.severity)
            for d in found] == [(2, 0, 5, types.DiagnosticSeverity.Warning),
                                (3, 0, 6, types.DiagnosticSeverity.Error)]
    assert found[0].data == {"suggestion": "title"}


async def test_a_file_changed_outside_the_editor_is_checked_again(editor: Editor) -> None:
    editor.open("guides/01-start.md")
    await editor.diagnostics("guides/01-start.md", lambda d: not d)  # registered by now
    watched = [r for r in editor.client.registered  # type: ignore[attr-defined]
               if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert {"globPattern": "**/*.md"} in watched[0].register_options["watchers"]
    editor.write("guides/02-next.md", "---\ntitle: Next steps\n---\n\nNo headings now.\n")
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([
        types.FileEvent(editor.uri("guides/02-next.md"), types.FileChangeType.Changed)]))
    found = await editor.diagnostics("guides/01-start.md")
    assert "no heading or anchor 'details' in guides/02-next.md" in found[0].message
