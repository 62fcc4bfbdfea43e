"""THE list of the dialect's extensions and heading-id schemes: ``[content] markdown``
and ``[content] heading_ids`` are checked against it, the renderer and ``pull`` take
their rules from it. Adding an extension is one module in ``ext/`` and one line here.
"""

from __future__ import annotations

from kbsync.markdown.ext import (
    admonitions,
    alerts,
    attrs,
    docusaurus,
    footnotes,
    strikethrough,
    tables,
    tasklists,
)
from kbsync.markdown.extension import Extension
from kbsync.markdown.heading_ids import DEFAULT_HEADING_IDS, HEADING_IDS

__all__ = ["DEFAULT_HEADING_IDS", "DEFAULT_MARKDOWN", "EXTENSIONS", "HEADING_IDS",
           "MARKDOWN_EXTENSIONS"]

#: Every extension, in the order its rules are added (and names are listed).
EXTENSIONS: dict[str, Extension] = {extension.name: extension for extension in (
    tables.EXTENSION,
    strikethrough.EXTENSION,
    tasklists.EXTENSION,
    footnotes.EXTENSION,
    attrs.EXTENSION,
    alerts.EXTENSION,
    admonitions.EXTENSION,
    docusaurus.EXTENSION,
)}
MARKDOWN_EXTENSIONS = tuple(EXTENSIONS)
#: What a team gets without the key: all but the admonition syntaxes GitHub does not show.
DEFAULT_MARKDOWN = tuple(name for name, extension in EXTENSIONS.items() if extension.default)
