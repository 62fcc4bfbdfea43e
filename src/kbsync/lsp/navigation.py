"""Go to definition on a link (the target file, at the heading its anchor names) and find
references (the links to an article, or to the heading under the cursor)."""

from __future__ import annotations

from urllib.parse import unquote

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from kbsync.engine.links import LinkUse
from kbsync.lsp.positions import Lines, uri_of
from kbsync.lsp.session import Session
from kbsync.validate import file_kind

__all__ = ["definition", "references"]


def definition(session: Session, key: str, line: int, column: int) -> types.Location | None:
    links = session.links
    use = links.at(key, line, column)
    if use is None or file_kind(session.root, use.path) not in ("file", "folder"):
        return None
    heading = links.heading(use.path, use.anchor) if use.anchor is not None else None
    at = types.Position(heading.line - 1 if heading is not None else 0, 0)
    return types.Location(uri_of(session.path(use.path)), types.Range(at, at))


def references(session: Session, key: str, line: int, column: int,
               codec: PositionCodec) -> list[types.Location]:
    """The links to what the cursor is on: a link's target (its heading, when it names
    one), a heading of this article, or else the article itself."""
    links = session.links
    use = links.at(key, line, column)
    heading = None if use is not None else links.heading_at(key, line)
    if use is not None:
        target, anchor = use.path, use.anchor
    else:
        target, anchor = key, heading.id if heading is not None else None
    found = [u for u in links.to(target) if anchor is None or _names(u, anchor)]
    texts: dict[str, Lines] = {}
    out = []
    for use in found:
        if use.source not in texts:
            texts[use.source] = Lines(session.text(use.source) or "", codec)
        link = use.link
        lines = texts[use.source]
        start, end = ((link.column, link.target_end + 1) if link.target_column
                      else (1, len(lines.line(link.line)) + 1))
        out.append(types.Location(uri_of(session.path(use.source)),
                                  lines.range(link.line, start, link.line, end)))
    return out


def _names(use: LinkUse, anchor: str) -> bool:
    return use.anchor is not None and use.anchor in (anchor, unquote(anchor))
