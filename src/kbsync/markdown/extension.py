"""What an extension of the Markdown dialect is: its render rule, its write-back rule and
its checks, in one module under ``kbsync.markdown.ext`` and one line in the registry.

- ``setup`` adds the extension's rules to the markdown-it instance (rendering);
- ``line_rules`` are the line starts the extension reads as syntax: ``pull`` escapes
  text that would begin one, so text stays text;
- ``write`` turns an element the renderer made back into the extension's syntax
  (``pull``), or says None (another rule, or raw HTML, then holds it);
- ``prepare`` sees the whole document before anything is written back (say, to drop
  back-links the syntax makes again);
- ``anchors`` names, per token type, the ids a token of it gives the page (the anchor
  check; looked up by type, so the scan calls nothing for other tokens);
- ``uses`` tells whether a file's Markdown is written in this extension's syntax, so that
  ``pull`` writes a changed block back the way the file had it.

An extension module imports BeautifulSoup (``bs4``) and ``html_tree`` inside its
write-back functions only: rendering and checking, which every ``validate`` does, never
load them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from kbsync.markdown.writer import Writer

__all__ = ["Extension", "WriteRule"]

WriteRule = Callable[["Writer", "Tag", "set[str]"], "str | None"]


@dataclass(frozen=True, slots=True)
class Extension:
    name: str
    reads: str  # what it reads, for --help-like listings and the README
    default: bool  # on without a ``[content] markdown`` key
    setup: Callable[[MarkdownIt], None]
    line_rules: tuple[re.Pattern[str], ...] = ()
    write: WriteRule | None = None
    writes: frozenset[str] = frozenset()  # the element names ``write`` may take
    prepare: Callable[[list[Tag]], None] | None = None
    anchors: tuple[tuple[str, Callable[[Token], Iterable[str]]], ...] = ()
    uses: Callable[[str], bool] | None = None
