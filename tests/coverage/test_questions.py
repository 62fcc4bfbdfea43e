"""Questions: the ticket text rule, the folding rule, --since."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kbsync.coverage.questions import (
    Question,
    fold,
    fold_key,
    from_tickets,
    parse_since,
    ticket_text,
)
from kbsync.model import Ticket

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def test_a_ticket_is_its_subject_plus_the_longer_description_as_text() -> None:
    html_longer = Ticket(1, "Refund", description="money back?",
                         description_html="<p>Can I get my <b>money back</b> for a label?</p>")
    assert ticket_text(html_longer) == "Refund\n\nCan I get my money back for a label?"
    plain_longer = Ticket(2, "VAT", description="How do I add our VAT number to invoices?",
                          description_html="<p>How do I add</p>")
    assert ticket_text(plain_longer) == "VAT\n\nHow do I add our VAT number to invoices?"
    html_only = Ticket(3, "", description_html="<div>Where&nbsp;is my <i>parcel</i>?</div>")
    assert ticket_text(html_only) == "Where is my parcel?"


def test_spam_and_empty_tickets_make_no_question() -> None:
    tickets = [Ticket(1, "Hi", "Where is my parcel?"), Ticket(2, "Win", "prize", is_spam=True),
               Ticket(3, "", "", "")]
    questions = from_tickets(tickets)
    assert [(q.title, q.sources) for q in questions] == [("Hi", ("ticket 1",))]


def test_the_fold_rule() -> None:
    same = ["Where is my parcel? Order #10421", "where's my PARCEL?? order 10588",
            "Hi, order: my parcel — where is it?", "Parcels, order, where"]
    assert len({fold_key(text) for text in same}) == 1
    assert fold_key("Refund for a label") != fold_key("Refund for a parcel")
    assert fold_key("Café crème") == fold_key("cafe creme")
    assert fold_key("How do I?") != fold_key("Why?")  # filler only: text kept


def test_fold_adds_counts_and_sources_and_keeps_the_expectation() -> None:
    questions = [Question("where is my parcel", "t1", sources=("ticket 1",)),
                 Question("Where is my parcel?", "file", expect=("track",), top_k=5,
                          sources=("coverage.yaml:3",)),
                 Question("refund", "t2", count=2, sources=("ticket 2",)),
                 Question("WHERE is my parcel!!", "t3", sources=("ticket 3",))]
    folded = fold(questions)
    assert [(q.title, q.count, q.expect, q.top_k) for q in folded] == [
        ("file", 3, ("track",), 5), ("t2", 2, (), None)]
    assert folded[0].sources == ("ticket 1", "coverage.yaml:3", "ticket 3")


@pytest.mark.parametrize(("text", "expected"), [
    ("30d", datetime(2026, 10, 31, 12, 0, tzinfo=timezone.utc)),
    ("12h", datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)),
    ("2w", datetime(2026, 11, 16, 12, 0, tzinfo=timezone.utc)),
    ("2026-06-01", datetime(2026, 6, 1, tzinfo=timezone.utc)),
    ("2026-06-01T10:00:00Z", datetime(2026, 6, 1, 10, tzinfo=timezone.utc)),
])
def test_since(text: str, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


def test_since_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="--since must be like 30d, 12h, 2w or an ISO date"):
        parse_since("last week", NOW)
    with pytest.raises(ValueError, match="in the future"):
        parse_since("2030-01-01", NOW)
