"""Renames that keep the links working: a heading (``textDocument/rename``: the anchors
that link to it follow) and files or folders moved in the editor
(``workspace/willRenameFiles``: every relative link to them, and theirs, follows).

A move that changes an article's public URL (its slug comes from its file name) is
said before it happens, with the offer to pin ``slug:`` (``plan.match`` then still pairs
the file with its article, and the URL stays).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from kbsync.engine.edits import (
    Edit,
    SlugChange,
    heading_text_columns,
    move_edits,
    rename_heading,
    slug_changes,
)
from kbsync.lsp.positions import Lines, edit_range, path_of, uri_of
from kbsync.lsp.session import Session
from kbsync.markdown.heading_ids import heading_ids

__all__ = ["LET_GO", "PIN", "Moves", "move_edit", "moves", "prepare_rename", "rename",
           "slug_question", "workspace_edit"]

#: The answers to the slug question; the first pins.
PIN = "Keep the URL (write slug:)"
LET_GO = "Let the URL change"


def prepare_rename(session: Session, key: str, lines: Lines, line: int,
                   column: int) -> types.PrepareRenamePlaceholder | None:
    """The heading's text under the cursor, or None (only headings are renamed here:
    files are renamed from the editor's file explorer)."""
    heading = session.links.heading_at(key, line)
    columns = heading_text_columns(lines.line(line)) if heading is not None else None
    if columns is None:
        return None
    start, end = columns
    return types.PrepareRenamePlaceholder(lines.range(line, start, line, end),
                                          lines.line(line)[start - 1:end - 1])


def rename(session: Session, key: str, lines: Lines, line: int, new_name: str,
           codec: PositionCodec) -> types.WorkspaceEdit | None:
    heading = session.links.heading_at(key, line)
    if heading is None:
        return None
    scheme = heading_ids(session.config.content.heading_ids)
    edits = rename_heading(session.links, key, heading, new_name, lines.line(line), scheme,
                           session.workspace.renderer)
    return workspace_edit(session, edits, codec) if edits else None


@dataclass(frozen=True)
class Moves:
    """Files and folders moved in the editor, as keys of one knowledge base."""

    files: Mapping[str, str]
    folders: Mapping[str, str]


def moves(session: Session, renames: Iterable[types.FileRename]) -> Moves:
    """The renames inside the session's knowledge base (a move out of it is not
    followed: validate then names the links it breaks)."""
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    for rename_ in renames:
        old_path, new_path = path_of(rename_.old_uri), path_of(rename_.new_uri)
        old = session.key(old_path) if old_path is not None else None
        new = session.key(new_path) if new_path is not None else None
        if old is None or new is None:
            continue
        (folders if session.path(old).is_dir() else files)[old] = new
    return Moves(files, folders)


def slug_question(changes: Sequence[SlugChange]) -> str:
    """What the writer is asked before a move changes public URLs."""
    listed = ", ".join(f"{c.key} ({c.old} -> {c.new})" for c in changes[:3])
    more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
    return (f"Renaming changes the public URL of {listed}{more}: links from outside the "
            "Help Center to the old URL would break. Keep the URL by writing slug: into "
            "the front matter?")


def move_edit(session: Session, found: Moves, pin: bool,
              codec: PositionCodec) -> tuple[types.WorkspaceEdit | None, list[SlugChange]]:
    """The edit that follows the move (``pin``: with ``slug:`` written where the URL
    would change), and those changes."""
    links = session.links
    changes = slug_changes(links, found.files, found.folders)
    pins = {c.key: c.old for c in changes} if pin else {}
    edits = move_edits(links, session.text, found.files, found.folders, pins)
    return (workspace_edit(session, edits, codec) if edits else None), changes


def workspace_edit(session: Session, edits: Iterable[Edit],
                   codec: PositionCodec) -> types.WorkspaceEdit:
    """The edits as the protocol's, each file's ranges in its text as the editor has
    it."""
    changes: dict[str, list[types.TextEdit]] = {}
    texts: dict[str, Lines] = {}
    for edit in edits:
        if edit.path not in texts:
            texts[edit.path] = Lines(session.text(edit.path) or "", codec)
        changes.setdefault(uri_of(session.path(edit.path)), []).append(
            types.TextEdit(edit_range(texts[edit.path], edit), edit.text))
    return types.WorkspaceEdit(changes=changes)
