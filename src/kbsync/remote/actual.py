"""The remote side of a plan, read in the fewest requests.

organization (auth + tenant check) + the collections tree (one request for the whole
hierarchy) + article pages of 100 + the portal only when portal.yaml asks for it: for
2,000 articles that is 23 requests, whatever changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable

from kbsync.errors import NotFoundError
from kbsync.model import ActualState, RemoteArticle, RemoteCollection
from kbsync.plan.model import Action, Plan
from kbsync.remote.client import HelpCenterClient

__all__ = ["flatten", "read_actual", "read_for_saved_plan"]

#: Up to this many articles a saved plan touches are read one by one; more, by pages.
ONE_BY_ONE = 10


def flatten(tree: Iterable[RemoteCollection]) -> dict[int, RemoteCollection]:
    """Every collection of a tree answer by id, children without their nested copies."""
    out: dict[int, RemoteCollection] = {}
    stack = list(tree)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        out[node.id] = RemoteCollection(node.id, node.fields, node.updated_at,
                                        node.article_count)
    return out


def read_actual(client: HelpCenterClient, *, with_portal: bool,
                expect: Callable[[int], None] | None = None) -> ActualState:
    """``expect`` is told how many articles the collections count (those in none are not
    counted) before the article pages are read: init starts its converting workers then,
    so they start while the pages are on the way."""
    organization = client.organization()
    collections = flatten(client.collection_tree())
    if expect is not None:
        expect(sum(c.article_count or 0 for c in collections.values()))
    articles = {a.id: a for a in client.iter_articles()}
    portal = client.get_portal() if with_portal else None
    return ActualState(organization, collections, articles, portal)


def read_for_saved_plan(client: HelpCenterClient, plan: Plan) -> ActualState:
    """What proves a saved plan fresh, and no more (every request counts at 60 a minute).

    The organization (the tenant check); the collection tree only when the plan writes a
    collection; the portal only when it writes the portal; every article page when it
    creates an article (no other read shows that the slug is still free), else the
    articles it touches: one by one when they are few, page by page, stopping once all
    are seen, when they are many.
    """
    writes = plan.writes
    organization = client.organization()
    collections = (flatten(client.collection_tree())
                   if any(c.kind == "collection" for c in writes) else {})
    portal = client.get_portal() if any(c.kind == "portal" for c in writes) else None
    articles = [c for c in writes if c.kind == "article"]
    if any(c.action is Action.CREATE for c in articles):
        found = {a.id: a for a in client.iter_articles()}
    else:
        found = _touched(client, {c.remote_id for c in articles if c.remote_id is not None})
    return ActualState(organization, collections, found, portal)


def _touched(client: HelpCenterClient, ids: set[int]) -> dict[int, RemoteArticle]:
    out: dict[int, RemoteArticle] = {}
    if len(ids) <= ONE_BY_ONE:
        for article_id in sorted(ids):
            with contextlib.suppress(NotFoundError):  # deleted since: check_fresh says so
                out[article_id] = client.get_article(article_id)
        return out
    for article in client.iter_articles():
        if article.id in ids:
            out[article.id] = article
            if len(out) == len(ids):
                break
    return out
