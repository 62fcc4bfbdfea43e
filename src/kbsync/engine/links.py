"""What links where in a checked tree: the link under a cursor, the links to a file,
the headings of an article and the collections above it.

An editor asks it (hover, go to definition, find references, rename), and so could any
front end: it reads the parses a check kept, and resolves a link exactly as validate,
the renderer and the plan do (``resolve_relative``, either Unicode form of a name), so
"this link goes there" means the same everywhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import unquote

from kbsync.engine.local import Checked, linked_paths
from kbsync.local.tree import LocalArticle
from kbsync.markdown import ArticleKeys, Heading, Link

__all__ = ["LinkUse", "Links"]


@dataclass(frozen=True, slots=True)
class LinkUse:
    """One relative link or image of an article, and the root-relative path it leads to
    (an article's key when it names one in either Unicode form)."""

    source: str
    link: Link
    path: str
    anchor: str | None

    def covers(self, line: int, column: int) -> bool:
        """Whether the cursor (1-based) is on the link: from its ``[`` to the ``)`` just
        after its destination."""
        link = self.link
        return (line == link.line and bool(link.target_column)
                and link.column <= column <= link.target_end)


class Links:
    """The links of one check (:class:`Checked`), looked up by source, place and target."""

    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self._keys = ArticleKeys(a.key for a in checked.tree.articles)
        self._of: dict[str, tuple[LinkUse, ...]] = {}

    def of(self, key: str) -> tuple[LinkUse, ...]:
        """The relative links and images of the article at ``key``, in order."""
        found = self._of.get(key)
        if found is None:
            parsed = self.checked.parsed.get(key)
            found = () if parsed is None else tuple(
                LinkUse(key, link, self._article(link, path), _anchor(link))
                for link, path in linked_paths(key, parsed))
            self._of[key] = found
        return found

    def at(self, key: str, line: int, column: int) -> LinkUse | None:
        """The link of ``key`` under the cursor (1-based line and column); on a line with
        one link whose place the parse could not find (a reference link), that one."""
        on_line = [use for use in self.of(key) if use.link.line == line]
        found = next((use for use in on_line if use.covers(line, column)), None)
        if found is None and len(on_line) == 1 and not on_line[0].link.target_column:
            return on_line[0]
        return found

    def to(self, path: str) -> tuple[LinkUse, ...]:
        """Every link to the file at ``path`` (its headings included), from any article."""
        return self._targets.get(path, ())

    def under(self, folder: str) -> tuple[LinkUse, ...]:
        """Every link to a file in ``folder`` or below it."""
        prefix = folder.rstrip("/") + "/"
        return tuple(use for path, uses in self._targets.items() if path.startswith(prefix)
                     for use in uses)

    @functools.cached_property
    def _targets(self) -> dict[str, tuple[LinkUse, ...]]:
        found: dict[str, list[LinkUse]] = {}
        for article in self.checked.tree.articles:
            for use in self.of(article.key):
                found.setdefault(use.path, []).append(use)
        return {path: tuple(uses) for path, uses in found.items()}

    def outline(self, key: str) -> tuple[Heading, ...]:
        parsed = self.checked.parsed.get(key)
        return () if parsed is None else parsed.outline

    def heading(self, key: str, anchor: str) -> Heading | None:
        """The heading of ``key`` whose id is ``anchor`` (as written or %-decoded)."""
        return next((h for h in self.outline(key) if h.id is not None and anchor in
                     (h.id, unquote(h.id))), None)

    def heading_at(self, key: str, line: int) -> Heading | None:
        return next((h for h in self.outline(key) if h.line == line), None)

    def article(self, path: str) -> LocalArticle | None:
        return self.checked.tree.article(path)

    def collections_of(self, key: str) -> list[str]:
        """The names of the collections the article at ``key`` is in, the top one first."""
        tree = self.checked.tree
        article = tree.article(key)
        names: list[str] = []
        collection_key = article.collection_key if article is not None else None
        while collection_key is not None:
            collection = tree.collection(collection_key)
            if collection is None:
                break
            names.append(collection.name)
            collection_key = collection.parent_key
        return names[::-1]

    def find(self, path: str) -> str:
        """The article key ``path`` names (either Unicode form), else ``path``."""
        return self._keys.find(path)

    def _article(self, link: Link, path: str) -> str:
        return self._keys.find(path) if path.endswith(".md") and not link.is_image else path


def _anchor(link: Link) -> str | None:
    fragment = link.target.partition("#")[2]
    return unquote(fragment) if fragment else None
