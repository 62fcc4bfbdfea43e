"""The two states a plan compares: what the files want and what the Help Center has.

``DesiredState`` is built by the engine from the files, with each article body already
rendered to HTML (links to other articles as placeholders the plan fills in), so the
core never reads a file or renders Markdown. ``ActualState`` is what ``remote.actual``
read from the Help Center, by remote id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kbsync.model.assets import LocalAsset
from kbsync.model.local import KeyedItems, LocalArticle, LocalCollection
from kbsync.model.remote import Organization, Portal, RemoteArticle, RemoteCollection


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """An article body as initdesk stores it: HTML, and its plain-text twin."""

    html: str
    text: str


@dataclass(frozen=True, slots=True)
class RemoteRef:
    """Which Help Center something was made against: a plan, a lock."""

    base_url: str
    organization_id: int


@dataclass(frozen=True)
class DesiredState(KeyedItems):
    """The Help Center as the files describe it.

    ``bodies`` holds the rendered body of each article that needed rendering (links to
    other articles as placeholders); an article missing from it was found unchanged
    since the last sync, so its remote body stands (see ``plan.planner.bodies_needed``).
    ``links`` lists, per article, the articles its body links to; ``render_key`` names
    everything besides a file's bytes that shapes its HTML. ``assets`` are the files
    the articles link to that are published to a store (by path), and ``asset_urls``
    the published URLs each article's body holds: a body whose file is unchanged but
    whose image changed is rendered again (its URL did).
    """

    collections: tuple[LocalCollection, ...] = ()  # parents before children
    articles: tuple[LocalArticle, ...] = ()  # by key
    portal: Mapping[str, Any] | None = None  # the settings portal.yaml sets (only those)
    bodies: Mapping[str, RenderedBody] = field(default_factory=dict)
    links: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    render_key: str = ""
    assets: Mapping[str, LocalAsset] = field(default_factory=dict)
    asset_urls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _articles: dict[str, LocalArticle] = field(init=False, repr=False, compare=False)
    _collections: dict[str, LocalCollection] = field(init=False, repr=False, compare=False)

    def with_bodies(self, bodies: Mapping[str, RenderedBody]) -> DesiredState:
        return replace(self, bodies={**self.bodies, **bodies})


@dataclass(frozen=True)
class ActualState:
    """What the Help Center holds now, by remote id."""

    organization: Organization
    collections: dict[int, RemoteCollection] = field(default_factory=dict)
    articles: dict[int, RemoteArticle] = field(default_factory=dict)
    portal: Portal | None = None

    def collection_by_slug(self) -> dict[str, RemoteCollection]:
        return {c.fields.slug: c for c in self.collections.values()}

    def article_by_slug(self) -> dict[str, RemoteArticle]:
        return {a.fields.slug: a for a in self.articles.values()}
