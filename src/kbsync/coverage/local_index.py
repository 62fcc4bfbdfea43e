"""The Help Center's article search over the local articles, before anything is applied.

``coverage --local`` and the live preview's search box both ask "what would initdesk's
article search answer once these files are applied?". Rather than a second search
engine that would rank differently, the rendered articles go into the emulator's search
core (its SQLite FTS5 store: bm25, the same field weights) in a throwaway in-memory
database, and are searched there with the store's own call. No HTTP, no server, no
client: the articles go in and the hits come out in the wire's shape, read by the same
``remote.wire`` functions that read the real Help Center's answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from kbsync.emulator.store import Store
from kbsync.model import ArticleFields, CollectionFields, SearchHit
from kbsync.remote import wire

__all__ = ["LocalIndex"]


class LocalIndex:
    """A private, in-memory Help Center that articles are put into and searched in.

    Collections and articles are addressed by their local key (folder or file path);
    the remote ids the store hands out never leave this object.
    """

    def __init__(self) -> None:
        self._store = Store(":memory:")
        self._collections: dict[str, int] = {}
        self._articles: dict[str, int] = {}
        self._keys: dict[int, str] = {}
        self._slugs: dict[str, int] = {}  # slug in the store -> article id
        self._slug_of: dict[int, str] = {}

    def __enter__(self) -> LocalIndex:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

    def put_collection(self, key: str, fields: CollectionFields,
                       parent_key: str | None = None) -> None:
        """Add (or replace) the collection at ``key``; parents before children."""
        parent_id = self._collections.get(parent_key) if parent_key else None
        body = wire.COLLECTION.body(replace(fields, parent_id=parent_id))
        existing = self._collections.get(key)
        if existing is None:
            created = self._store.create_collection(body)
            self._collections[key] = int(created["id"])
        else:
            self._store.update_collection(existing, body, partial=False)

    def put_article(self, key: str, fields: ArticleFields,
                    collection_key: str | None = None) -> None:
        """Add (or replace) the article at ``key``, in the collection at ``collection_key``.

        The slug need not be unique here (a preview shows a tree that may still have
        errors), so it is made unique with the key when another article holds it.
        """
        collection_id = self._collections.get(collection_key) if collection_key else None
        fields = replace(fields, collection_id=collection_id)
        existing = self._articles.get(key)
        fields = self._unique_slug(fields, existing)
        if existing is None:
            created = self._store.create_article(wire.ARTICLE.body(fields))
            existing = self._articles[key] = int(created["id"])
            self._keys[existing] = key
        else:
            self._store.update_article(existing, wire.ARTICLE.body(fields),
                                           partial=False)
        self._forget_slug(existing)
        self._slugs[fields.slug] = existing
        self._slug_of[existing] = fields.slug

    def remove_article(self, key: str) -> None:
        article_id = self._articles.pop(key, None)
        if article_id is not None:
            self._keys.pop(article_id, None)
            self._forget_slug(article_id)
            self._store.delete_article(article_id)

    def search(self, query: str, *, limit: int = 10,
               status: str = "published") -> list[tuple[str, SearchHit]]:
        """The best ``limit`` articles of ``status`` for ``query``: (local key, hit), best
        first."""
        if limit <= 0:
            return []
        _, found = self._store.search_articles(query, status=status, limit=limit)
        hits = [wire.search_hit_from_wire(item) for item in found]
        return [(self._keys[hit.article.id], hit) for hit in hits
                if hit.article.id in self._keys]

    def replica(self) -> LocalIndex:
        """A copy of the index as it is now, to search from another thread (later puts
        and removals do not reach it; only ``search`` is meant to be asked of it)."""
        copy = LocalIndex()
        self._store.copy_into(copy._store)
        copy._keys = dict(self._keys)  # the same rows, so the same ids
        return copy

    @property
    def article_keys(self) -> Iterable[str]:
        return self._articles.keys()

    def _unique_slug(self, fields: ArticleFields, own_id: int | None) -> ArticleFields:
        holder = self._slugs.get(fields.slug)
        if holder is None or holder == own_id:
            return fields
        suffix = 2
        while self._slugs.get(f"{fields.slug}-{suffix}") not in (None, own_id):
            suffix += 1
        return replace(fields, slug=f"{fields.slug}-{suffix}")

    def _forget_slug(self, article_id: int) -> None:
        slug = self._slug_of.pop(article_id, None)
        if slug is not None and self._slugs.get(slug) == article_id:
            del self._slugs[slug]
