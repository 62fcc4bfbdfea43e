"""Both searchers answer the same hits; the remote one sends one search per question."""

from __future__ import annotations

import threading
import time

import pytest

from kbsync.coverage.local_articles import local_articles
from kbsync.coverage.questions import Question
from kbsync.coverage.scoring import Hit
from kbsync.coverage.search import LOCAL_LANES, LocalSearcher, RemoteSearcher, search_all
from tests.coverage.conftest import SEARCH, CoverageKB

QUESTIONS = [Question(text, text) for text in (
    "forgot my password", "money back for an unused label", "where is my parcel",
    "cash on delivery")]


def test_remote_one_search_per_question_and_one_read_of_the_collections(
        kb: CoverageKB) -> None:
    with kb.connect(kb.config()) as client:
        searcher = RemoteSearcher(client)
        found = search_all(QUESTIONS, searcher, limit=10)
    paths = [r["path"] for r in kb.requests()]
    assert sum(p.endswith(SEARCH) for p in paths) == 4 == searcher.searches
    assert len(paths) == 5 and sum(p.endswith("/collections/tree/") for p in paths) == 1
    best = found[0][0]
    assert (best.slug, best.collection, best.collection_name) == (
        "reset-your-password", "account", "Your account")
    assert best.link is not None and best.link.startswith("https://")


def test_local_answers_the_same_best_hits_and_sends_nothing(kb: CoverageKB) -> None:
    with kb.connect(kb.config()) as client:
        remote = search_all(QUESTIONS, RemoteSearcher(client), limit=10)
    kb.reset_log()
    with LocalSearcher(local_articles(kb.config())) as searcher:
        local = search_all(QUESTIONS, searcher, limit=10)
    assert kb.requests() == []
    assert [[h.slug for h in hits] for hits in local] == [[h.slug for h in hits]
                                                          for hits in remote]
    assert local[0][0].link == "account/reset-your-password.md"


def test_nested_collections_are_named_by_their_path(kb: CoverageKB) -> None:
    kb.write("shipping/carriers/_collection.yaml", "name: Carriers\n")
    kb.article("shipping/carriers/dhl.md", "DHL Express", "DHL Express parcels worldwide.")
    with LocalSearcher(local_articles(kb.config())) as searcher:
        hit = searcher.search("DHL Express", 1)[0]
    assert (hit.collection, hit.collection_name) == ("carriers", "Shipping / Carriers")


def test_many_questions_searched_at_once_answer_as_one_by_one(kb: CoverageKB) -> None:
    questions = [Question(f"{text} {n}", f"{text} {n}") for n in range(8)
                 for text in (q.text for q in QUESTIONS)]
    ticked: list[Question] = []
    with LocalSearcher(local_articles(kb.config())) as searcher:
        assert searcher.lanes == LOCAL_LANES
        together = search_all(questions, searcher, limit=10, tick=ticked.append)
        searcher.lanes = 1
        alone = search_all(questions, searcher, limit=10)
        assert searcher.searches == 2 * len(questions)
    assert together == alone
    assert ticked == questions  # progress in question order, whichever finished first
    assert [h.slug for h in together[0]][:1] == ["reset-your-password"]


class _Counting:
    """A searcher that only counts its searches (each takes a little while)."""

    lanes = 2

    def __init__(self) -> None:
        self.searches = 0
        self._lock = threading.Lock()

    def search(self, text: str, limit: int, *, drafts: bool = False) -> list[Hit]:
        with self._lock:
            self.searches += 1
        time.sleep(0.01)
        return []


def test_ctrl_c_in_the_middle_makes_no_more_searches() -> None:
    """Ctrl-C reaches the main thread, say while it prints progress: the searches still
    queued for the pool are dropped, not all made before kbsync stops."""
    questions = [Question(f"question {n}", f"question {n}") for n in range(200)]
    searcher = _Counting()

    def tick(question: Question) -> None:
        if question is questions[2]:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        search_all(questions, searcher, limit=10, tick=tick)
    assert searcher.searches < 20  # not the 200 the pool was handed
