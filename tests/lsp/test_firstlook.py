"""The first-look helper: a real process (``python -m kbsync.lsp.firstlook``) that loads
the engine and reads the knowledge base while the server loads the protocol. What it
answers must be what the server's own glance, and the whole check after it, find; when
it cannot answer, the server glances itself; it never outlives the server."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

import kbsync
from kbsync.lsp.firstlook import FirstLook
from kbsync.lsp.session import Session
from kbsync.lsp.spawned import HOME, module_command
from kbsync.problems import Problem
from tests.kb_files import KBFiles

pytestmark = pytest.mark.skipif(sys.platform != "linux" or (os.cpu_count() or 1) < 2,
                                reason="the helper runs beside the server on a second core; "
                                       "its children are read from /proc")

START = "guides/start.md"
TWIN = "guides/twin.md"


@dataclass
class KB(KBFiles):
    root: Path


def knowledge_base(tmp_path: Path) -> KB:
    """Findings of every reach: in the file (an unknown key), to another file (an anchor
    that is not there) and across the tree (a slug two articles claim)."""
    kb = KB(tmp_path / "kb")
    kb.root.mkdir(parents=True)
    kb.write("kbsync.toml", '[remote]\nbase_url = "local"\n')
    kb.article(START, "Start here", "Read [the next one](next.md#details).\n\n## Steps",
               owner="docs", slug="start")
    kb.article("guides/next.md", "Next steps", "## Other\n\nBack to [start](start.md).")
    kb.article(TWIN, "Twin", "Same slug.", slug="start")
    return kb


def texts_of(kb: KB, *keys: str) -> dict[str, str]:
    return {key: (kb.root / key).read_text(encoding="utf-8") for key in keys}


def engine_here(root: Path, texts: dict[str, str]) -> tuple[dict[str, list[Problem]],
                                                           dict[str, list[Problem]]]:
    """What the server's own engine finds for ``texts``: its glance, then its whole check
    (as a diagnostic shows them: a kind of problem's own fields left out)."""
    session = Session.at(root)
    for key, text in texts.items():
        session.opened(key, text)
    session.glance(texts)
    glanced = {key: plain(session.problems(key)) for key in texts}
    session.check()
    return glanced, {key: plain(session.problems(key)) for key in texts}


def plain(problems: list[Problem]) -> list[Problem]:
    return [Problem(**{f.name: getattr(p, f.name) for f in dataclasses.fields(Problem)})
            for p in problems]


def helper_look(folder: Path, texts: dict[str, str]) -> dict[str, list[Problem]] | None:
    helper = FirstLook.start()
    assert helper is not None
    helper.folder(folder)
    return asyncio.run(helper.look(texts))


def test_the_helper_finds_what_the_engine_finds(tmp_path: Path) -> None:
    kb = knowledge_base(tmp_path)
    texts = texts_of(kb, START, TWIN)
    found = helper_look(kb.root, texts)
    glanced, whole = engine_here(kb.root, texts)
    assert found == glanced == whole
    assert found is not None
    assert any("#details" in p.message for p in found[START]), found
    assert any(p.key == "owner" for p in found[START]), found
    assert any(p.key == "slug" for p in found[TWIN]), found


def test_an_unsaved_buffer_is_read_as_the_editor_has_it(tmp_path: Path) -> None:
    """The helper read the files before it heard the buffers: one that differs is read
    again, as the editor has it."""
    kb = knowledge_base(tmp_path)
    texts = {START: texts_of(kb, START)[START].replace("next.md#details", "gone.md")}
    found = helper_look(kb.root, texts)
    assert found == engine_here(kb.root, texts)[0]
    assert found is not None and any("gone.md" in p.message for p in found[START])
    assert not any("#details" in p.message for p in found[START])


def test_a_folder_inside_the_knowledge_base_is_read_as_the_whole(tmp_path: Path) -> None:
    kb = knowledge_base(tmp_path)
    helper = FirstLook.start()
    assert helper is not None
    helper.folder(kb.root / "guides")
    assert helper.root == kb.root.resolve()
    helper.stop()


def test_the_one_knowledge_base_below_the_folder_is_read(tmp_path: Path) -> None:
    """An editor opened on the repository whose help center is ``docs/``; with two
    below, which one will be opened is a guess: the server glances itself."""
    (tmp_path / ".git").mkdir()
    kb = knowledge_base(tmp_path / "docs")
    (tmp_path / ".hidden" / "kb").mkdir(parents=True)
    (tmp_path / ".hidden" / "kb" / "kbsync.toml").write_text("")
    helper = FirstLook.start()
    assert helper is not None
    helper.folder(tmp_path)
    assert helper.root == kb.root.resolve()
    helper.stop()
    (tmp_path / "site" / "kbsync.toml").parent.mkdir()
    (tmp_path / "site" / "kbsync.toml").write_text("")
    helper = FirstLook.start()
    assert helper is not None
    helper.folder(tmp_path)
    assert helper.root is None and _ended(helper.pid)


def test_a_folder_in_no_knowledge_base_ends_the_helper(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    helper = FirstLook.start()
    assert helper is not None
    helper.folder(tmp_path / "repo")
    assert helper.root is None and _ended(helper.pid)
    assert asyncio.run(helper.look({"a.md": "# A\n"})) is None


def test_a_helper_that_dies_answers_nothing_and_is_asked_once(tmp_path: Path) -> None:
    kb = knowledge_base(tmp_path)
    helper = FirstLook.start()
    assert helper is not None
    helper.folder(kb.root)
    os.kill(helper.pid, signal.SIGKILL)
    assert asyncio.run(helper.look(texts_of(kb, START))) is None
    assert asyncio.run(helper.look(texts_of(kb, START))) is None


def test_a_helper_not_asked_in_time_ends_and_an_asked_one_answers(tmp_path: Path) -> None:
    """The server ends a helper no document has asked within ``IDLE_FOR``; one asked
    already is not ended by it."""
    kb = knowledge_base(tmp_path)
    idle = FirstLook.start()
    assert idle is not None
    idle.folder(kb.root)
    idle.stop_unless_asked()
    assert _ended(idle.pid) and asyncio.run(idle.look(texts_of(kb, START))) is None

    async def asked_then_idle(helper: FirstLook) -> dict[str, list[Problem]] | None:
        looking = asyncio.get_running_loop().create_task(helper.look(texts_of(kb, START)))
        await asyncio.sleep(0)  # it has asked
        helper.stop_unless_asked()
        return await looking

    busy = FirstLook.start()
    assert busy is not None
    busy.folder(kb.root)
    assert asyncio.run(asked_then_idle(busy)) is not None


def test_a_helper_that_does_not_read_holds_up_nothing(tmp_path: Path) -> None:
    """A helper stopped in its tracks (SIGSTOP) is sent a megabyte it never reads: the
    server's loop goes on meanwhile, and the helper is given up after ``within``."""
    kb = knowledge_base(tmp_path)
    helper = FirstLook.start()
    assert helper is not None
    helper.folder(kb.root)
    os.kill(helper.pid, signal.SIGSTOP)

    async def look_and_tick() -> tuple[dict[str, list[Problem]] | None, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.get_running_loop().create_task(tick())
        found = await helper.look({START: "x" * 1_000_000}, within=0.5)
        ticking.cancel()
        return found, ticks

    found, ticks = asyncio.run(look_and_tick())
    assert found is None and ticks >= 10 and _ended(helper.pid)


def test_ctrl_c_in_a_terminal_stops_the_server_and_its_helper_quietly(tmp_path: Path
                                                                      ) -> None:
    """Ctrl-C reaches every process of the terminal's foreground job: the server answers
    it (exit 130, "Interrupted."), and the helper, in a session of its own, neither
    dies of it nor prints a traceback; it ends with the server."""
    kb = knowledge_base(tmp_path)
    server = subprocess.Popen([str(Path(sys.executable).parent / "kbsync"), "lsp"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, start_new_session=True)
    assert server.stdin is not None and server.stdout is not None
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "capabilities": {}, "rootUri": kb.root.as_uri()}}).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    server.stdin.flush()
    assert server.stdout.readline().startswith(b"Content-Length:")  # it serves, and waits
    helpers = _helpers_of(server.pid)
    os.killpg(server.pid, signal.SIGINT)  # the terminal's job: the server's group
    _, err = server.communicate(timeout=60)
    said = err.decode()
    assert (server.returncode, said.splitlines()[-1]) == (130, "Interrupted."), said
    assert "Traceback" not in said and len(helpers) == 1 and _ended(helpers[0])


# -- over stdio, as an editor that names its folder ----------------------------------------


@dataclass
class Editor:
    client: LanguageClient = field(default_factory=lambda: LanguageClient("test", "1"))
    published: list[tuple[str, list[types.Diagnostic]]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published.append((params.uri, list(params.diagnostics)))

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.logs.append(params.message)

    async def start(self, root: Path | None, cwd: Path | None = None) -> int:
        """The server started (in ``cwd``, as the installed command) and initialized (on
        ``root``); its process id."""
        await self.client.start_io(str(Path(sys.executable).parent / "kbsync"), "lsp",
                                   cwd=cwd)
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root.as_uri() if root else None))
        self.client.initialized(types.InitializedParams())
        process = self.client._server
        assert process is not None
        return process.pid

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def _first_and_last(kb: KB, named: Path | None, cwd: Path | None = None) -> tuple[
        list[types.Diagnostic], list[types.Diagnostic], list[str]]:
    editor = Editor()
    await editor.start(named, cwd)
    uri = (kb.root / START).as_uri()
    editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri, "markdown", 1, texts_of(kb, START)[START])))
    for _ in range(1000):
        if editor.published:
            break
        await asyncio.sleep(0.02)
    # a hover's answer waits for the whole check: what it published is there by then
    await editor.client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(0, 0)))
    await editor.stop()
    mine = [found for at, found in editor.published if at == uri]
    return mine[0], mine[-1], editor.logs


@pytest.mark.parametrize("named", [True, False], ids=["folder named", "no folder named"])
def test_the_first_diagnostics_come_from_the_helper_and_stand(tmp_path: Path,
                                                              named: bool) -> None:
    """The editor names its folder, or not (then the first document's knowledge base is
    the one the helper reads)."""
    kb = knowledge_base(tmp_path)
    first, last, logs = asyncio.run(_first_and_last(kb, kb.root if named else None))
    assert any("came from the helper process (1 of 1 documents shown)" in m for m in logs), logs
    assert first == last and any("#details" in d.message for d in first), first


def test_requests_sent_as_the_first_document_opens_are_answered(tmp_path: Path) -> None:
    """Completion, hover, definition and references asked at once, while the server still
    loads the engine: each is answered (the features load on the engine thread)."""
    kb = knowledge_base(tmp_path)

    async def asked_at_once() -> list[object]:
        editor = Editor()
        await editor.start(kb.root)
        uri = (kb.root / START).as_uri()
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "markdown", 1, texts_of(kb, START)[START])))
        doc = types.TextDocumentIdentifier(uri)
        link = types.Position(6, len("Read [the next one]("))  # in "next.md#details"
        answers = await asyncio.gather(
            editor.client.text_document_completion_async(types.CompletionParams(doc, link)),
            editor.client.text_document_hover_async(types.HoverParams(doc, link)),
            editor.client.text_document_definition_async(types.DefinitionParams(doc, link)),
            editor.client.text_document_references_async(types.ReferenceParams(
                context=types.ReferenceContext(include_declaration=False),
                text_document=doc, position=link)))
        await editor.stop()
        return list(answers)

    completion, hover, definition, _ = asyncio.run(asked_at_once())
    assert isinstance(completion, types.CompletionList) and completion.items
    assert isinstance(hover, types.Hover) and "Next steps" in str(hover.contents)
    assert isinstance(definition, types.Location) and definition.uri.endswith("next.md")


def test_the_editors_folder_is_not_where_the_helper_imports_from(tmp_path: Path) -> None:
    """An editor starts its server in the folder it opened: a repository under review
    with a ``kbsync/`` package of its own must not have it run by the helper (``python
    -m`` puts the current folder first on the import path)."""
    kb = knowledge_base(tmp_path)
    planted = kb.write("kbsync/__init__.py", f"open({str(tmp_path / 'ran')!r}, 'w')\n")
    kb.write("kbsync/__main__.py", planted.read_text())
    kb.write("kbsync/lsp/__init__.py", planted.read_text())
    _, last, logs = asyncio.run(_first_and_last(kb, kb.root, cwd=kb.root))
    assert not (tmp_path / "ran").exists()
    assert any("came from the helper process" in m for m in logs), logs
    assert any("#details" in d.message for d in last), last


def test_kbsyncs_own_programs_import_kbsync_from_where_it_is_installed() -> None:
    """The preview starts the same way (``kbsync.lsp.spawned``)."""
    assert (HOME / "kbsync" / "__init__.py").resolve() == Path(kbsync.__file__).resolve()
    assert module_command("kbsync", "watch")[-3:] == ["-m", "kbsync", "watch"]
    assert "-P" in module_command("kbsync") or sys.version_info < (3, 11)


def test_the_helper_ends_with_the_server(tmp_path: Path) -> None:
    """An editor that names no folder: the helper waits, unused, and goes with the
    server."""

    async def helper_of_a_server() -> int:
        editor = Editor()
        helpers = _helpers_of(await editor.start(None))
        assert len(helpers) == 1, helpers
        await editor.stop()
        return helpers[0]

    assert _ended(asyncio.run(helper_of_a_server()))


def _helpers_of(server: int) -> list[int]:
    """The first-look helpers the server process started (its children, from /proc)."""
    children = []
    for task in Path(f"/proc/{server}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return [pid for pid in children
            if b"kbsync.lsp.firstlook" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _ended(pid: int, within: float = 30) -> bool:
    """Whether process ``pid`` is gone (reaped: no zombie left) within ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.02)
    return False
