"""What a check of the files hands on: :class:`Checked` (everything read, with every
problem) and :class:`LocalState` (a tree that passed, ready to become a desired state).

Plain records: the workspace makes them, commands and front ends read them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kbsync.assets.home import AssetHome
from kbsync.local.tree import LocalTree
from kbsync.markdown import (
    RENDER_VERSION,
    ArticleKeys,
    Link,
    MarkdownRenderer,
    ParsedBody,
    renderer_for,
    resolve_relative,
)
from kbsync.model import DesiredState, LocalAsset, RenderedBody
from kbsync.plan.links import fill_assets
from kbsync.problems import Problem

__all__ = ["Checked", "LocalState", "linked_paths"]


@dataclass(frozen=True)
class Checked:
    """Everything local, read and checked; ``problems`` holds errors and warnings."""

    tree: LocalTree
    parsed: Mapping[str, ParsedBody]
    portal: Mapping[str, Any] | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


@dataclass(frozen=True)
class LocalState:
    """A tree that passed the checks (a :class:`Checked` without a blocking error),
    ready to become a desired state."""

    checked: Checked
    assets: AssetHome = field(default_factory=AssetHome)  # where readers load local files
    renderer: MarkdownRenderer = field(default_factory=renderer_for, repr=False)
    #: the linked files published to a store, read and hashed (publish mode only)
    published: Mapping[str, LocalAsset] = field(default_factory=dict)

    @property
    def tree(self) -> LocalTree:
        return self.checked.tree

    @property
    def parsed(self) -> Mapping[str, ParsedBody]:
        return self.checked.parsed

    @property
    def portal(self) -> Mapping[str, Any] | None:
        return self.checked.portal

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """What the check found that does not block (under ``identity_only``, errors
        too): the caller shows them."""
        return self.checked.problems

    @property
    def render_key(self) -> str:
        """What, besides a file's bytes, shapes its HTML: a change re-renders every body.
        (A published file's new bytes change only the bodies that show it: see
        ``DesiredState.asset_urls``.)"""
        return f"{RENDER_VERSION}|{self.assets.key}|{self.renderer.dialect.key}"

    @functools.cached_property
    def article_keys(self) -> ArticleKeys:
        """The articles, found by links in either Unicode normal form."""
        return ArticleKeys(a.key for a in self.tree.articles)

    def desired(self) -> DesiredState:
        """The desired state, no body rendered yet (``with_bodies`` adds them)."""
        return DesiredState(collections=self.tree.collections, articles=self.tree.articles,
                            portal=self.portal,
                            links={a.key: self.link_targets(a.key) for a in self.tree.articles},
                            render_key=self.render_key, assets=self.published,
                            asset_urls={a.key: self.asset_urls(a.key) for a in self.tree.articles
                                        if self.published})

    def filled(self, bodies: Mapping[str, RenderedBody]) -> dict[str, RenderedBody]:
        """Rendered bodies with their files where readers load them (:attr:`assets`)."""
        return {key: fill_assets(body, self.assets.url, key) for key, body in bodies.items()}

    def asset_urls(self, key: str) -> tuple[str, ...]:
        """The published URLs this body holds (its links to files in the store)."""
        return tuple(url for link, path in linked_paths(key, self.parsed[key])
                     if (link.is_image or not path.endswith(".md"))
                     and (url := self.assets.url(path)) is not None)

    def linked_files(self) -> Iterator[tuple[str, str]]:
        """(article key, root-relative path) of each file (not article) a body shows."""
        for article in self.tree.articles:
            for link, path in linked_paths(article.key, self.parsed[article.key]):
                if link.is_image or not path.endswith(".md"):
                    yield article.key, path

    def link_targets(self, key: str) -> tuple[str, ...]:
        """The articles this body links to (root-relative keys), without rendering it."""
        return tuple(self.article_keys.find(path) for link, path in
                     linked_paths(key, self.parsed[key])
                     if not link.is_image and path.endswith(".md"))


def linked_paths(key: str, parsed: ParsedBody) -> Iterator[tuple[Link, str]]:
    """Each relative link and image of the body at ``key``, with the root-relative path
    it points at (links to other sites and to the page itself left out)."""
    for link in parsed.links:
        resolved = resolve_relative(key, link.target)
        if resolved is not None:
            yield link, resolved[0]
