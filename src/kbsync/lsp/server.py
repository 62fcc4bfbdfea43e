"""The language server: pygls's, with kbsync's handlers.

Each document belongs to the knowledge base of the nearest kbsync.toml above it (a
repository may hold several; a file in none gets no diagnostics), and each knowledge
base to a :class:`~kbsync.lsp.session.Session`. The sessions live on one thread, the
engine thread: handlers hand it their work in the order the editor's messages came
(an edit before the completion typed after it), and the protocol's loop stays free to
read messages meanwhile.

Checking follows the edits: an edit records the buffer and asks for a check; checks
asked for while one waits are one check. After each, every open document whose
diagnostics changed gets them (a slug collision or a renamed heading shows in the
other file too). The first document of a knowledge base is glanced at first (its
problems in a fraction of the whole check's time), then the whole tree is checked.
A failed check is logged and reported once; the server goes on.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from kbsync import __version__
from kbsync.config import find_knowledge_base
from kbsync.lsp import actions, completion, hover, navigation, rename
from kbsync.lsp.diagnostics import diagnostics
from kbsync.lsp.positions import Lines, path_of
from kbsync.lsp.preview import Previews
from kbsync.lsp.session import Session

__all__ = ["KbsyncServer", "create_server"]

T = TypeVar("T")
log = logging.getLogger(__name__)
#: Files whose change, made outside the editor, the checks must see.
WATCHED = ("**/*.md", "**/_collection.yaml", "**/kbsync.toml", "**/portal.yaml",
           "**/coverage.yaml", "**/.kbsyncignore")
_MOVES = types.FileOperationRegistrationOptions(filters=[
    types.FileOperationFilter(pattern=types.FileOperationPattern(
        glob="**/*.md", matches=types.FileOperationPatternKind.File)),
    types.FileOperationFilter(pattern=types.FileOperationPattern(
        glob="**", matches=types.FileOperationPatternKind.Folder))])


class _AtPosition(Protocol):
    """A request about one place of a document (completion, hover, rename...)."""

    text_document: types.TextDocumentIdentifier
    position: types.Position


@dataclass(frozen=True)
class Cursor:
    """Where a request points: the document's session and key, its text as the editor
    has it, and the 1-based line and column."""

    session: Session
    key: str
    lines: Lines
    line: int
    column: int


class KbsyncServer(LanguageServer):
    """The sessions, the engine thread, what was published, and the previews."""

    def __init__(self) -> None:
        super().__init__("kbsync", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.sessions: dict[Path, Session] = {}
        self.engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kbsync-engine")
        self.previews = Previews()
        self.uris: dict[tuple[Path, str], str] = {}  # (root, key) -> the editor's URI
        self._published: dict[str, list[types.Diagnostic]] = {}
        self._check_asked = False
        self._failed = ""

    # -- the engine thread ---------------------------------------------------------------

    def later(self, work: Callable[..., Any], *args: Any) -> None:
        """Queue ``work`` on the engine thread, in the order asked (an edit)."""
        self.engine.submit(work, *args)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work`` on the engine thread, after everything queued before it."""
        return await asyncio.get_running_loop().run_in_executor(self.engine, work, *args)

    # -- documents -----------------------------------------------------------------------

    def session_of(self, uri: str) -> tuple[Session, str] | None:
        """The session and key of the document at ``uri``; None outside every knowledge
        base (no kbsync.toml above it) or for a buffer that is not a file."""
        path = path_of(uri)
        if path is None:
            return None
        for root in sorted(self.sessions, key=lambda r: -len(r.parts)):
            key = self.sessions[root].key(path)
            if key is not None:
                return self.sessions[root], key
        found, _ = find_knowledge_base(path.parent)
        if found is None:
            return None
        session = self.sessions.setdefault(found, Session.at(found))
        key = session.key(path)
        return None if key is None else (session, key)

    def cursor(self, params: _AtPosition) -> Cursor | None:
        """The place ``params`` points at; None outside every knowledge base."""
        found = self.session_of(params.text_document.uri)
        if found is None:
            return None
        lines = self.document(params.text_document.uri)
        line, column = lines.position(params.position)
        return Cursor(found[0], found[1], lines, line, column)

    async def at(self, params: _AtPosition, feature: Callable[[Cursor], T]) -> T | None:
        """``feature`` at the place ``params`` points at, on the engine thread; None
        outside every knowledge base."""
        cursor = self.cursor(params)
        return None if cursor is None else await self.run(feature, cursor)

    def document(self, uri: str) -> Lines:
        document = self.workspace.get_text_document(uri)
        return Lines(document.source, self.workspace.position_codec)

    def ask_check(self) -> None:
        """A check soon; asked again before it starts, it is still one check."""
        if not self._check_asked:
            self._check_asked = True
            asyncio.get_running_loop().create_task(self._check_and_publish())

    async def _check_and_publish(self) -> None:
        self._check_asked = False
        try:
            for session, texts in await self.run(self._glance_new):
                self.publish(session, texts)  # shown while the whole check runs
            results = await self.run(self._check_pending)
        except Exception as exc:  # a bug: say it once, keep serving
            self._report_failure(exc)
            return
        for session, texts in results:
            self.publish(session, texts)

    def _glance_new(self) -> list[tuple[Session, dict[str, str]]]:
        """(engine thread) The first look at each knowledge base not checked yet: its
        open articles' problems, in a fraction of the whole check's time."""
        new = [s for s in list(self.sessions.values()) if s.open and s.checked is None]
        for session in new:
            session.glance(session.open)
        return [(session, dict(session.open)) for session in new]

    def _check_pending(self) -> list[tuple[Session, dict[str, str]]]:
        """(engine thread) Check each session with changes; what each open file held.
        A session with a document just opened is there too, checked or not: a file no
        check reads from the editor (portal.yaml, .kbsyncignore) gets the last check's
        findings."""
        done = []
        for session in list(self.sessions.values()):
            if not session.open:
                continue
            checked = session.pending
            if checked:
                session.check()
            if checked or session.opened_since:
                session.opened_since = False
                done.append((session, dict(session.open)))
        return done

    def publish(self, session: Session, texts: dict[str, str]) -> None:
        """Each open document's diagnostics, sent when they changed."""
        codec = self.workspace.position_codec
        for key, text in texts.items():
            uri = self.uris.get((session.root, key))
            if uri is None or key not in session.open:
                continue
            found = diagnostics(session.problems(key), Lines(text, codec))
            if self._published.get(uri) != found:
                self._published[uri] = found
                self.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=uri, diagnostics=found))

    def forget(self, uri: str) -> None:
        """A closed or moved document: its diagnostics go."""
        if self._published.pop(uri, None):
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def _report_failure(self, exc: Exception) -> None:
        detail = "".join(traceback.format_exception(exc))
        log.error("kbsync could not check: %s", detail)
        self.window_log_message(types.LogMessageParams(types.MessageType.Error, detail))
        said = f"{type(exc).__name__}: {exc}"
        if said != self._failed:
            self._failed = said
            self.window_show_message(types.ShowMessageParams(
                types.MessageType.Error, f"kbsync could not check the knowledge base "
                f"({said}); a bug in kbsync: the details are in the log"))


def create_server() -> KbsyncServer:
    """The server with every handler registered."""
    server = KbsyncServer()
    _register_documents(server)
    _register_features(server)
    _register_moves(server)
    _register_commands(server)
    return server


def _register_documents(server: KbsyncServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KbsyncServer, params: types.DidOpenTextDocumentParams) -> None:
        found = ls.session_of(params.text_document.uri)
        if found is not None:
            session, key = found
            ls.uris[(session.root, key)] = params.text_document.uri
            ls.later(session.opened, key, params.text_document.text)
            ls.ask_check()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KbsyncServer, params: types.DidChangeTextDocumentParams) -> None:
        found = ls.session_of(params.text_document.uri)
        if found is not None:
            text = ls.workspace.get_text_document(params.text_document.uri).source
            ls.later(found[0].edited, found[1], text)
            ls.ask_check()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KbsyncServer, params: types.DidSaveTextDocumentParams) -> None:
        found = ls.session_of(params.text_document.uri)
        if found is not None:
            ls.later(found[0].saved, found[1])
            ls.ask_check()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KbsyncServer, params: types.DidCloseTextDocumentParams) -> None:
        found = ls.session_of(params.text_document.uri)
        ls.forget(params.text_document.uri)
        if found is not None:
            ls.uris.pop((found[0].root, found[1]), None)
            ls.later(found[0].closed, found[1])
            ls.ask_check()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_files(ls: KbsyncServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            found = ls.session_of(change.uri)
            if found is not None:
                ls.later(found[0].saved, found[1])
        ls.ask_check()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: KbsyncServer, params: types.InitializedParams) -> None:
        """Ask to hear of files changed outside the editor (a git checkout, a pull)."""
        watched = ls.client_capabilities.workspace
        dynamic = watched.did_change_watched_files if watched is not None else None
        if dynamic is None or not dynamic.dynamic_registration:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED])
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[
                types.Registration(id="kbsync-files",
                                   method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                   register_options=options)]))
        except Exception as exc:  # the client said it could, then would not: saves still count
            log.warning("the editor refused to watch files: %s", exc)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: KbsyncServer, *args: Any) -> None:
        await ls.previews.stop()
        ls.engine.shutdown(wait=False, cancel_futures=True)


def _register_features(server: KbsyncServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=completion.TRIGGERS))
    async def complete(ls: KbsyncServer,
                       params: types.CompletionParams) -> types.CompletionList | None:
        return await ls.at(params, lambda at: completion.complete(
            at.session, at.key, at.lines, at.line, at.column))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: KbsyncServer, params: types.HoverParams) -> types.Hover | None:
        return await ls.at(params, lambda at: hover.hover(
            at.session, at.key, at.lines, at.line, at.column))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: KbsyncServer,
                         params: types.DefinitionParams) -> types.Location | None:
        return await ls.at(params, lambda at: navigation.definition(
            at.session, at.key, at.line, at.column))

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: KbsyncServer,
                         params: types.ReferenceParams) -> list[types.Location] | None:
        codec = ls.workspace.position_codec
        return await ls.at(params, lambda at: navigation.references(
            at.session, at.key, at.line, at.column, codec))

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(ls: KbsyncServer, params: types.PrepareRenameParams
                             ) -> types.PrepareRenamePlaceholder | None:
        return await ls.at(params, lambda at: rename.prepare_rename(
            at.session, at.key, at.lines, at.line, at.column))

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def rename_heading(ls: KbsyncServer,
                             params: types.RenameParams) -> types.WorkspaceEdit | None:
        codec = ls.workspace.position_codec
        return await ls.at(params, lambda at: rename.rename(
            at.session, at.key, at.lines, at.line, params.new_name, codec))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION)
    def code_action(ls: KbsyncServer,
                    params: types.CodeActionParams) -> list[types.CodeAction] | None:
        found = ls.session_of(params.text_document.uri)
        if found is None:
            return None
        return actions.code_actions(params.text_document.uri, found[1], params.context)


def _register_moves(server: KbsyncServer) -> None:
    @server.feature(types.WORKSPACE_WILL_RENAME_FILES, _MOVES)
    async def will_rename(ls: KbsyncServer,
                          params: types.RenameFilesParams) -> types.WorkspaceEdit | None:
        """Rewrite the links to what moves; ask before a public URL changes."""
        found = ls.session_of(params.files[0].old_uri) if params.files else None
        if found is None:
            return None
        session = found[0]
        moves = await ls.run(rename.moves, session, params.files)
        codec = ls.workspace.position_codec
        edit, changes = await ls.run(rename.move_edit, session, moves, False, codec)
        if not changes:
            return edit
        answer = await ls.window_show_message_request_async(types.ShowMessageRequestParams(
            type=types.MessageType.Warning, message=rename.slug_question(changes),
            actions=[types.MessageActionItem(rename.PIN),
                     types.MessageActionItem(rename.LET_GO)]))
        if answer is None or answer.title != rename.PIN:
            return edit
        return (await ls.run(rename.move_edit, session, moves, True, codec))[0]

    @server.feature(types.WORKSPACE_DID_RENAME_FILES, _MOVES)
    def did_rename(ls: KbsyncServer, params: types.RenameFilesParams) -> None:
        for moved in params.files:
            found = ls.session_of(moved.old_uri)
            ls.forget(moved.old_uri)
            if found is None:
                continue
            session, old = found
            new_path = path_of(moved.new_uri)
            ls.uris.pop((session.root, old), None)
            ls.later(session.renamed, old, session.key(new_path) if new_path else None)
        ls.ask_check()


def _register_commands(server: KbsyncServer) -> None:
    @server.command(actions.OPEN_PREVIEW)
    async def open_preview(ls: KbsyncServer, uri: str) -> str | None:
        """Start ``kbsync watch`` (once per knowledge base), show the article's page;
        the page's URL is the answer."""
        from kbsync.preview.site import article_url  # the preview's modules, when used

        found = ls.session_of(uri)
        if found is None:
            return None
        session, key = found
        url = await ls.previews.url(session.root) + article_url(key)
        window = ls.client_capabilities.window
        can_show = bool(window and window.show_document and window.show_document.support)
        shown = can_show and (await ls.window_show_document_async(
            types.ShowDocumentParams(uri=url, external=True))).success
        if not shown:  # an editor that opens no browser (Neovim 0.7): the URL, said
            ls.window_show_message(types.ShowMessageParams(
                types.MessageType.Info, f"Preview of {key}: {url}"))
        return url

    @server.command(actions.STOP_PREVIEW)
    async def stop_preview(ls: KbsyncServer) -> int:
        return await ls.previews.stop()
