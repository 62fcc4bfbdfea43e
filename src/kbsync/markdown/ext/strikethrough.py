"""``strikethrough``: ``~~gone~~``. Written back by the emphasis rule (``~~`` where the
delimiters fit, ``<del>`` otherwise), which asks whether this extension is on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kbsync.markdown.extension import Extension

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


def _setup(md: MarkdownIt) -> None:
    md.enable("strikethrough")


EXTENSION = Extension("strikethrough", "`~~gone~~`", True, _setup)
