"""Asking the Help Center's article search, remote or local, once per distinct question.

Both searchers answer :class:`~kbsync.coverage.scoring.Hit` lists, so the decision and
the report never know where the hits came from. The remote one goes through the client
(and so through its throttle); the local one through :class:`LocalIndex`, the emulator's
search over the rendered tree in memory, which sends nothing anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from kbsync.coverage.local_articles import LocalKnowledgeBase
from kbsync.coverage.questions import Question
from kbsync.coverage.scoring import Hit
from kbsync.local.search_index import LocalIndex
from kbsync.model import RemoteCollection, SearchHit
from kbsync.remote.client import HelpCenterClient

#: Called after each search with the question searched, for progress.
Tick = Callable[[Question], None]
_SEPARATOR = " / "


class Searcher(Protocol):
    searches: int

    def search(self, text: str, limit: int, *, drafts: bool = False) -> list[Hit]:
        """The best ``limit`` published articles (draft ones with ``drafts``)."""
        ...


def search_all(questions: Sequence[Question], searcher: Searcher, *, limit: int,
               tick: Tick = lambda question: None) -> list[list[Hit]]:
    """The hits of each question, in order: one search each."""
    found = []
    for question in questions:
        found.append(searcher.search(question.text, limit))
        tick(question)
    return found


class RemoteSearcher:
    """The Help Center's own search, through the (throttled) client.

    Collection names come from one read of the collection tree, made the first time a
    hit is in a collection; every other request is a search.
    """

    def __init__(self, client: HelpCenterClient) -> None:
        self._client = client
        self._collections: dict[int, tuple[str, str]] | None = None
        self.searches = 0

    def search(self, text: str, limit: int, *, drafts: bool = False) -> list[Hit]:
        self.searches += 1
        found = self._client.search_articles(text, limit=limit,
                                             status="draft" if drafts else None)
        return [self._hit(hit) for hit in found]

    def _hit(self, found: SearchHit) -> Hit:
        fields = found.article.fields
        collection = None
        if fields.collection_id is not None:
            collection = self._collection(fields.collection_id)
        return Hit(slug=fields.slug, title=fields.title, score=found.score,
                   collection=collection[0] if collection else None,
                   collection_name=collection[1] if collection else None,
                   link=found.article.url, published=fields.status == "published")

    def _collection(self, collection_id: int) -> tuple[str, str] | None:
        if self._collections is None:
            self._collections = {}
            _flatten(self._client.collection_tree(), "", self._collections)
        return self._collections.get(collection_id)


def _flatten(nodes: Sequence[RemoteCollection], prefix: str,
             into: dict[int, tuple[str, str]]) -> None:
    for node in nodes:
        name = prefix + node.fields.name
        into[node.id] = (node.fields.slug, name)
        _flatten(node.children, name + _SEPARATOR, into)


class LocalSearcher:
    """The same search over the tree as ``apply`` would leave it: zero remote requests.

    ``link`` turns an article's file (relative to the root) into the link a report shows.
    """

    def __init__(self, kb: LocalKnowledgeBase,
                 link: Callable[[str], str] = lambda key: key) -> None:
        self._index = LocalIndex()
        self._link = link
        self.searches = 0
        names: dict[str, str] = {}
        self._collections: dict[str, tuple[str, str]] = {}
        for collection in kb.collections:
            self._index.put_collection(collection.key, collection.fields, collection.parent_key)
            parent = names.get(collection.parent_key or "")
            names[collection.key] = (parent + _SEPARATOR if parent else "") + \
                collection.fields.name
            self._collections[collection.key] = (collection.fields.slug, names[collection.key])
        self._articles = {}
        for article in kb.articles:
            self._index.put_article(article.key, article.fields, article.collection_key)
            self._articles[article.key] = article

    def __enter__(self) -> LocalSearcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._index.close()

    def search(self, text: str, limit: int, *, drafts: bool = False) -> list[Hit]:
        self.searches += 1
        hits = []
        for key, found in self._index.search(text, limit=limit,
                                             status="draft" if drafts else "published"):
            article = self._articles[key]
            collection = self._collections.get(article.collection_key or "")
            hits.append(Hit(slug=article.fields.slug, title=article.fields.title,
                            score=found.score,
                            collection=collection[0] if collection else None,
                            collection_name=collection[1] if collection else None,
                            link=self._link(key),
                            published=found.article.fields.status == "published"))
        return hits
