"""The Help Center's side of the domain: what initdesk holds, in kbsync's own names.

``remote/wire.py`` is the only place that knows how these are spelled on the wire;
everything else (plan, apply, pull, coverage) speaks in these types. Nothing here does
I/O. A default here is also what a field missing from a Help Center's answer reads as.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["draft", "published"]
STATUSES: tuple[Status, ...] = ("draft", "published")

#: The fields of an article that kbsync manages, in the order plans show them.
ARTICLE_FIELDS = (
    "title",
    "slug",
    "excerpt",
    "status",
    "collection_id",
    "position",
    "content_html",
    "content",
)
#: The fields of a collection that kbsync manages.
COLLECTION_FIELDS = ("name", "slug", "description", "parent_id", "position")
#: The portal settings kbsync manages (all writable portal fields).
PORTAL_FIELDS = (
    "name",
    "custom_domain",
    "meta_description",
    "allow_robots",
    "primary_color",
    "is_active",
    "enable_ticket_creation_form",
)


@dataclass(frozen=True, slots=True)
class Organization:
    id: int
    public_id: str = ""
    name: str = ""
    site_url: str | None = None


@dataclass(frozen=True, slots=True)
class PortalSettings:
    """The writable portal settings; ``None`` means 'not set' where the field allows it."""

    name: str
    custom_domain: str | None = None
    meta_description: str | None = None
    allow_robots: bool = True
    primary_color: str = "#4F46E5"
    is_active: bool = True
    enable_ticket_creation_form: bool = True


@dataclass(frozen=True, slots=True)
class Portal:
    settings: PortalSettings
    id: int = 0  # kbsync never needs it: a portal is one per organization
    updated_at: str | None = None


@dataclass(frozen=True, slots=True)
class CollectionFields:
    """What kbsync writes for a collection (create / full update)."""

    name: str
    slug: str
    description: str | None = None
    parent_id: int | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class RemoteCollection:
    id: int
    fields: CollectionFields
    updated_at: str | None = None
    article_count: int | None = None
    children: tuple[RemoteCollection, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleFields:
    """What kbsync writes for an article (create / full update)."""

    title: str
    slug: str
    excerpt: str | None = None
    status: Status = "draft"
    collection_id: int | None = None
    position: int = 0
    content_html: str = ""
    content: str = ""


@dataclass(frozen=True, slots=True)
class RemoteArticle:
    id: int
    fields: ArticleFields
    url: str | None = None
    published_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: RemoteArticle
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Ticket:
    """A customer ticket, read only for coverage questions."""

    id: int
    subject: str = ""
    description: str = ""
    description_html: str = ""
    public_id: int | str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    language: str | None = None
    created_at: str | None = None
    is_spam: bool = False
