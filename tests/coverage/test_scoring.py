"""The covering decision: expect in the top k, else the best score; drafts never count."""

from __future__ import annotations

from kbsync.coverage.questions import Question
from kbsync.coverage.report import rank_label
from kbsync.coverage.scoring import Hit, Settings, covering_draft, decide

HITS = [Hit("a", "A", 9.0, "c1"), Hit("b", "B", 6.0, "c2"), Hit("c", "C", 4.0, "c2"),
        Hit("d", "D", 3.0, "c3")]


def test_expected_article_in_the_top_k_covers() -> None:
    outcome = decide(Question("q", "q", expect=("x", "c")), HITS, Settings(top_k=3))
    assert (outcome.covered, outcome.expected_rank, outcome.answer) == (True, 3, HITS[2])
    assert outcome.collection == ("c2", "c2")


def test_expected_article_past_the_top_k_does_not_cover_but_has_a_rank() -> None:
    outcome = decide(Question("q", "q", expect=("d",)), HITS, Settings(top_k=3))
    assert (outcome.covered, outcome.expected_rank, outcome.answer) == (False, 4, None)
    assert outcome.collection == ("c3", "c3")  # where the expected article lives
    assert decide(Question("q", "q", expect=("d",), top_k=4), HITS, Settings()).covered


def test_without_expect_the_best_score_must_reach_min_score() -> None:
    assert decide(Question("q", "q"), HITS, Settings(min_score=9.0)).covered
    assert not decide(Question("q", "q"), HITS, Settings(min_score=9.1)).covered
    assert decide(Question("q", "q", min_score=1.0), HITS, Settings(min_score=50)).covered
    assert not decide(Question("q", "q"), [], Settings(min_score=0)).covered


def test_a_draft_never_counts() -> None:
    hits = [Hit("draft", "Draft", 99.0, published=False), *HITS]
    expected = decide(Question("q", "q", expect=("draft",)), hits, Settings())
    assert not expected.covered and expected.expected_rank is None
    scored = decide(Question("q", "q"), hits, Settings(min_score=10.0))
    assert not scored.covered and scored.hits[0].slug == "a"


def test_fetch_asks_for_enough_hits_for_every_top_k() -> None:
    settings = Settings(top_k=3)
    assert settings.fetch([Question("q", "q")]) == 10
    assert settings.fetch([Question("q", "q", top_k=25)]) == 25


def test_a_full_page_of_hits_with_drafts_in_it_says_past_the_page_not_none() -> None:
    """Four hits asked, one a draft: the expected article may rank after them, so the
    label is '>4', not 'none' (as if the search had run out of hits)."""
    hits = [Hit("draft", "Draft", 99.0, published=False), *HITS[:3]]
    outcome = decide(Question("q", "q", expect=("z",)), hits, Settings())
    assert rank_label(outcome, fetched=4) == ">4"
    assert rank_label(decide(Question("q", "q", expect=("z",)), hits[:2], Settings()),
                      fetched=4) == "none"


def test_the_draft_that_would_cover_a_question_once_published_is_found() -> None:
    draft = Hit("pickup", "Pickup", 8.0, published=False)
    hits = [HITS[0], draft, *HITS[1:]]
    assert covering_draft(Question("q", "q", expect=("pickup",)), hits,
                          Settings(top_k=3)) == draft
    assert covering_draft(Question("q", "q"), [draft, Hit("x", "X", 2.0)],
                          Settings(min_score=5.0)) == draft


def test_a_draft_that_would_not_cover_either_is_not_named() -> None:
    low = Hit("low", "Low", 4.0, published=False)
    assert covering_draft(Question("q", "q"), [low], Settings(min_score=5.0)) is None
    late = Hit("late", "Late", 1.0, published=False)  # would rank 5th: past the top 3
    assert covering_draft(Question("q", "q", expect=("late",)), [*HITS, late],
                          Settings(top_k=3)) is None
    other = Hit("other", "Other", 20.0, published=False)  # not the expected one
    assert covering_draft(Question("q", "q", expect=("a",)), [other], Settings()) is None
