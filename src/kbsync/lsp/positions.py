"""The engine's places (1-based lines, 1-based columns counted in characters) as the
protocol's (0-based, counted in the client's units, UTF-16 unless it says otherwise),
and back; URIs as knowledge-base keys."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition, ServerTextRange

if TYPE_CHECKING:  # the engine loads after the server has started (server.py)
    from kbsync.engine.edits import Edit

__all__ = ["Lines", "edit_range", "line_range", "path_of", "problem_range", "span_range",
           "uri_of"]


class Lines:
    """One text's lines, with the codec that turns its columns into the client's."""

    def __init__(self, text: str, codec: PositionCodec) -> None:
        self.lines: Sequence[str] = text.splitlines(keepends=True) or [""]
        self.codec = codec

    def line(self, number: int) -> str:
        """The text of the 1-based line ``number`` without its end ("" past the end)."""
        if not 1 <= number <= len(self.lines):
            return ""
        return self.lines[number - 1].rstrip("\r\n")

    def range(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        """The client's range for 1-based lines and columns (the end excluded)."""
        server = ServerTextRange(ServerTextPosition(line - 1, column - 1),
                                 ServerTextPosition(end_line - 1, end_column - 1))
        return self.codec.range_to_client_units(self.lines, server)

    def position(self, position: types.Position) -> tuple[int, int]:
        """A client position as a 1-based line and column of this text."""
        server = self.codec.position_from_client_units(self.lines, position)
        return server.line + 1, server.character + 1


def span_range(lines: Lines, line: int, column: int | None, end_column: int | None
               ) -> types.Range:
    """``column``..``end_column`` of ``line``, or the whole line without them."""
    if column is None or end_column is None:
        return line_range(lines, line)
    return lines.range(line, column, line, end_column)


def line_range(lines: Lines, line: int) -> types.Range:
    """The text of the 1-based ``line``, from its first character to its last."""
    text = lines.line(line)
    start = len(text) - len(text.lstrip())
    return lines.range(line, start + 1, line, max(len(text.rstrip()), start) + 1)


def problem_range(lines: Lines, line: int | None, column: int | None,
                  end_column: int | None) -> types.Range:
    """Where a problem is shown: its columns, its line, or the file's first line."""
    return span_range(lines, line or 1, column, end_column)


def edit_range(lines: Lines, edit: Edit) -> types.Range:
    return lines.range(edit.line, edit.column, edit.end_line, edit.end_column)


def uri_of(path: Path) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None, path
    return str(uri)


def path_of(uri: str) -> Path | None:
    """The file a ``file:`` URI names; None for another scheme (an unsaved buffer)."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return None if path is None else Path(path)
