"""Is a question covered? The one decision, pure.

With ``expect``: covered when an expected article is among the best ``top_k`` published
hits. Without: covered when the best published hit's score reaches ``min_score``.
A draft (unpublished) article never counts, whatever the search answered; with
``--suggest``, an uncovered question names the draft that would cover it once published
(the fix is then to publish that draft, not to write a second article on the topic).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from kbsync.coverage.questions import Question
from kbsync.defaults import DEFAULT_MIN_SCORE, DEFAULT_TOP_K

#: How many hits each search asks for, so the expected article's rank can be told past
#: ``top_k``: one page, one request.
FETCH = 10

Rule = Literal["expect", "score"]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result, named the same way for the remote and the local index.

    ``collection`` is the collection's slug (the identity across remote and local),
    ``collection_name`` what a reader sees; ``link`` is the article's public URL
    (remote) or its file (local).
    """

    slug: str
    title: str
    score: float
    collection: str | None = None
    collection_name: str | None = None
    link: str | None = None
    published: bool = True


@dataclass(frozen=True, slots=True)
class Settings:
    """The defaults a question's own ``top_k`` / ``min_score`` override."""

    top_k: int = DEFAULT_TOP_K
    min_score: float = DEFAULT_MIN_SCORE

    def fetch(self, questions: Sequence[Question]) -> int:
        """Hits to ask for per search: enough for every question's top k, at least FETCH."""
        return max([FETCH, self.top_k, *(q.top_k or 0 for q in questions)])


@dataclass(frozen=True, slots=True)
class Outcome:
    """A question with its published hits (best first) and the decision."""

    question: Question
    hits: tuple[Hit, ...]
    covered: bool
    rule: Rule
    top_k: int
    min_score: float
    expected_rank: int | None  # 1-based among the hits; None: not expected or not found
    answer: Hit | None  # the hit that covers it (None when not covered)
    searched: int = 0  # how many hits the search gave, drafts included
    draft: Hit | None = None  # a draft that would cover it once published (``--suggest``)
    error: str | None = None  # why its search failed: then it counts as not covered

    @property
    def collection(self) -> tuple[str, str] | None:
        """(slug, name) of the collection the question belongs to, for the per-collection
        figures: the expected article's when it is among the hits, else the answering
        article's, else the best hit's; None without hits."""
        if self.expected_rank is not None:
            hit: Hit | None = self.hits[self.expected_rank - 1]
        else:
            hit = self.answer or (self.hits[0] if self.hits else None)
        if hit is None or hit.collection is None:
            return None
        return hit.collection, hit.collection_name or hit.collection


def covering_draft(question: Question, hits: Sequence[Hit],
                   settings: Settings) -> Hit | None:
    """The best-ranked draft among ``hits`` (published and draft ones, best first) that
    the rule would take as the answer if it alone were published."""
    for index, hit in enumerate(hits):
        if hit.published:
            continue
        as_published = [*hits[:index], replace(hit, published=True), *hits[index + 1:]]
        if decide(question, as_published, settings).answer is as_published[index]:
            return hit
    return None


def failed(question: Question, error: str, settings: Settings) -> Outcome:
    """The outcome of a question whose search failed: not covered, no hits, the reason.
    It still counts among the questions (a search that breaks on a customer's text is
    no answer for that customer), so ``--min-coverage`` cannot pass by failing."""
    top_k, min_score = _limits(question, settings)
    return Outcome(question, (), False, "expect" if question.expect else "score", top_k,
                   min_score, None, None, error=error)


def _limits(question: Question, settings: Settings) -> tuple[int, float]:
    """The question's own top k and min score, else the defaults."""
    min_score = question.min_score if question.min_score is not None else settings.min_score
    return question.top_k or settings.top_k, min_score


def decide(question: Question, hits: Sequence[Hit], settings: Settings) -> Outcome:
    published = tuple(hit for hit in hits if hit.published)
    top_k, min_score = _limits(question, settings)
    if question.expect:
        rank = next((i for i, hit in enumerate(published, start=1)
                     if hit.slug in question.expect), None)
        covered = rank is not None and rank <= top_k
        answer = published[rank - 1] if covered and rank is not None else None
        return Outcome(question, published, covered, "expect", top_k, min_score, rank, answer,
                       len(hits))
    best = published[0] if published else None
    covered = best is not None and best.score >= min_score
    return Outcome(question, published, covered, "score", top_k, min_score, None,
                   best if covered else None, len(hits))
