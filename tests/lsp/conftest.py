"""``kbsync lsp`` driven over stdio by a real LSP client (pytest-lsp), on a knowledge base
in tmp_path: the server is the installed command, as an editor starts it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.kb_files import KBFiles

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "kbsync", "lsp"])


@pytest_lsp.fixture(config=SERVER, scope="session")
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """The client, connected: the fixture's value is the client itself. It accepts the
    server's registration of file watchers, as VS Code does.

    One server serves every test, as one serves an editor all day: each test's
    knowledge base is a folder of its own (a session of the server), so what one test
    opens does not show in another's, and a test costs no server start. The tests run
    on the session's event loop (``pytestmark`` in each module)."""
    registered = lsp_client.registered = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registered.extend(params.registrations)

    _code_actions_as_sent(lsp_client)
    capabilities = client_capabilities("visual-studio-code")
    await lsp_client.initialize_session(types.InitializeParams(capabilities=capabilities))
    yield
    await lsp_client.shutdown_session()


def _code_actions_as_sent(client: LanguageClient) -> None:
    """lsprotocol reads every code action that has a ``command`` as a bare Command (its
    hook looks for the key, not its type), which loses the action's kind and turns its
    command into text. Editors tell them apart as the protocol says: a Command's
    ``command`` is a string, a CodeAction's an object."""
    converter = client.protocol._converter

    def structure(value: Any, _: type) -> types.Command | types.CodeAction:
        command = isinstance(value.get("command"), str)
        return converter.structure(value, types.Command if command else types.CodeAction)

    converter.register_structure_hook(types.Command | types.CodeAction, structure)


@pytest_lsp.fixture(config=SERVER, scope="session")
async def old_neovim(lsp_client: LanguageClient) -> AsyncIterator[None]:
    """A client that says what Neovim 0.7 says it can do (no window/showDocument)."""
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim@v0.7.0")))
    yield
    await lsp_client.shutdown_session()


@dataclass
class Editor(KBFiles):
    """An editor on the knowledge base at ``root``: what it opens, types and sees."""

    client: LanguageClient
    root: Path
    versions: dict[str, int] = field(default_factory=dict)

    def uri(self, rel: str) -> str:
        return (self.root / rel).as_uri()

    def open(self, rel: str) -> str:
        self.versions[rel] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=self.uri(rel), language_id="markdown", version=1,
                                   text=(self.root / rel).read_text(encoding="utf-8"))))
        return self.uri(rel)

    def type(self, rel: str, text: str) -> None:
        """The whole buffer becomes ``text`` (not saved)."""
        self.versions[rel] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri(rel),
                                                                version=self.versions[rel]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    def save(self, rel: str, text: str) -> None:
        self.type(rel, text)
        (self.root / rel).write_text(text, encoding="utf-8")
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(
            types.TextDocumentIdentifier(uri=self.uri(rel))))

    async def diagnostics(self, rel: str,
                          until: Callable[[Sequence[types.Diagnostic]], bool] = bool,
                          timeout: float = 20) -> Sequence[types.Diagnostic]:
        """The file's diagnostics once ``until`` holds for them (the last ones after
        ``timeout`` seconds, for the assertion to show)."""
        uri = self.uri(rel)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            found = self.client.diagnostics.get(uri)
            if found is not None and until(found):
                return found
            await asyncio.sleep(0.02)
        return self.client.diagnostics.get(uri, [])

    def at(self, rel: str, text: str, offset: int = 0) -> types.Position:
        """The position of ``text`` (plus ``offset`` characters) in the file on disk."""
        for number, line in enumerate((self.root / rel).read_text().splitlines()):
            if text in line:
                return types.Position(number, line.index(text) + offset)
        raise AssertionError(f"{text!r} not in {rel}")

    def doc(self, rel: str) -> types.TextDocumentIdentifier:
        return types.TextDocumentIdentifier(uri=self.uri(rel))


@pytest.fixture
def editor(client: LanguageClient, tmp_path: Path) -> Editor:
    return knowledge_base(Editor(client, tmp_path / "kb"))


def knowledge_base(editor: Editor) -> Editor:
    """A small knowledge base at ``editor.root``, for ``editor`` to open."""
    editor.root.mkdir()
    editor.write("kbsync.toml", '[remote]\nbase_url = "local"\n\n'
                                '[content]\nextra_keys = ["owner"]\n')
    editor.write("guides/_collection.yaml", "name: Guides\n")
    editor.article("guides/01-start.md", "Start here",
                   "Read [the next one](02-next.md#details).", excerpt="Where to begin")
    editor.article("guides/02-next.md", "Next steps", "## Details\n\nMore [start](01-start.md).")
    editor.article("guides/draft.md", "Draft one", "Not yet.", status="draft")
    editor.write("guides/shot.png", "png")
    return editor
