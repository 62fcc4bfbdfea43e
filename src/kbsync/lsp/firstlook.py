"""The first look, taken on another core while the server starts.

An editor waits for a language server's first diagnostics. Most of that wait is the
protocol's own start: pygls and lsprotocol (some 550 attrs classes) take a third of a
second to load on a laptop, and the engine (pydantic, the settings' schema, the
workspace) a seventh more, all on one core. So ``kbsync lsp`` starts this helper first:
a second process that loads the engine only and reads the knowledge base the editor
named while the server loads the protocol. When the first documents open, the server
hands it their texts; it answers their problems (the engine's glance, the same code as
the in-process one) and exits. The server shows them, loads the engine on its own
thread and checks the whole tree, as without the helper.

The helper is an optimisation only: when it cannot start, is not told a folder, serves
another knowledge base than the document's, fails or is slow, the server glances
itself. Its protocol is JSON lines: ``{"root": ...}`` and ``{"open": {key: text}}``
in; ``{"problems": {key: [problem, ...]}}`` out.

Run as ``python -m kbsync.lsp.firstlook`` (never from the editor's folder:
``kbsync.lsp.spawned``); the server's side is :class:`FirstLook`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from kbsync.knowledge_base import CONFIG_FILE, find_knowledge_base
from kbsync.lsp.spawned import HOME, module_command
from kbsync.problems import Problem

__all__ = ["ANSWER_WITHIN", "IDLE_FOR", "FirstLook", "main"]

#: How long the server waits for the helper's answer before it glances itself (seconds):
#: long enough for a cold tree of thousands of articles, short enough that a stuck
#: helper is only a slower start.
ANSWER_WITHIN = 10.0
#: How long an unasked helper waits for the first document to open (seconds): an editor
#: may start the server for a Python file; the helper then ends, and a Markdown file
#: opened later gets the server's own glance.
IDLE_FOR = 30.0
#: How deep below the editor's folder a knowledge base is looked for (``docs/kb``).
BELOW = 2
#: Problems by key, as the helper answers them.
Found = dict[str, list[Problem]]


class FirstLook:
    """The helper process, seen from the server: told the folder, asked once."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._lock = threading.Lock()
        #: The knowledge base the helper reads (None: not told yet, or none there).
        self.root: Path | None = None
        self._told = False
        self._asked = False

    @classmethod
    def start(cls) -> FirstLook | None:
        """The helper, started; None where it cannot be (a frozen build or an embedded
        Python has no ``python -m``, a single core would only share its time)."""
        if getattr(sys, "frozen", False) or not sys.executable or (os.cpu_count() or 1) < 2:
            return None
        try:
            # its errors go to the editor's log, as ours; a session of its own: Ctrl-C
            # in a terminal is the server's to answer (it ends the helper)
            process = subprocess.Popen(
                module_command("kbsync.lsp.firstlook"), cwd=HOME, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, start_new_session=True)
        except OSError:
            return None
        return cls(process)

    def folder(self, folder: Path) -> None:
        """The folder the editor opened (its initialize request): the helper reads the
        knowledge base it is in, else the only one in a folder below it (a repository
        whose help center is ``docs/``). The first folder told counts."""
        with self._lock:
            if self._told:
                return
            self._told = True
            root = find_knowledge_base(folder)[0] or _the_one_below(folder)
            if root is None or not self._send({"root": str(root)}):
                self.stop()
                return
            self.root = root

    async def look(self, texts: Mapping[str, str], within: float = ANSWER_WITHIN
                   ) -> Found | None:
        """The problems of the documents the editor opened, ``texts`` by key, as the
        engine's glance finds them; None when the helper cannot say (then or ever: it is
        asked once; ``within`` seconds at most). The texts are written and the answer
        read on a thread of their own: a helper still reading the tree does not read its
        input, and the server's loop must not wait on a full pipe."""
        import asyncio

        with self._lock:
            asked, self._asked = self._asked, True
            if asked or self.root is None:
                self.stop()
                return None
        loop = asyncio.get_running_loop()
        try:
            line = await asyncio.wait_for(
                loop.run_in_executor(None, self._exchange, {"open": dict(texts)}), within)
        except asyncio.TimeoutError:
            line = b""
        self.stop()
        return _problems(line, texts)

    def _exchange(self, message: dict[str, Any]) -> bytes:
        """(a thread) ``message`` sent, the answer's line read; b"" when it ended."""
        stdout = self._process.stdout
        assert stdout is not None
        try:
            return stdout.readline() if self._send(message) else b""
        except (OSError, ValueError):  # stopped meanwhile
            return b""

    def stop_unless_asked(self) -> None:
        """End the helper if it has not been asked (no document opened in time)."""
        with self._lock:
            if not self._asked:
                self._asked = True
                self.stop()

    def _send(self, message: dict[str, Any]) -> bool:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps(message).encode() + b"\n")
            stdin.flush()
        except (OSError, ValueError):  # it ended, or was stopped
            return False
        return True

    def stop(self) -> None:
        """End the helper (done, or no more use); its answer, if still to come, is lost."""
        self.root = None
        if self._process.poll() is None:
            self._process.kill()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._process.wait()

    @property
    def asked(self) -> bool:
        """Whether it was asked already (it answers once), or ended unasked."""
        return self._asked

    @property
    def pid(self) -> int:
        return self._process.pid


def _the_one_below(folder: Path, depth: int = BELOW) -> Path | None:
    """The knowledge base ``depth`` folders below ``folder`` at most, if there is exactly
    one (hidden folders are not looked in); two or more: which one the editor will open
    is anyone's guess, and the server glances itself."""
    found: list[Path] = []
    level = [folder]
    for _ in range(depth):
        below = []
        for parent in level:
            try:
                below += [Path(entry.path) for entry in os.scandir(parent)
                          if entry.is_dir(follow_symlinks=False)
                          and not entry.name.startswith(".")]
            except OSError:
                continue
        found += [path.resolve() for path in below if (path / CONFIG_FILE).is_file()]
        if len(found) > 1:
            return None
        level = below
    return found[0] if found else None


def _problems(line: bytes, texts: Mapping[str, str]) -> Found | None:
    """The answer's problems for each document of ``texts``; None when the line is not
    such an answer (the helper failed, ended or was stopped)."""
    try:
        found = json.loads(line)["problems"]
        answer = {key: [Problem(**fields) for fields in found[key]] for key in texts}
    except (ValueError, KeyError, TypeError):
        return None
    return answer


def main(stdin: IO[str] = sys.stdin, stdout: IO[str] = sys.stdout) -> int:
    """The helper: load the engine, read the knowledge base it is told, answer the
    problems of the documents it is given, exit."""
    from kbsync.lsp.session import Session  # first: the server is loading meanwhile

    told = stdin.readline()
    if not told:
        return 0
    session = Session.at(Path(json.loads(told)["root"]))
    tree = session.workspace.read()  # before the editor says what its buffers hold
    asked = stdin.readline()
    if not asked:
        return 0
    texts: dict[str, str] = json.loads(asked)["open"]
    for key, text in texts.items():
        session.opened(key, text)
    session.glance(texts, tree=tree)
    found = {key: [_fields(p) for p in session.problems(key)] for key in texts}
    stdout.write(json.dumps({"problems": found}) + "\n")
    stdout.flush()
    return 0


def _fields(problem: Problem) -> dict[str, Any]:
    """What a diagnostic shows of a problem: :class:`Problem`'s fields (a kind of
    problem's own, such as a broken anchor's target, stay with validate)."""
    return {name: getattr(problem, name) for name in _PROBLEM_FIELDS}


_PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(Problem))


if __name__ == "__main__":
    sys.exit(main())
