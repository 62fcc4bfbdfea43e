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

The engine (pydantic, the settings' schema, the workspace) loads on the engine thread
when the first document of a knowledge base opens: the protocol's own start (pygls,
lsprotocol) takes the first third of a second, and the first look at the knowledge base
the editor named is taken meanwhile by a helper process on another core
(:mod:`~kbsync.lsp.firstlook`); its answer is the first diagnostics, then the engine
here takes over.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace.position_codec import PositionCodec

from kbsync import __version__
from kbsync.knowledge_base import find_knowledge_base, key_in
from kbsync.lsp import actions
from kbsync.lsp.diagnostics import diagnostics
from kbsync.lsp.firstlook import IDLE_FOR, FirstLook
from kbsync.lsp.positions import Lines, path_of
from kbsync.lsp.preview import Previews
from kbsync.problems import escaped

if TYPE_CHECKING:  # the engine's modules load on the engine thread, when first needed
    from kbsync.lsp.rename import Moves
    from kbsync.lsp.session import Session
    from kbsync.problems import Problem

__all__ = ["KbsyncServer", "create_server"]

T = TypeVar("T")
log = logging.getLogger(__name__)
#: Files whose change, made outside the editor, the checks must see.
WATCHED = ("**/*.md", "**/_collection.yaml", "**/kbsync.toml", "**/portal.yaml",
           "**/coverage.yaml", "**/.kbsyncignore")
#: What makes an editor ask for completion without a keystroke of a word: a link's ``(``,
#: a folder's ``/``, an anchor's ``#``, an alert's ``!``.
COMPLETION_TRIGGERS = ["(", "/", "#", "!", "<"]
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
class Place:
    """A document's knowledge base (the folder of its kbsync.toml) and its key there."""

    root: Path
    key: str


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

    def __init__(self, first_look: FirstLook | None = None) -> None:
        super().__init__("kbsync", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.roots: set[Path] = set()  # (main thread) the knowledge bases found
        self.sessions: dict[Path, Session] = {}  # (engine thread) their sessions
        self.engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kbsync-engine")
        self.previews = Previews()
        self.first_look = first_look
        self.uris: dict[tuple[Path, str], str] = {}  # (root, key) -> the editor's URI
        self._published: dict[str, list[types.Diagnostic]] = {}
        self._answering: set[Path] = set()  # roots the helper answers for: no glance here
        self._check_asked = False
        self._failed = ""

    # -- the engine thread ---------------------------------------------------------------

    def later(self, work: Callable[..., Any], *args: Any) -> None:
        """Queue ``work`` on the engine thread, in the order asked (an edit); a failure
        is reported as a check's is (a session that cannot be made, say)."""
        loop = asyncio.get_running_loop()

        def reported(done: Future[Any]) -> None:
            failure = None if done.cancelled() else done.exception()
            if isinstance(failure, Exception):
                loop.call_soon_threadsafe(self._report_failure, failure)

        self.engine.submit(work, *args).add_done_callback(reported)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work`` on the engine thread, after everything queued before it."""
        return await asyncio.get_running_loop().run_in_executor(self.engine, work, *args)

    def session(self, root: Path) -> Session:
        """(engine thread) The session of the knowledge base at ``root``, made (and the
        engine loaded) the first time."""
        found = self.sessions.get(root)
        if found is None:
            from kbsync.lsp.session import Session

            found = self.sessions[root] = Session.at(root)
        return found

    # -- documents -----------------------------------------------------------------------

    def place_of(self, uri: str) -> Place | None:
        """The knowledge base and key of the document at ``uri``; None outside every
        knowledge base (no kbsync.toml above it) or for a buffer that is not a file."""
        path = path_of(uri)
        if path is None:
            return None
        for root in sorted(self.roots, key=lambda r: -len(r.parts)):
            key = key_in(root, path)
            if key is not None:
                return Place(root, key)
        found, _ = find_knowledge_base(path.parent)
        if found is None:
            return None
        self.roots.add(found)
        key = key_in(found, path)
        return None if key is None else Place(found, key)

    async def at(self, params: _AtPosition, feature: Callable[[Cursor], T]) -> T | None:
        """``feature`` at the place ``params`` points at, on the engine thread; None
        outside every knowledge base."""
        place = self.place_of(params.text_document.uri)
        if place is None:
            return None
        lines = self.document(params.text_document.uri)
        line, column = lines.position(params.position)
        return await self.run(lambda: feature(
            Cursor(self.session(place.root), place.key, lines, line, column)))

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
            await self._look_first()
            for session, texts in await self.run(self._glance_new, set(self._answering)):
                self.publish(session, texts)  # shown while the whole check runs
            results = await self.run(self._check_pending)
        except Exception as exc:  # a bug: say it once, keep serving
            self._report_failure(exc)
            return
        if results and self.first_look is not None:  # the engine is up: no more need
            self.first_look.stop()
            self.first_look = None
        for session, texts in results:
            self.publish(session, texts)

    async def _look_first(self) -> None:
        """The helper's first look at the knowledge base the editor named, when its
        first documents open; published unless a document changed meanwhile or the
        engine has spoken first."""
        helper = self.first_look
        root = helper.root if helper is not None else None
        if helper is None or root is None or helper.asked:
            return
        opened = {key: uri for (at, key), uri in self.uris.items() if at == root}
        if not opened:
            return
        self._answering.add(root)
        texts = {key: self.workspace.get_text_document(uri).source
                 for key, uri in opened.items()}
        found = await helper.look(texts)
        if found is None:  # it could not: the engine's glance shows them instead
            self._answering.discard(root)
            return
        shown = 0
        for key, problems in found.items():
            uri = opened[key]
            if uri in self._published or self.uris.get((root, key)) != uri:
                continue  # the engine was first, or the document closed
            text = self.workspace.get_text_document(uri).source
            if text == texts[key]:
                self._show(uri, problems, text)
                shown += 1
        self.window_log_message(types.LogMessageParams(types.MessageType.Log, (
            f"kbsync: the first look at {escaped(str(root))} came from the helper process "
            f"({shown} of {len(found)} documents shown)")))

    def _glance_new(self, answered: set[Path]) -> list[tuple[Session, dict[str, str]]]:
        """(engine thread) The first look at each knowledge base not checked yet (and
        not ``answered`` for by the helper): its open articles' problems, in a fraction
        of the whole check's time."""
        new = [s for s in list(self.sessions.values())
               if s.open and s.checked is None and s.root not in answered]
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
        for key, text in texts.items():
            uri = self.uris.get((session.root, key))
            if uri is None or key not in session.open:
                continue
            self._show(uri, session.problems(key), text)

    def _show(self, uri: str, problems: list[Problem], text: str) -> None:
        """The diagnostics of ``problems`` in ``text``, sent when they changed."""
        found = diagnostics(problems, Lines(text, self.workspace.position_codec))
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


def create_server(first_look: FirstLook | None = None) -> KbsyncServer:
    """The server with every handler registered; ``first_look``: the helper started
    beside it, told the editor's folder when the server learns it."""
    server = KbsyncServer(first_look)
    _register_documents(server)
    _register_features(server)
    _register_moves(server)
    _register_commands(server)
    return server


def _register_documents(server: KbsyncServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: KbsyncServer, params: types.InitializeParams) -> None:
        """The helper's folder, when the server's input did not show it earlier: the
        root (``rootUri``, ``rootPath``), else the first workspace folder."""
        folders = params.workspace_folders or []
        folder = ls.workspace.root_path or (path_of(folders[0].uri) if folders else None)
        if ls.first_look is not None and folder:
            ls.first_look.folder(Path(folder))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KbsyncServer, params: types.DidOpenTextDocumentParams) -> None:
        place = ls.place_of(params.text_document.uri)
        if place is not None:
            if ls.first_look is not None:  # an editor that named no folder: this one
                ls.first_look.folder(place.root)
            ls.uris[(place.root, place.key)] = params.text_document.uri
            text = params.text_document.text
            ls.later(lambda: ls.session(place.root).opened(place.key, text))
            ls.ask_check()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KbsyncServer, params: types.DidChangeTextDocumentParams) -> None:
        place = ls.place_of(params.text_document.uri)
        if place is not None:
            text = ls.workspace.get_text_document(params.text_document.uri).source
            ls.later(lambda: ls.session(place.root).edited(place.key, text))
            ls.ask_check()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KbsyncServer, params: types.DidSaveTextDocumentParams) -> None:
        place = ls.place_of(params.text_document.uri)
        if place is not None:
            ls.later(lambda: ls.session(place.root).saved(place.key))
            ls.ask_check()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KbsyncServer, params: types.DidCloseTextDocumentParams) -> None:
        place = ls.place_of(params.text_document.uri)
        ls.forget(params.text_document.uri)
        if place is not None:
            ls.uris.pop((place.root, place.key), None)
            ls.later(lambda: ls.session(place.root).closed(place.key))
            ls.ask_check()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_files(ls: KbsyncServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            place = ls.place_of(change.uri)
            if place is not None:
                ls.later(_saved, ls, place)
        ls.ask_check()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: KbsyncServer, params: types.InitializedParams) -> None:
        """Ask to hear of files changed outside the editor (a git checkout, a pull)."""
        if ls.first_look is not None:  # no document soon: the helper is of no more use
            asyncio.get_running_loop().call_later(IDLE_FOR, ls.first_look.stop_unless_asked)
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
        if ls.first_look is not None:
            ls.first_look.stop()


def _saved(ls: KbsyncServer, place: Place) -> None:
    """(engine thread) The file at ``place`` changed on disk."""
    ls.session(place.root).saved(place.key)


def _register_features(server: KbsyncServer) -> None:
    """The features run on the engine thread, and their modules load there: the engine's
    modules load on that one thread only, as two threads importing them at once could
    meet in Python's import locks."""

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=COMPLETION_TRIGGERS))
    async def complete(ls: KbsyncServer,
                       params: types.CompletionParams) -> types.CompletionList | None:
        return await ls.at(params, _complete)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: KbsyncServer, params: types.HoverParams) -> types.Hover | None:
        return await ls.at(params, _hover)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: KbsyncServer,
                         params: types.DefinitionParams) -> types.Location | None:
        return await ls.at(params, _definition)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: KbsyncServer,
                         params: types.ReferenceParams) -> list[types.Location] | None:
        codec = ls.workspace.position_codec
        return await ls.at(params, lambda at: _references(at, codec))

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(ls: KbsyncServer, params: types.PrepareRenameParams
                             ) -> types.PrepareRenamePlaceholder | None:
        return await ls.at(params, _prepare_rename)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def rename_heading(ls: KbsyncServer,
                             params: types.RenameParams) -> types.WorkspaceEdit | None:
        codec = ls.workspace.position_codec
        return await ls.at(params, lambda at: _rename(at, params.new_name, codec))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION)
    def code_action(ls: KbsyncServer,
                    params: types.CodeActionParams) -> list[types.CodeAction] | None:
        place = ls.place_of(params.text_document.uri)
        if place is None:
            return None
        return actions.code_actions(params.text_document.uri, place.key, params.context)


# -- (engine thread) the features, each loading its module ----------------------------------


def _complete(at: Cursor) -> types.CompletionList | None:
    from kbsync.lsp import completion

    return completion.complete(at.session, at.key, at.lines, at.line, at.column)


def _hover(at: Cursor) -> types.Hover | None:
    from kbsync.lsp import hover

    return hover.hover(at.session, at.key, at.lines, at.line, at.column)


def _definition(at: Cursor) -> types.Location | None:
    from kbsync.lsp import navigation

    return navigation.definition(at.session, at.key, at.line, at.column)


def _references(at: Cursor, codec: PositionCodec) -> list[types.Location] | None:
    from kbsync.lsp import navigation

    return navigation.references(at.session, at.key, at.line, at.column, codec)


def _prepare_rename(at: Cursor) -> types.PrepareRenamePlaceholder | None:
    from kbsync.lsp import rename

    return rename.prepare_rename(at.session, at.key, at.lines, at.line, at.column)


def _rename(at: Cursor, new_name: str, codec: PositionCodec) -> types.WorkspaceEdit | None:
    from kbsync.lsp import rename

    return rename.rename(at.session, at.key, at.lines, at.line, new_name, codec)


@dataclass(frozen=True)
class _Moving:
    """(engine thread) What moving files does to the links: the moves, their edit, and
    when a public URL would change, the question to ask and its two answers."""

    moves: Moves
    edit: types.WorkspaceEdit | None
    question: str | None = None
    pin: str = ""
    let_go: str = ""


def _moving(ls: KbsyncServer, place: Place, files: list[types.FileRename],
            codec: PositionCodec) -> _Moving:
    from kbsync.lsp import rename

    session = ls.session(place.root)
    moves = rename.moves(session, files)
    edit, changes = rename.move_edit(session, moves, False, codec)
    if not changes:
        return _Moving(moves, edit)
    return _Moving(moves, edit, rename.slug_question(changes), rename.PIN, rename.LET_GO)


def _pinned(ls: KbsyncServer, place: Place, moves: Moves,
            codec: PositionCodec) -> types.WorkspaceEdit | None:
    """(engine thread) The moves' edit that also pins the old slugs (asked for)."""
    from kbsync.lsp import rename

    return rename.move_edit(ls.session(place.root), moves, True, codec)[0]


def _register_moves(server: KbsyncServer) -> None:
    @server.feature(types.WORKSPACE_WILL_RENAME_FILES, _MOVES)
    async def will_rename(ls: KbsyncServer,
                          params: types.RenameFilesParams) -> types.WorkspaceEdit | None:
        """Rewrite the links to what moves; ask before a public URL changes."""
        place = ls.place_of(params.files[0].old_uri) if params.files else None
        if place is None:
            return None
        codec = ls.workspace.position_codec
        moving = await ls.run(_moving, ls, place, params.files, codec)
        if moving.question is None:
            return moving.edit
        answer = await ls.window_show_message_request_async(types.ShowMessageRequestParams(
            type=types.MessageType.Warning, message=moving.question,
            actions=[types.MessageActionItem(moving.pin),
                     types.MessageActionItem(moving.let_go)]))
        if answer is None or answer.title != moving.pin:
            return moving.edit
        return await ls.run(_pinned, ls, place, moving.moves, codec)

    @server.feature(types.WORKSPACE_DID_RENAME_FILES, _MOVES)
    def did_rename(ls: KbsyncServer, params: types.RenameFilesParams) -> None:
        for moved in params.files:
            place = ls.place_of(moved.old_uri)
            ls.forget(moved.old_uri)
            if place is None:
                continue
            new_path = path_of(moved.new_uri)
            ls.uris.pop((place.root, place.key), None)
            ls.later(_renamed, ls, place, key_in(place.root, new_path) if new_path else None)
        ls.ask_check()


def _renamed(ls: KbsyncServer, place: Place, new: str | None) -> None:
    """(engine thread) The file at ``place`` moved to ``new`` (None: out of its
    knowledge base)."""
    ls.session(place.root).renamed(place.key, new)


def _register_commands(server: KbsyncServer) -> None:
    @server.command(actions.OPEN_PREVIEW)
    async def open_preview(ls: KbsyncServer, uri: str) -> str | None:
        """Start ``kbsync watch`` (once per knowledge base), show the article's page;
        the page's URL is the answer."""
        place = ls.place_of(uri)
        if place is None:
            return None
        key = place.key
        url = await ls.previews.url(place.root) + await ls.run(_article_url, key)
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


def _article_url(key: str) -> str:
    """(engine thread) The path of the article's page in the preview."""
    from kbsync.preview.site import article_url  # the preview's modules, when used

    return article_url(key)
