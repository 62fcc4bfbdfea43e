"""Where a relative link in an article leads, and which article a path names."""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote, unquote

from kbsync.plan.links import placeholder

__all__ = ["ArticleKeys", "encoded_link_path", "resolve_relative", "template_resolver"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def template_resolver(target_key: str) -> str:
    """Every article link as a placeholder: what the plan fills with public URLs."""
    return placeholder(target_key)



@functools.lru_cache(maxsize=8192)
def resolve_relative(article_key: str, href: str) -> tuple[str, str | None] | None:
    """A relative href in ``article_key`` -> (root-relative target path, fragment or None).

    None for external (``https:``, ``mailto:``...), scheme-relative and absolute links,
    which are not ours to check. ``#frag`` alone targets the article itself. A target that
    climbs out of the root starts with ``..``; the caller decides what that means. A ``#``
    or ``?`` that is part of a file name is written ``%23`` / ``%3F`` in the link (the
    path is split before it is decoded), a space ``%20`` or inside ``<...>``.

    Remembered: a check asks it for each link three or four times (is it broken, is it a
    private file, does it need assets_base_url, is it a draft), the plan once more.
    """
    if not href or _SCHEME.match(href) or href.startswith(("/", "\\")):
        return None
    path, _, fragment = href.partition("#")
    path = path.partition("?")[0]
    anchor = unquote(fragment) or None
    if not path:
        return article_key, anchor
    joined = posixpath.join(posixpath.dirname(article_key), unquote(path))
    return posixpath.normpath(joined), anchor


class ArticleKeys:
    """The articles' keys, found from a link in either Unicode normal form.

    A key is the path as the file system stores it, and macOS (or a copy from it) may
    store ``ü`` decomposed (NFD) while a link typed elsewhere has it composed (NFC), or
    the reverse. Both name the same file to a reader, so both find it here. Only the
    keys that are not NFC are stored (usually none): the object travels to worker
    processes with every batch.
    """

    __slots__ = ("_aliases", "_odd")

    def __init__(self, keys: Iterable[str] = ()) -> None:
        keys = set(keys)
        self._odd = frozenset(k for k in keys if not unicodedata.is_normalized("NFC", k))
        aliases: dict[str, str] = {}
        for key in sorted(self._odd):
            composed = unicodedata.normalize("NFC", key)
            if composed not in keys:
                aliases.setdefault(composed, key)
        self._aliases = aliases

    def find(self, path: str) -> str:
        """The key ``path`` names (``path`` itself when it names none)."""
        if path.isascii() or path in self._odd:
            return path
        composed = unicodedata.normalize("NFC", path)
        return self._aliases.get(composed, composed)

    def __eq__(self, other: object) -> bool:
        """Two find the same keys for every link (what a kept rendering relies on)."""
        if not isinstance(other, ArticleKeys):
            return NotImplemented
        return (self._odd, self._aliases) == (other._odd, other._aliases)

    def __hash__(self) -> int:
        return hash((self._odd, frozenset(self._aliases.items())))

    def __getstate__(self) -> tuple[frozenset[str], dict[str, str]]:
        return self._odd, self._aliases

    def __setstate__(self, state: tuple[frozenset[str], dict[str, str]]) -> None:
        self._odd, self._aliases = state


def encoded_link_path(path: str) -> str:
    """``path`` percent-encoded for a Markdown link: ASCII punctuation and white space
    (a ``#`` or ``?`` in a name must be), letters of any script kept readable. How
    conversion writes a link and how a move rewrites one, so a moved link keeps its
    style."""
    return "".join(ch if not ch.isascii() and ch.isprintable() and not ch.isspace()
                   else quote(ch, safe="/") for ch in path)
