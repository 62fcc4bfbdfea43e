"""The ids headings get without a written ``{#id}``, under each scheme teams bring.

A link's ``#anchor`` works only when it names the id the renderer gives the heading, and
each tool a knowledge base comes from made its ids its own way: GitHub (and Docusaurus,
which uses github-slugger) drops punctuation, markdown-it-anchor keeps it and
percent-encodes the rest, MkDocs (``toc.slugify``) drops what is not ASCII and numbers
repeats ``_1``, kramdown drops everything before the first letter. ``[content]
heading_ids`` picks one; the renderer, the anchor check and ``pull`` all ask it here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["DEFAULT_HEADING_IDS", "HEADING_IDS", "HeadingIds", "heading_ids"]

_GITHUB_DROPS = re.compile(r"[^\w\- ]")
_MKDOCS_DROPS = re.compile(r"[^\w\s-]")
_MKDOCS_JOINS = re.compile(r"[-\s]+")
_SPACES = re.compile(r"\s+")
_KRAMDOWN_LEAD = re.compile(r"^[^a-zA-Z]+")
_KRAMDOWN_DROPS = re.compile(r"[^a-zA-Z0-9 -]")
#: What JavaScript's ``encodeURIComponent`` leaves as it is.
_URI_COMPONENT_SAFE = "-_.!~*'()"


def _github(text: str) -> str:
    """GitHub's: lowercase, punctuation dropped (not ``-``/``_``), each space a ``-``."""
    return _GITHUB_DROPS.sub("", text.strip().lower()).replace(" ", "-")


def _markdown_it_anchor(text: str) -> str:
    """markdown-it-anchor's default ``slugify``: whitespace runs to ``-``, lowercase,
    then ``encodeURIComponent`` (punctuation such as ``(`` kept, the rest %-encoded)."""
    return quote(_SPACES.sub("-", text.strip().lower()), safe=_URI_COMPONENT_SAFE)


def _mkdocs(text: str) -> str:
    """Python-Markdown's ``toc.slugify`` (MkDocs): ASCII only, punctuation dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _MKDOCS_JOINS.sub("-", _MKDOCS_DROPS.sub("", ascii_text).strip().lower())


def _kramdown(text: str) -> str:
    """kramdown's ``auto_ids``: from the first ASCII letter on, letters, digits, spaces
    and dashes, spaces as dashes, lowercase; ``section`` when nothing is left."""
    kept = _KRAMDOWN_DROPS.sub("", _KRAMDOWN_LEAD.sub("", text.strip()))
    return kept.replace(" ", "-").lower() or "section"


@dataclass(frozen=True, slots=True)
class HeadingIds:
    """One scheme: how a heading's text becomes its id, and how a repeat is numbered."""

    name: str
    slug: Callable[[str], str] | None  # None: headings get no automatic id
    separator: str = "-"  # a repeat is ``slug + separator + N``

    def unique(self, slug: str, taken: set[str]) -> str:
        """``slug``, numbered past the ``taken`` ids (which it joins)."""
        candidate, number = slug, 0
        while candidate in taken:
            number += 1
            candidate = f"{slug}{self.separator}{number}"
        taken.add(candidate)
        return candidate

    def is_numbered(self, heading_id: str, slug: str) -> bool:
        """Whether ``heading_id`` is ``slug`` numbered as a repeat."""
        head, sep, number = heading_id.rpartition(self.separator)
        return bool(sep) and head == slug and number.isdigit() and number[0] != "0"

    def ids(self, texts: list[str], written: list[str | None]) -> list[str | None]:
        """The id each heading gets: a written one as written; else its slug, numbered
        past every id before it and every written one (GitHub's and markdown-it-anchor's
        rule; kbsync applies it to all schemes)."""
        if self.slug is None:
            return list(written)
        taken = {w for w in written if w}
        return [w if w else self.unique(self.slug(text), taken)
                for text, w in zip(texts, written, strict=True)]


HEADING_IDS: dict[str, HeadingIds] = {scheme.name: scheme for scheme in (
    HeadingIds("github", _github),
    HeadingIds("markdown-it-anchor", _markdown_it_anchor),
    HeadingIds("mkdocs", _mkdocs, separator="_"),
    HeadingIds("kramdown", _kramdown),
    HeadingIds("none", None),
)}
DEFAULT_HEADING_IDS = "github"


def heading_ids(name: str = DEFAULT_HEADING_IDS) -> HeadingIds:
    return HEADING_IDS[name]
