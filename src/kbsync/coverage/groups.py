"""Uncovered questions grouped by the words they share: the topics with no article.

Pure. The rule, stated so a reader can predict it: questions are taken most-asked first;
each joins the existing group whose first question shares the most topic words with it
(filler words dropped, see :func:`kbsync.coverage.questions.words`), when they share at
least two (one, when either has a single topic word); otherwise it starts a group. A
group is labelled with the words most of its questions share. A ticket's words are its
subject's, or the start of its text when the subject says little.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kbsync.coverage.questions import Question, words
from kbsync.coverage.scoring import Hit, Outcome

_LABEL_WORDS = 4
_TEXT_WORDS = 12


@dataclass(frozen=True, slots=True)
class Group:
    words: tuple[str, ...]
    outcomes: tuple[Outcome, ...]

    @property
    def count(self) -> int:
        """How often the group's questions were asked, together."""
        return sum(o.question.count for o in self.outcomes)

    @property
    def draft(self) -> Hit | None:
        """The draft article that would answer at least half of the group's asks once
        published (the one answering most of them), else None."""
        votes: Counter[str] = Counter()
        drafts: dict[str, Hit] = {}
        for outcome in self.outcomes:
            if outcome.draft is not None:
                votes[outcome.draft.slug] += outcome.question.count
                drafts.setdefault(outcome.draft.slug, outcome.draft)
        if not votes:
            return None
        slug = max(votes, key=lambda found: votes[found])  # a tie: the first seen
        return drafts[slug] if 2 * votes[slug] >= self.count else None

    @property
    def collection(self) -> tuple[str, str] | None:
        """(slug, name) of the collection the group's best hits come from most often
        (weighted by how often each question was asked); None when nothing was hit."""
        votes: Counter[tuple[str, str]] = Counter()
        for outcome in self.outcomes:
            if outcome.collection is not None:
                votes[outcome.collection] += outcome.question.count
        if not votes:
            return None
        return max(votes, key=lambda c: (votes[c], -_first(self.outcomes, c)))


def topic_words(question: Question) -> tuple[str, ...]:
    """The words a question is grouped by (unique, in order)."""
    found = list(dict.fromkeys(words(question.title)))
    if len(found) < 2 and question.text != question.title:
        found = list(dict.fromkeys([*found, *words(question.text)]))[:_TEXT_WORDS]
    return tuple(found)


def group_uncovered(outcomes: Sequence[Outcome]) -> list[Group]:
    """The uncovered outcomes in groups, the most asked group first."""
    uncovered = [o for o in outcomes if not o.covered and o.error is None]  # failed: unknown
    ordered = sorted(range(len(uncovered)), key=lambda i: (-uncovered[i].question.count, i))
    seeds: list[set[str]] = []
    members: list[list[tuple[int, Outcome]]] = []
    for index in ordered:
        outcome = uncovered[index]
        mine = set(topic_words(outcome.question))
        best, best_shared = None, 0
        for number, seed in enumerate(seeds):
            shared = len(mine & seed)
            need = 1 if min(len(mine), len(seed)) == 1 else 2
            if shared >= need and shared > best_shared:
                best, best_shared = number, shared
        if best is None:
            seeds.append(mine)
            members.append([(index, outcome)])
        else:
            members[best].append((index, outcome))
    made = [(min(i for i, _ in m), Group(_label(m), tuple(o for _, o in sorted(
        m, key=lambda p: p[0])))) for m in members]
    made.sort(key=lambda pair: (-pair[1].count, -len(pair[1].outcomes), pair[0]))
    return [group for _, group in made]


def _label(members: Sequence[tuple[int, Outcome]]) -> tuple[str, ...]:
    """Words shared by at least half the group (and by two questions at least), most
    shared first; a group of one is labelled with its own words."""
    lists = [topic_words(o.question) for _, o in members]
    counts: Counter[str] = Counter(word for found in lists for word in set(found))
    need = max(2, (len(lists) + 1) // 2) if len(lists) > 1 else 1
    shared = [w for w in counts if counts[w] >= need] or list(lists[0])
    shared.sort(key=lambda w: (-counts[w], _position(lists, w)))
    return tuple(shared[:_LABEL_WORDS])


def _position(lists: Sequence[Sequence[str]], word: str) -> int:
    offset = 0
    for found in lists:
        if word in found:
            return offset + list(found).index(word)
        offset += len(found)
    return offset


def _first(outcomes: Sequence[Outcome], collection: tuple[str, str]) -> int:
    return next(i for i, o in enumerate(outcomes) if o.collection == collection)
