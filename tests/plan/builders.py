"""Small builders for the core's types: a desired state, an actual state, a lock.

The core is pure, so its tests build its inputs directly: no files, no emulator.
"""

from __future__ import annotations

import posixpath
from typing import Any

from kbsync.fingerprint import fields_fingerprint
from kbsync.model import (
    ActualState,
    ArticleFields,
    CollectionFields,
    DesiredState,
    LocalArticle,
    LocalCollection,
    Lock,
    LockEntry,
    Organization,
    RemoteArticle,
    RemoteCollection,
    RenderedBody,
)

ORG = Organization(1, "acme", "Acme")
HOST = "https://help.example"


def collection(key: str, slug: str | None = None, **kw: Any) -> LocalCollection:
    parent = posixpath.dirname(key) or None
    values: dict[str, Any] = {"key": key, "slug": slug or posixpath.basename(key),
                              "name": posixpath.basename(key).title(), "description": None,
                              "position": 0, "parent_key": parent,
                              "depth": key.count("/") + 1, "source": key}
    values.update(kw)
    return LocalCollection(**values)


def article(key: str, slug: str | None = None, **kw: Any) -> LocalArticle:
    stem = posixpath.basename(key)[:-3]
    values: dict[str, Any] = {"key": key, "slug": slug or stem, "title": stem.title(),
                              "excerpt": None, "status": "published", "position": 0,
                              "collection_key": posixpath.dirname(key) or None,
                              "body": f"About {stem}.", "body_line": 4,
                              "source_hash": f"blob-{key}"}
    values.update(kw)
    return LocalArticle(**values)


def body(text: str) -> RenderedBody:
    return RenderedBody(f"<p>{text}</p>", text)


def desired(*items: LocalArticle | LocalCollection, bodies: dict[str, RenderedBody] | None = None,
            links: dict[str, tuple[str, ...]] | None = None,
            portal: dict[str, Any] | None = None) -> DesiredState:
    articles = tuple(sorted((i for i in items if isinstance(i, LocalArticle)),
                            key=lambda a: a.key))
    collections = tuple(i for i in items if isinstance(i, LocalCollection))
    rendered = {a.key: body(a.body) for a in articles}
    rendered.update(bodies or {})
    return DesiredState(collections=collections, articles=articles, portal=portal,
                        bodies=rendered, links=links or {}, render_key="1|")


def remote_collection(remote_id: int, slug: str, parent_id: int | None = None,
                      **kw: Any) -> RemoteCollection:
    values: dict[str, Any] = {"name": slug.title(), "slug": slug, "parent_id": parent_id}
    values.update(kw)
    return RemoteCollection(remote_id, CollectionFields(**values), updated_at="t0")


def remote_article(remote_id: int, slug: str, collection_id: int | None = None,
                   collection_slug: str = "", **kw: Any) -> RemoteArticle:
    values: dict[str, Any] = {"title": slug.title(), "slug": slug, "status": "published",
                              "collection_id": collection_id,
                              "content_html": f"<p>About {slug}.</p>",
                              "content": f"About {slug}."}
    values.update(kw)
    url = f"{HOST}/{collection_slug + '/' if collection_slug else ''}{slug}-{remote_id}"
    return RemoteArticle(remote_id, ArticleFields(**values), url=url, updated_at="t0")


def actual(*items: RemoteArticle | RemoteCollection) -> ActualState:
    return ActualState(
        ORG,
        collections={i.id: i for i in items if isinstance(i, RemoteCollection)},
        articles={i.id: i for i in items if isinstance(i, RemoteArticle)},
    )


def synced(lock: Lock, item: RemoteArticle | RemoteCollection, path: str,
           slug: str | None = None, local: str | None = None) -> Lock:
    """Record ``item`` in the lock as synced from ``path`` (under ``slug``)."""
    section = "articles" if isinstance(item, RemoteArticle) else "collections"
    lock.put(section, slug or item.fields.slug, LockEntry(
        item.id, path, fields_fingerprint(item.fields), item.updated_at,
        local if local is not None else (f"blob-{path}" if section == "articles" else None)))
    return lock
