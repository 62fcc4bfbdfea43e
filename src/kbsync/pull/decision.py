"""What the deciders of one pull pass share: what they read, what they answer, the
three-way rule, and the lock changes held back until the pass is the final one.

Each kind of item has its decider (``pull.articles``, ``pull.collections``,
``pull.portal``); ``pull.ordering`` says where positions must be written. They all
decide against one :class:`Pass` and add to one :class:`PullResult`. No writes here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kbsync.assets.home import AssetHome
from kbsync.config import ContentSettings
from kbsync.fingerprint import fields_fingerprint
from kbsync.local.bases import BaseStore
from kbsync.local.tree import LocalTree
from kbsync.markdown import ParsedBody
from kbsync.model import ActualState, Lock, LockEntry, RemoteArticle, RemoteCollection, Section
from kbsync.plan.match import Matching, edited_remotely
from kbsync.plan.model import OnDelete
from kbsync.pull.layout import Layout, Placed
from kbsync.pull.merge import merge3
from kbsync.pull.paths import safe_join

__all__ = ["ACTIONS", "Action", "FileChange", "OnConflict", "Outcome", "Pass", "PullOptions",
           "PullResult", "Source", "along"]

OnConflict = Literal["fail", "markers", "theirs", "ours"]
Action = Literal["new", "updated", "merged", "markers", "theirs", "ours", "moved", "adjusted",
                 "deleted"]
Outcome = Literal["theirs", "local", "merged", "markers", "forced", "ours"]
ACTIONS: dict[Outcome, Action] = {"theirs": "updated", "local": "updated", "merged": "merged",
                                  "markers": "markers", "forced": "theirs", "ours": "ours"}


@dataclass(frozen=True)
class PullOptions:
    prune: bool = False
    on_conflict: OnConflict = "fail"
    on_delete: OnDelete = "delete"  # "keep": a deleted file's remote edits are kept there


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file operation: write ``data`` at ``path`` (after moving it from ``old_path``)."""

    action: Action
    path: str
    data: bytes | None = None  # None: content stays (a pure move, or a deletion)
    old_path: str | None = None
    kind: Literal["article", "collection", "portal"] = "article"


@dataclass
class PullResult:
    changes: list[FileChange] = field(default_factory=list)
    folder_moves: list[tuple[str, str]] = field(default_factory=list)  # top-down
    conflicts: list[str] = field(default_factory=list)  # left untouched
    #: Those of the conflicts with uncommitted edits, which no --on-conflict overwrites.
    uncommitted: list[str] = field(default_factory=list)
    deleted_remotely: list[str] = field(default_factory=list)  # reported, kept
    deleted_here: list[str] = field(default_factory=list)  # deleted locally: left deleted
    #: Deleted locally, edited in initdesk since the last sync: left deleted, and apply
    #: will not delete them without --force.
    deleted_conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Links and anchors of the bodies converted, read from line 1, by body text (asked
    # for by init, whose check of the written files then parses none of them again).
    parsed: dict[str, ParsedBody] = field(default_factory=dict)

    def count(self, *actions: Action) -> int:
        return sum(1 for c in self.changes if c.action in actions)


@dataclass(frozen=True, slots=True)
class Source:
    """A file's text with LF line ends, and how to encode text back the way it was."""

    text: str
    crlf: bool = False
    bom: bool = False

    @classmethod
    def decode(cls, raw: bytes) -> Source | None:
        """None for bytes that are not UTF-8 text (such a file is never rewritten)."""
        bom = raw.startswith(b"\xef\xbb\xbf")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        crlf = "\r\n" in text
        return cls(text.replace("\r\n", "\n") if crlf else text, crlf, bom)

    def encode(self, text: str) -> bytes:
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def along(layout: Layout, key: str) -> str:
    """Where the file at ``key`` ends up when only its folder moves."""
    folder = posixpath.dirname(key)
    name = posixpath.basename(key)
    here = layout.folders.get(folder, folder) if folder else ""
    return f"{here}/{name}" if here else name


@dataclass
class Pass:
    """One pass of the decision: its inputs, and what the deciders note for each other.

    ``pruned``: local keys deleted by this pull (``--prune``); ``pins``: final key ->
    the position its file must write; ``kept_in_place``: articles in conflict whose move
    is undone by a second pass. Lock changes wait in ``commit_lock`` until the pass is
    the one that counts.
    """

    root: Path
    tree: LocalTree
    actual: ActualState
    lock: Lock
    content: ContentSettings
    bases: BaseStore
    dirty: set[str]
    options: PullOptions
    layout: Layout
    matching: Matching
    assets: AssetHome | None = None  # where local files are published (URLs -> paths)
    pruned: set[str] = field(default_factory=set)
    pins: dict[str, int] = field(default_factory=dict)
    kept_in_place: set[str] = field(default_factory=set)
    _pending_lock: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        #: Where a path ends up after this pull's moves (built once: it sorts the folders).
        self.relocator = self.layout.relocator

    def read(self, key: str) -> bytes | None:
        try:
            return safe_join(self.root, key).read_bytes()
        except OSError:
            return None

    def along(self, key: str) -> str:
        return along(self.layout, key)

    # -- three-way -----------------------------------------------------------------------

    def three_way(self, path: str, base: str | None, local: str, theirs: str, dirty: bool,
                  result: PullResult) -> tuple[str, Outcome] | None:
        """The text to keep at ``path`` and how it came about; None: left untouched."""
        if base == local or theirs == local:
            return theirs, "theirs"
        if base == theirs:
            return local, "local"
        merged = merge3(base, local, theirs) if base is not None else None
        if merged is not None and not merged.conflicts:
            return merged.text, "merged"
        mode = self.options.on_conflict
        if mode == "ours":
            return local, "ours"
        if dirty or mode == "fail" or (mode == "markers" and merged is None):
            result.conflicts.append(path)
            if dirty:
                result.uncommitted.append(path)
            return None
        if mode == "theirs":
            return theirs, "forced"
        assert merged is not None
        return merged.text, "markers"

    # -- deleted here --------------------------------------------------------------------

    def deleted_here(self, section: Section, gone: list[RemoteArticle] | list[RemoteCollection],
                     suffix: str, result: PullResult) -> None:
        """Managed items whose file or folder is gone: never written back. Edited in
        initdesk since the last sync, they are a conflict, as in the plan: deleting them
        would lose the edit (unless on_delete leaves them there: "keep", or "draft" for a
        collection)."""
        kept = self.options.on_delete == "keep" or (
            self.options.on_delete == "draft" and section == "collections")
        for remote in gone:
            found = self.lock.by_id(section, remote.id)
            assert found is not None  # gone means: in the lock, no local item
            entry = found[1]
            path = entry.path + suffix
            if not kept and edited_remotely(entry, fields_fingerprint(remote.fields)):
                result.deleted_conflicts.append(path)
            else:
                result.deleted_here.append(path)

    # -- the lock ------------------------------------------------------------------------

    def lock_synced(self, section: Section, slug: str, remote_id: int, updated_at: str | None,
                    key: str, fingerprint: str, data: bytes) -> None:
        """Record an item as synced: ``data`` is the file text that stands for the remote."""
        self.relock(section, slug, LockEntry(remote_id, key, fingerprint, updated_at,
                                             self.bases.put(data)))

    def lock_path(self, placed: Placed) -> str:
        """The path the lock keeps: where the last sync put the item, carried along by this
        pull's moves. A move made locally and not applied yet is not recorded, so pull
        never moves the file back and plan still shows the move."""
        entry = placed.entry
        if entry is None or placed.own_move:
            return placed.key
        return self.relocator(entry.path)

    def relock(self, section: Section, slug: str, entry: LockEntry) -> None:
        self.later(lambda: self.lock.put(section, slug, entry))

    def later(self, step: Callable[[], None]) -> None:
        """A lock change, made by :meth:`commit_lock` if this pass is the final one."""
        self._pending_lock.append(step)

    def commit_lock(self) -> None:
        for step in self._pending_lock:
            step()
