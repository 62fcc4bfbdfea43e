"""The dialect a knowledge base writes: the extensions on and the heading-id scheme."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kbsync.markdown.heading_ids import HeadingIds
from kbsync.markdown.registry import (
    DEFAULT_HEADING_IDS,
    DEFAULT_MARKDOWN,
    EXTENSIONS,
    HEADING_IDS,
    MARKDOWN_EXTENSIONS,
)

__all__ = ["DEFAULT_DIALECT", "Dialect", "dialect_key"]


@dataclass(frozen=True, slots=True)
class Dialect:
    """``[content] markdown`` and ``heading_ids``; the names in canonical order, so that
    two spellings of one dialect are equal (it is part of cache and render keys)."""

    extensions: tuple[str, ...] = DEFAULT_MARKDOWN
    heading_ids: str = DEFAULT_HEADING_IDS

    def __post_init__(self) -> None:
        unknown = set(self.extensions) - set(MARKDOWN_EXTENSIONS)
        if unknown:
            raise ValueError(f"unknown Markdown extension(s): {', '.join(sorted(unknown))}")
        if self.heading_ids not in HEADING_IDS:
            raise ValueError(f"unknown heading_ids scheme: {self.heading_ids}")
        wanted = set(self.extensions)
        object.__setattr__(self, "extensions",
                           tuple(name for name in EXTENSIONS if name in wanted))

    @classmethod
    def of(cls, value: Dialect | Iterable[str]) -> Dialect:
        """A dialect as given, or the extensions named with the default heading ids."""
        return value if isinstance(value, Dialect) else cls(tuple(value))

    def __contains__(self, name: object) -> bool:
        return name in self.extensions

    @property
    def scheme(self) -> HeadingIds:
        return HEADING_IDS[self.heading_ids]

    @property
    def key(self) -> str:
        """The dialect as one stable string, for cache and render keys."""
        ids = "" if self.heading_ids == DEFAULT_HEADING_IDS else f"|ids={self.heading_ids}"
        return ",".join(self.extensions) + ids


def dialect_key(dialect: Dialect | Iterable[str]) -> str:
    return Dialect.of(dialect).key


#: The dialect of a knowledge base whose kbsync.toml says nothing about Markdown.
DEFAULT_DIALECT = Dialect()
