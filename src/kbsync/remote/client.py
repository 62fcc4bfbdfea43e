"""HelpCenterClient: the operations of the initdesk Help Center, one method per action.

Each operation says what to send and what it reads back (the names are ``wire.py``'s,
through its tables); how a request travels (paging, pacing, retries, error mapping) is
:class:`~kbsync.remote.transport.Transport`'s business, over the ``httpx.Client`` it is
given. Operations name the remote object they act on, so every error message does too.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

import httpx

from kbsync.config import Secret
from kbsync.errors import NotFoundError, RemoteError
from kbsync.model import (
    ArticleFields,
    CollectionFields,
    Organization,
    Portal,
    PortalSettings,
    RemoteArticle,
    RemoteCollection,
    SearchHit,
    Ticket,
)
from kbsync.remote import wire
from kbsync.remote.budget import RequestBudget
from kbsync.remote.transport import (
    GONE_HINT,
    ORGANIZATION_HINT,
    Call,
    RequestObserver,
    Transport,
    WaitObserver,
    convert,
    convert_page,
)

__all__ = ["HelpCenterClient", "RequestObserver", "WaitObserver"]

T = TypeVar("T")
#: Answers to OPTIONS that mean "not answered here", for doctor.
_NO_OPTIONS = frozenset({404, 405, 501})


class HelpCenterClient:
    """Typed operations of the Help Center of ``organization_id``, over a transport made
    of ``http`` and ``options``: the keyword arguments of :class:`Transport` (pacing,
    retries, observers), checked by its signature."""

    def __init__(self, http: httpx.Client, *, organization_id: int, token: Secret | None,
                 **options: Any) -> None:
        self.organization_id = organization_id
        self.transport = Transport(http, organization_id=organization_id, token=token,
                                   **options)
        self._collections = _Objects(self.transport, organization_id, wire.COLLECTION,
                                     wire.collection_from_wire)
        self._articles = _Objects(self.transport, organization_id, wire.ARTICLE,
                                  wire.article_from_wire)

    @property
    def request_count(self) -> int:
        """Requests sent so far, every attempt counted."""
        return self.transport.request_count

    @property
    def budget(self) -> RequestBudget:
        return self.transport.budget

    def observe(self, *, on_request: RequestObserver | None = None,
                on_wait: WaitObserver | None = None) -> None:
        """Attach more observers (see :meth:`Transport.observe`)."""
        self.transport.observe(on_request=on_request, on_wait=on_wait)

    def __repr__(self) -> str:
        return (f"HelpCenterClient({self.transport.describe()}, "
                f"organization_id={self.organization_id})")

    # --- organization and portal ------------------------------------------------------

    def organization(self) -> Organization:
        """The organization the token belongs to: the cheap auth and tenant check."""
        org = self.organization_id
        data = self.transport.json(Call("GET", wire.ORGANIZATION.at(org), f"organization {org}",
                                        missing=ORGANIZATION_HINT))
        return convert(wire.organization_from_wire, data)

    def get_portal(self) -> Portal:
        return self._portal("GET")

    def put_portal(self, settings: PortalSettings) -> Portal:
        return self._portal("PUT", wire.PORTAL.body(settings))

    def patch_portal(self, changes: Mapping[str, Any]) -> Portal:
        return self._portal("PATCH", wire.PORTAL.body(changes))

    def _portal(self, method: str, body: Any = None) -> Portal:
        call = Call(method, wire.PORTAL.at(self.organization_id), "portal", body=body)
        return convert(wire.portal_from_wire, self.transport.json(call))

    # --- collections --------------------------------------------------------------------

    def list_collections(self, parent_id: int | None = None) -> list[RemoteCollection]:
        """Every collection (or the children of ``parent_id``), all pages read."""
        params = wire.list_params(parent_id=parent_id)
        return [convert(wire.collection_from_wire, item) for item in
                self.transport.iter_items(wire.COLLECTION.at(self.organization_id), params,
                                          "collections")]

    def collection_tree(self) -> list[RemoteCollection]:
        """The whole hierarchy in one request (top-level collections with ``children``)."""
        return [convert(wire.collection_from_wire, item) for item in
                self.transport.iter_items(wire.COLLECTION_TREE.at(self.organization_id), None,
                                          "collection tree")]

    def get_collection(self, collection_id: int) -> RemoteCollection:
        return self._collections.get(collection_id)

    def create_collection(self, fields: CollectionFields) -> RemoteCollection:
        return self._collections.create(fields, fields.slug)

    def update_collection(self, collection_id: int, fields: CollectionFields) -> RemoteCollection:
        return self._collections.write("PUT", collection_id, fields, fields.slug)

    def patch_collection(self, collection_id: int, changes: Mapping[str, Any]) -> RemoteCollection:
        return self._collections.write("PATCH", collection_id, changes, changes.get("slug"))

    def delete_collection(self, collection_id: int) -> None:
        self._collections.delete(collection_id)

    def find_collection_by_slug(self, slug: str) -> RemoteCollection | None:
        """The collection with ``slug``, or None (the contract has no slug filter)."""
        return next((c for c in self.list_collections() if c.fields.slug == slug), None)

    # --- articles -----------------------------------------------------------------------

    def iter_articles(
        self, collection_id: int | None = None, status: str | None = None
    ) -> Iterator[RemoteArticle]:
        """Articles one page at a time, so a caller can stop early without reading all."""
        params = wire.list_params(collection_id=collection_id, status=status)
        for item in self.transport.iter_items(wire.ARTICLE.at(self.organization_id), params,
                                              "articles"):
            yield convert(wire.article_from_wire, item)

    def list_articles(
        self, collection_id: int | None = None, status: str | None = None
    ) -> list[RemoteArticle]:
        return list(self.iter_articles(collection_id, status))

    def get_article(self, article_id: int) -> RemoteArticle:
        return self._articles.get(article_id)

    def create_article(self, fields: ArticleFields) -> RemoteArticle:
        return self._articles.create(fields, fields.slug)

    def update_article(self, article_id: int, fields: ArticleFields) -> RemoteArticle:
        return self._articles.write("PUT", article_id, fields, fields.slug)

    def patch_article(self, article_id: int, changes: Mapping[str, Any]) -> RemoteArticle:
        return self._articles.write("PATCH", article_id, changes, changes.get("slug"))

    def delete_article(self, article_id: int) -> None:
        self._articles.delete(article_id)

    def find_article_by_slug(
        self, slug: str, *, collection_id: int | None = None
    ) -> RemoteArticle | None:
        """The article with ``slug``, or None.

        The contract has no slug filter, so this reads the list; ``collection_id`` (the
        collection the article was being created in) narrows it to fewer pages.
        """
        for article in self.iter_articles(collection_id=collection_id):
            if article.fields.slug == slug:
                return article
        return None

    def search_articles(
        self, query: str, *, status: str | None = None, limit: int = 10
    ) -> list[SearchHit]:
        """The best ``limit`` hits for ``query``, best first (server default: published)."""
        if limit <= 0:
            return []
        params = wire.list_params(page_size=min(limit, wire.MAX_PAGE_SIZE), query=query,
                                  status=status)
        hits: list[SearchHit] = []
        for item in self.transport.iter_items(wire.ARTICLE_SEARCH.at(self.organization_id),
                                              params, "article search"):
            hits.append(convert(wire.search_hit_from_wire, item))
            if len(hits) >= limit:
                break
        return hits

    # --- tickets ------------------------------------------------------------------------

    def list_tickets(
        self,
        *,
        created_after: str | None = None,
        created_before: str | None = None,
        include_spam: bool = False,
        limit: int | None = None,
    ) -> list[Ticket]:
        """Tickets, newest first; spam tickets only when ``include_spam``.

        The contract leaves open whether ``is_spam=true`` adds spam to the list or lists
        only spam, so with ``include_spam`` both lists are read and merged newest first
        (duplicates by id dropped): right under either reading.
        """
        if limit is not None and limit <= 0:
            return []
        streams = [self._iter_tickets(wire.list_params(
            created_after=created_after, created_before=created_before))]
        if include_spam:
            streams.append(self._iter_tickets(wire.list_params(
                created_after=created_after, created_before=created_before, is_spam=True)))
        tickets: list[Ticket] = []
        seen: set[int] = set()
        for ticket in heapq.merge(*streams, key=_created_key, reverse=True):
            if ticket.id in seen:
                continue
            seen.add(ticket.id)
            tickets.append(ticket)
            if limit is not None and len(tickets) >= limit:
                break
        return tickets

    def _iter_tickets(self, params: Mapping[str, str]) -> Iterator[Ticket]:
        for item in self.transport.iter_items(wire.TICKET.at(self.organization_id), params,
                                              "tickets"):
            yield convert(wire.ticket_from_wire, item)

    # --- raw access for doctor ------------------------------------------------------------

    def options(self, path: str) -> dict[str, Any] | None:
        """``OPTIONS path`` as JSON, or None when the server does not answer it."""
        call = Call("OPTIONS", path, f"OPTIONS {path}")
        try:
            response = self.transport.send(call)
        except NotFoundError:
            return None
        except RemoteError as exc:
            if exc.status in _NO_OPTIONS:
                return None
            raise
        data = self.transport.decode(response, call)
        return data if isinstance(data, dict) else None

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """``GET path`` decoded, for doctor's one raw read of each endpoint."""
        return self.transport.json(Call("GET", path, f"GET {path}", params=params))

    def get_page(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The first page of a list, decoded, for doctor: its ``next`` link is checked by
        the rule paging follows (ContractError when paging would refuse to follow it)."""
        call = Call("GET", path, f"GET {path}", params=params)
        data = self.transport.json(call)
        _, next_url = convert_page(data, call.what)
        if next_url is not None:
            self.transport.check_next(next_url, {self.transport.page_key(call)}, call.what)
        return data


class _Objects(Generic[T]):
    """The actions on one object of a resource with ids (collections, articles): read,
    create, replace or patch, delete. Each names the object ("article 42 ('welcome')"
    once its slug is known), and a 404 on one means it is gone."""

    def __init__(self, transport: Transport, org: int, resource: wire.Resource,
                 read: Callable[[Any], T]) -> None:
        self._transport, self._org, self._resource, self._read = transport, org, resource, read

    def get(self, item: int) -> T:
        return convert(self._read, self._transport.json(self._call("GET", item)))

    def create(self, fields: wire.Written, slug: str) -> T:
        call = Call("POST", self._resource.at(self._org), f"{self._resource.noun} {slug!r}",
                    body=self._resource.body(fields))
        return convert(self._read, self._transport.json(call))

    def write(self, method: str, item: int, values: Mapping[str, Any] | wire.Written,
              slug: object) -> T:
        call = self._call(method, item, slug, self._resource.body(values))
        return convert(self._read, self._transport.json(call))

    def delete(self, item: int) -> None:
        self._transport.send(self._call("DELETE", item))

    def _call(self, method: str, item: int, slug: object = None, body: Any = None) -> Call:
        what = f"{self._resource.noun} {item}" + (f" ({slug!r})" if isinstance(slug, str)
                                                  else "")
        return Call(method, self._resource.at(self._org, item), what, body=body,
                    missing=GONE_HINT)


def _created_key(ticket: Ticket) -> datetime:
    """Sort key for newest-first merging; an unreadable date sorts last."""
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    moment = wire.parse_datetime(ticket.created_at) if ticket.created_at else None
    if moment is None:
        return oldest
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
