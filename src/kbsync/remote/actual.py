"""The remote side of a plan, read in the fewest requests.

organization (auth + tenant check) + the collections tree (one request for the whole
hierarchy) + article pages of 100 + the portal only when portal.yaml asks for it: for
2,000 articles that is 23 requests, whatever changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from kbsync.model import ActualState, RemoteCollection
from kbsync.remote.client import HelpCenterClient

__all__ = ["flatten", "read_actual"]


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


def read_actual(client: HelpCenterClient, *, with_portal: bool) -> ActualState:
    organization = client.organization()
    collections = flatten(client.collection_tree())
    articles = {a.id: a for a in client.iter_articles()}
    portal = client.get_portal() if with_portal else None
    return ActualState(organization, collections, articles, portal)
