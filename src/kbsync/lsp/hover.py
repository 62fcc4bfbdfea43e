"""Hover: on a link, the target's title, collections, status (a warning for a draft)
and excerpt, and the heading its anchor names; on a front-matter key, what it means and
its default (the schema's text, the README's)."""

from __future__ import annotations

from lsprotocol import types

from kbsync.engine.links import LinkUse
from kbsync.lsp.describe import key_documentation, place
from kbsync.lsp.positions import Lines
from kbsync.lsp.session import Session
from kbsync.lsp.source import front_matter_lines, key_at
from kbsync.problems import escaped
from kbsync.validate import file_kind

__all__ = ["hover"]


def hover(session: Session, key: str, lines: Lines, line: int,
          column: int) -> types.Hover | None:
    front = front_matter_lines([lines.line(n) for n in range(1, len(lines.lines) + 1)])
    if front is not None and front[0] <= line <= front[1]:
        name = key_at(lines.line(line), column)
        if name is None:
            return None
        return _markdown(key_documentation(name, session.config.content.extra_keys))
    use = session.links.at(key, line, column)
    if use is None:
        return None
    link = use.link
    shown = (lines.range(line, link.column, line, link.target_end + 1)
             if link.target_column else None)
    return _markdown(link_summary(session, use), shown)


def link_summary(session: Session, use: LinkUse) -> str:
    """What a reader following the link finds, in Markdown."""
    article = session.links.article(use.path)
    if article is None:
        kind = file_kind(session.root, use.path)
        what = {"file": "File", "folder": "Folder"}.get(kind, "No such file")
        return f"{what}: `{escaped(use.path)}`"
    parts = [f"**{escaped(article.title)}**", f"{place(session, article)} · `{article.key}`"]
    if article.status == "draft":
        parts.append("⚠ **Draft**: readers cannot open it; publish it (`status: published`) "
                     "or remove the link.")
    if article.excerpt:
        parts.append(escaped(article.excerpt))
    if use.anchor is not None:
        heading = session.links.heading(article.key, use.anchor)
        parts.append(f"`#{use.anchor}`: " + (
            f"{'#' * heading.level} {escaped(heading.text)} (line {heading.line})"
            if heading is not None else "no heading with this id"))
    return "\n\n".join(parts)


def _markdown(text: str, where: types.Range | None = None) -> types.Hover:
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text), where)
