"""One knowledge base open in the editor: its workspace, the open documents' texts, and
the last check.

Everything here runs on one thread (the server's engine thread): the workspace is not
thread-safe. A change only records the new text and the changed path; the next
:meth:`Session.check` sees all changes since the last one at once, so a burst of
keystrokes costs one check.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kbsync.config import CONFIG_FILE, Config, load_config
from kbsync.engine import Checked, Workspace
from kbsync.engine.links import Links
from kbsync.errors import ConfigError
from kbsync.frontend import open_workspace
from kbsync.knowledge_base import key_in
from kbsync.local.tree import ARTICLE_SUFFIX, COLLECTION_FILE, LocalTree
from kbsync.problems import Problem

__all__ = ["Session"]


class Session:
    """A knowledge base (the folder of its kbsync.toml) and what the editor has open."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = config.root
        self.workspace: Workspace = open_workspace(config)
        self.open: dict[str, str] = {}  # key -> the editor's text
        self.opened_since = False  # a document opened since diagnostics were last sent
        self.checked: Checked | None = None
        self.complete = False  # the last check was a whole one (not a glance)
        self.config_problem: Problem | None = None  # kbsync.toml as it is cannot be read
        self._changed: set[str] = set()
        self._links: Links | None = None
        #: What features work out once per check (completion's targets by folder).
        self.memo: dict[str, Any] = {}

    @classmethod
    def at(cls, root: Path) -> Session:
        """The session of the knowledge base at ``root``; settings that cannot be read
        are a problem on kbsync.toml, and the defaults apply meanwhile."""
        try:
            return cls(load_config(root))
        except ConfigError as exc:
            session = cls(Config(root, has_file=True))
            session.config_problem = _config_problem(exc)
            return session

    # -- documents -------------------------------------------------------------------

    def key(self, path: str | Path) -> str | None:
        """The root-relative key of ``path``, or None when it lies outside the root."""
        return key_in(self.root, path)

    def path(self, key: str) -> Path:
        return self.root / key

    def opened(self, key: str, text: str) -> None:
        self.open[key] = text
        self.opened_since = True
        self._read_as(key, text)

    def edited(self, key: str, text: str) -> None:
        self.open[key] = text
        self._read_as(key, text)

    def saved(self, key: str) -> None:
        """The file on disk changed (saved, created, deleted by another tool)."""
        self._changed.add(key)
        if key == CONFIG_FILE:
            self._reconfigure()

    def closed(self, key: str) -> None:
        self.open.pop(key, None)
        self.workspace.set_text(key, None)
        self._changed.add(key)

    def renamed(self, old: str, new: str | None) -> None:
        """A file or folder moved (``new`` None: out of the knowledge base)."""
        self.closed(old)
        if new is not None:
            self._changed.add(new)

    def _read_as(self, key: str, text: str) -> None:
        """The checks read ``text`` for an article or a collection file: the others
        (settings, coverage.yaml) are read from disk when saved."""
        if key.endswith((ARTICLE_SUFFIX, COLLECTION_FILE)):
            self.workspace.set_text(key, text)
            self._changed.add(key)

    def _reconfigure(self) -> None:
        try:
            self.config = load_config(self.root)
        except ConfigError as exc:
            self.config_problem = _config_problem(exc)
            return
        self.config_problem = None
        self.workspace.configure(self.config)

    # -- checking --------------------------------------------------------------------

    @property
    def pending(self) -> bool:
        return bool(self._changed) or not self.complete

    def check(self) -> Checked:
        """Check what changed since the last check (everything, the first time)."""
        changed, self._changed = self._changed, set()
        first = self.checked is None or not self.complete
        self.checked = self.workspace.check(None if first else changed)
        self.complete = True
        self._links = None
        self.memo.clear()
        return self.checked

    def glance(self, keys: Iterable[str], *, tree: LocalTree | None = None) -> Checked:
        """The first look at the open articles, before the whole check (``tree``: one
        read before, see :meth:`Workspace.glance`)."""
        self.checked = self.workspace.glance(set(keys), tree=tree)
        self._links = None
        self.memo.clear()
        return self.checked

    def fresh(self) -> Checked:
        """The check as of now: pending changes checked first."""
        if self.checked is None or self.pending:
            return self.check()
        return self.checked

    @property
    def links(self) -> Links:
        checked = self.fresh()
        if self._links is None or self._links.checked is not checked:
            self._links = Links(checked)
        return self._links

    def problems(self, key: str) -> list[Problem]:
        """The problems of the file at ``key`` as of the last check."""
        found = [] if self.checked is None else [
            p for p in self.checked.problems if p.path == key]
        if key == CONFIG_FILE and self.config_problem is not None:
            found.insert(0, self.config_problem)
        return found

    def text(self, key: str) -> str | None:
        """The file's text as the editor has it, else as the checks read it."""
        given = self.open.get(key)
        return given if given is not None else self.workspace.text_of(key)


def _config_problem(exc: ConfigError) -> Problem:
    """kbsync.toml's first problem, where its message names a line (``kbsync.toml:3:``)."""
    first = str(exc).splitlines()[0]
    where, _, message = first.partition(": ")
    line = where.rpartition(":")[2] if where.startswith(CONFIG_FILE + ":") else ""
    return Problem(CONFIG_FILE, message if where.startswith(CONFIG_FILE) else first,
                   line=int(line) if line.isdigit() else 1,
                   hint="the last settings that could be read apply meanwhile")
