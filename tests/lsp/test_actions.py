"""Code actions: the quick fix of a "did you mean" finding, applied; "Open preview",
offered, run (a ``kbsync watch`` that serves the article's page) and stopped."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import Editor, knowledge_base
from .test_rename import applied_edit

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _actions(editor: Editor, rel: str,
                   diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
    start = types.Position(0, 0)
    found = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=editor.doc(rel), range=types.Range(start, start),
        context=types.CodeActionContext(diagnostics=diagnostics)))
    assert found is not None
    return [action for action in found if isinstance(action, types.CodeAction)]


async def test_the_did_you_mean_fix_applied_clears_the_finding(editor: Editor) -> None:
    text = (editor.root / "guides/01-start.md").read_text()
    editor.write("guides/01-start.md", text.replace("02-next.md#details", "02-nxt.md"))
    editor.open("guides/01-start.md")
    found = list(await editor.diagnostics("guides/01-start.md"))
    fix = (await _actions(editor, "guides/01-start.md", found))[0]
    assert (fix.title, fix.kind, fix.is_preferred) == (
        "Change to 02-next.md", types.CodeActionKind.QuickFix, True)
    fixed = applied_edit(editor, fix.edit)["guides/01-start.md"]
    assert "Read [the next one](02-next.md)." in fixed
    editor.type("guides/01-start.md", fixed)
    assert await editor.diagnostics("guides/01-start.md", lambda d: not d) == ()


async def test_open_preview_serves_the_articles_page_until_stopped(editor: Editor) -> None:
    editor.open("guides/02-next.md")
    offered = [a for a in await _actions(editor, "guides/02-next.md", [])
               if a.title == "Open preview"]
    assert offered and offered[0].command is not None
    command = offered[0].command
    url = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command=command.command, arguments=command.arguments))
    assert editor.client.shown_documents == [types.ShowDocumentParams(uri=url, external=True)]
    page = httpx.get(url)
    assert page.status_code == 200 and "Next steps" in page.text
    stopped = await editor.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="kbsync.stopPreview"))
    assert stopped == 1
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


async def test_open_preview_says_the_url_to_an_editor_that_opens_no_browser(
        old_neovim: LanguageClient, tmp_path: Path) -> None:
    editor = knowledge_base(Editor(old_neovim, tmp_path / "kb"))
    editor.open("guides/02-next.md")
    url = await old_neovim.workspace_execute_command_async(types.ExecuteCommandParams(
        command="kbsync.openPreview", arguments=[editor.uri("guides/02-next.md")]))
    assert old_neovim.messages[-1].message == f"Preview of guides/02-next.md: {url}"
    assert old_neovim.shown_documents == [] and httpx.get(url).status_code == 200
    await old_neovim.workspace_execute_command_async(
        types.ExecuteCommandParams(command="kbsync.stopPreview"))
