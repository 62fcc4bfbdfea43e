"""The files' side of the domain: what a knowledge-base folder says it wants.

A folder is a :class:`LocalCollection`, a ``.md`` file a :class:`LocalArticle`. Both are
what ``local.tree`` read, with defaults in place of bad values (the problems are reported
separately), so a tree with errors can still be previewed. ``lines`` maps each key of the
front matter (or ``_collection.yaml``) to its file line, for problems found later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kbsync.model.remote import Status


@dataclass(frozen=True, slots=True)
class LocalCollection:
    """One folder with articles somewhere below it."""

    key: str  # folder path relative to root, POSIX
    slug: str
    name: str
    description: str | None
    position: int
    parent_key: str | None  # None at top level
    depth: int  # 1..n; over 3 is a problem, but the collection is still listed
    source: str  # the _collection.yaml path if present, else the folder key
    lines: Mapping[str, int] = field(default_factory=dict, hash=False, compare=False)
    explicit_position: bool = False  # ``position:`` is written, not the folder's index
    index: int = 0  # place among its sibling folders by name: the default position


@dataclass(frozen=True, slots=True)
class LocalArticle:
    """One ``.md`` file.

    ``status`` defaults to ``published``: a file in the repository is meant to be live;
    ``status: draft`` keeps it hidden. ``title`` falls back to the file name humanised
    when missing (that is also an error), so a preview still has something to show.
    """

    key: str  # file path relative to root, POSIX
    slug: str
    title: str
    excerpt: str | None
    status: Status
    position: int
    collection_key: str | None  # None for files at the root
    body: str  # front matter and a title H1 removed, LF line endings
    body_line: int  # 1-based line of the file where ``body`` starts
    source_hash: str  # git blob sha1 of the raw bytes
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    lines: Mapping[str, int] = field(default_factory=dict, hash=False, compare=False)
    explicit_position: bool = False  # ``position:`` is written, not the file's index
    index: int = 0  # place among its sibling files by name: the default position


class KeyedItems:
    """Articles and collections found by key: what a read tree and a desired state both
    answer. A base for frozen dataclasses that declare the four fields below (the two
    dicts with ``init=False``); it fills the dicts once, after init."""

    __slots__ = ()
    articles: tuple[LocalArticle, ...]
    collections: tuple[LocalCollection, ...]
    _articles: dict[str, LocalArticle]
    _collections: dict[str, LocalCollection]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_articles", {a.key: a for a in self.articles})
        object.__setattr__(self, "_collections", {c.key: c for c in self.collections})

    def article(self, key: str) -> LocalArticle | None:
        return self._articles.get(key)

    def collection(self, key: str) -> LocalCollection | None:
        return self._collections.get(key)

