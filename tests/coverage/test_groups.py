"""Uncovered questions grouped by shared words, most asked first."""

from __future__ import annotations

from kbsync.coverage.groups import group_uncovered, topic_words
from kbsync.coverage.questions import Question
from tests.coverage.helpers import hit, outcome, sample_outcomes


def test_uncovered_questions_group_by_shared_words_most_asked_first() -> None:
    groups = group_uncovered(sample_outcomes())
    assert [(g.words, g.count, [o.question.title for o in g.outcomes]) for g in groups] == [
        (("cash", "delivery"), 5, ["Do you support cash on delivery?",
                                   "Cash on delivery for Poland?"]),
        (("android", "app", "scanning", "parcel"), 1,
         ["Android app <for> scanning | parcels"]),
    ]


def test_a_group_lives_in_the_collection_most_of_its_hits_came_from() -> None:
    groups = group_uncovered([
        outcome("cash on delivery", [hit("a", 1.0, "shipping", "Shipping")], count=1),
        outcome("cash on delivery please", [hit("b", 1.0, "billing", "Billing")], count=3),
        outcome("pay cash on delivery", [], count=1),
    ])
    assert len(groups) == 1 and groups[0].collection == ("billing", "Billing")
    assert group_uncovered([outcome("cash", [])])[0].collection is None


def test_no_chaining_questions_join_the_first_question_of_a_group() -> None:
    groups = group_uncovered([outcome("cash delivery", [], count=3),
                              outcome("delivery sunday", [], count=2),
                              outcome("sunday opening hours", [])])
    assert [g.words for g in groups] == [("cash", "delivery"), ("delivery", "sunday"),
                                         ("sunday", "opening", "hour")]


def test_a_ticket_whose_subject_says_little_is_grouped_by_its_text() -> None:
    question = Question("Urgent!!\n\nDo you support cash on delivery?", "Urgent!!")
    assert topic_words(question) == ("support", "cash", "delivery")
