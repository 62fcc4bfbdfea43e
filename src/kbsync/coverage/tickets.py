"""Customer tickets -> questions, read from the Help Center through the client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from kbsync.coverage.questions import Question, from_tickets
from kbsync.defaults import DEFAULT_TICKET_LIMIT
from kbsync.remote.client import HelpCenterClient


@dataclass(frozen=True, slots=True)
class TicketQuestions:
    questions: list[Question]
    read: int  # tickets read
    spam: int  # spam tickets the Help Center sent anyway, left out here
    empty: int  # tickets with neither subject nor description


def read_ticket_questions(client: HelpCenterClient, *, since: datetime | None = None,
                          limit: int | None = DEFAULT_TICKET_LIMIT) -> TicketQuestions:
    """The newest ``limit`` non-spam tickets created since ``since``, as questions.

    Spam is asked to be left out (the Help Center's default) and dropped again here, in
    case a tenant sends it anyway.
    """
    created_after = None
    if since is not None:
        created_after = since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    tickets = client.list_tickets(created_after=created_after, limit=limit,
                                  include_spam=False)
    questions = from_tickets(tickets)
    spam = sum(1 for t in tickets if t.is_spam)
    return TicketQuestions(questions, len(tickets), spam, len(tickets) - spam - len(questions))
