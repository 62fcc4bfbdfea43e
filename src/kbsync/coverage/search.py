"""Asking the Help Center's article search, remote or local, once per distinct question.

Both searchers answer :class:`~kbsync.coverage.scoring.Hit` lists, so the decision and
the report never know where the hits came from. The remote one goes through the client
(and so through its throttle); the local one through :class:`LocalIndex`, the emulator's
search core over the rendered tree in memory, which sends nothing anywhere.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Protocol

from kbsync.coverage.local_articles import LocalKnowledgeBase
from kbsync.coverage.local_index import LocalIndex
from kbsync.coverage.questions import Question
from kbsync.coverage.scoring import Hit
from kbsync.errors import AuthError, ForbiddenError, KbsyncError, TransportError
from kbsync.model import RemoteCollection, SearchHit
from kbsync.remote.client import HelpCenterClient

#: Called after each search with the question searched, for progress.
Tick = Callable[[Question], None]
#: What one search gave: the hits, or why it failed.
Found = list[Hit] | str
#: Failures of the Help Center or the way to it, not of one question: the run stops.
FATAL = (AuthError, ForbiddenError, TransportError)
#: This many searches failing one after another stop the run.
MAX_FAILED_IN_A_ROW = 5
_SEPARATOR = " / "
#: Searches of the local index at once: a copy of the index each (tens of MB for
#: thousands of articles), and more threads than cores only wait for each other.
LOCAL_LANES = max(1, min(os.cpu_count() or 1, 4))
#: Fewer questions than this are searched one after another (a copy costs more).
_LANES_FROM = 20


class Searcher(Protocol):
    searches: int
    lanes: int  # searches that may run at once

    def search(self, text: str, limit: int, *, drafts: bool = False) -> list[Hit]:
        """The best ``limit`` published articles (draft ones with ``drafts``)."""
        ...


def search_all(questions: Sequence[Question], searcher: Searcher, *, limit: int,
               tick: Tick = lambda question: None) -> list[Found]:
    """The hits of each question, in order: one search each, ``searcher.lanes`` at once.

    A search that fails is that question's answer (its reason, a string) and the rest go
    on: one customer's text must not end the run. Failures that are not the question's
    (the token refused, the Help Center unreachable) end it, and so do
    ``MAX_FAILED_IN_A_ROW`` failures in a row (the search itself is down).
    """
    lanes = searcher.lanes if len(questions) >= _LANES_FROM else 1
    streak = _Streak()
    if lanes <= 1:
        found: list[Found] = []
        for question in questions:
            found.append(streak.answer(partial(searcher.search, question.text, limit)))
            tick(question)
        return found
    with ThreadPoolExecutor(lanes, thread_name_prefix="kbsync-search") as pool:
        answers = [pool.submit(searcher.search, question.text, limit) for question in questions]
        try:
            found = []
            for question, answer in zip(questions, answers, strict=True):
                found.append(streak.answer(answer.result))
                tick(question)  # on this thread, in order: progress output stays as it was
            return found
        finally:  # after Ctrl-C or an error, the searches not started yet are not made
            for answer in answers:
                answer.cancel()


class _Streak:
    """Counts failed searches in a row and decides when they end the run."""

    def __init__(self) -> None:
        self.failed = 0

    def answer(self, search: Callable[[], list[Hit]]) -> Found:
        try:
            hits = search()
        except FATAL:
            raise
        except KbsyncError as exc:
            self.failed += 1
            if self.failed >= MAX_FAILED_IN_A_ROW:
                raise KbsyncError(f"{self.failed} searches in a row failed, so the search "
                                  f"itself seems down; stopped. The last: {exc}") from None
            return str(exc)
        self.failed = 0
        return hits


class RemoteSearcher:
    """The Help Center's own search, through the (throttled) client.

    Collection names come from one read of the collection tree, made the first time a
    hit is in a collection; every other request is a search.
    """

    lanes = 1  # one request at a time: the Help Center's budget is the limit, not cores

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
    Searches may come from several threads at once (``lanes``): each borrows an idle copy
    of the index, and a copy is made when none is idle.
    """

    lanes = LOCAL_LANES

    def __init__(self, kb: LocalKnowledgeBase,
                 link: Callable[[str], str] = lambda key: key) -> None:
        self._index = LocalIndex()
        self._link = link
        self.searches = 0
        self._idle: queue.SimpleQueue[LocalIndex] = queue.SimpleQueue()
        self._copies: list[LocalIndex] = []
        self._lock = threading.Lock()
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
        self._idle.put(self._index)

    def __enter__(self) -> LocalSearcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        for index in (self._index, *self._copies):
            index.close()

    def search(self, text: str, limit: int, *, drafts: bool = False) -> list[Hit]:
        with self._lock:
            self.searches += 1
        with self._borrowed() as index:
            found_all = index.search(text, limit=limit,
                                     status="draft" if drafts else "published")
        hits = []
        for key, found in found_all:
            article = self._articles[key]
            collection = self._collections.get(article.collection_key or "")
            hits.append(Hit(slug=article.fields.slug, title=article.fields.title,
                            score=found.score,
                            collection=collection[0] if collection else None,
                            collection_name=collection[1] if collection else None,
                            link=self._link(key),
                            published=found.article.fields.status == "published"))
        return hits

    @contextmanager
    def _borrowed(self) -> Iterator[LocalIndex]:
        """An index no other thread is searching: an idle one, else a new copy."""
        try:
            index = self._idle.get_nowait()
        except queue.Empty:
            index = self._index.replica()
            with self._lock:
                self._copies.append(index)
        try:
            yield index
        finally:
            self._idle.put(index)
