"""Questions: where they come from, what is searched, and which ones are the same.

Pure: no files, no network. A ticket's question is its subject plus the longer of its
plain and HTML descriptions as text (the contract's display rule). Near-duplicates are
folded into one question with a count, by one stated rule (:data:`FOLD_RULE`), so each
distinct question costs one search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from kbsync.controls import searchable
from kbsync.markdown.text import html_to_text
from kbsync.model import Ticket
from kbsync.remote.wire import SEARCH_QUERY_MAX

if TYPE_CHECKING:  # the CLI imports FOLD_RULE for --help: keep pydantic out of its way
    from kbsync.coverage.spec import CoverageSpec

#: How near-duplicates are recognised; shown in ``kbsync coverage --help``.
FOLD_RULE = (
    "two questions are folded into one (with a count) when their normalised texts are "
    "equal: lower case, accents and punctuation removed, words with digits (order and "
    "tracking numbers) and filler words (how, do, I, my, the, please, hi, thanks, ...) "
    "dropped, plurals made singular (-s, -ies), word order and repeats ignored"
)

#: Words that carry no topic: dropped when folding and when grouping by shared words.
_FILLER_WORDS = """
a about above after again all also am an and any anyone are as at be been before being
but by can cannot cant could couldnt did didnt do does doesnt doing dont for from get
got had has have having hello help hey hi how i id if im in into is isnt it its ive just
kind let lets me might more much must my need needs no not now of ok okay on one or our
ours please pls regards same should so some still such than thank thanks that the their
them then there these they this those to too up us very via want was wasnt we were what
whats when where which while who why will with without would wouldnt yes you your
yours dear team best cheers hope hoping asap urgent question quick wheres hows whos
thats youre theyre ill youll wont say says said tell told know see try tried thing
something anything already ago
"""
FILLER = frozenset(_FILLER_WORDS.split())

_WORD = re.compile(r"[a-z0-9]+")
_TITLE_MAX = 160


@dataclass(frozen=True, slots=True)
class Question:
    """One distinct question: what is searched, what is shown, how often it was asked.

    ``min_score`` and ``top_k`` are the question's own settings (from coverage.yaml),
    None when the defaults apply. ``sources`` says where each copy came from
    (``coverage.yaml:7``, ``ticket 1042``).
    """

    text: str
    title: str
    count: int = 1
    expect: tuple[str, ...] = ()
    min_score: float | None = None
    top_k: int | None = None
    sources: tuple[str, ...] = ()
    cut_from: int | None = None  # the text's length before it was cut to SEARCH_QUERY_MAX

    @property
    def key(self) -> str:
        return fold_key(self.text)


def words(text: str) -> list[str]:
    """The topic words of ``text``: folded to ASCII lower case, filler dropped, singular."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("'", "")).encode(
        "ascii", "ignore").decode().lower()
    out = []
    for word in _WORD.findall(ascii_text):
        if word in FILLER or any(ch.isdigit() for ch in word):
            continue
        out.append(_singular(word))
    return out


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def fold_key(text: str) -> str:
    """The normalised text two questions must share to be folded (see FOLD_RULE).

    A question of filler words only keeps its lower-cased text, so "How do I?" and
    "Why?" stay apart.
    """
    kept = sorted(set(words(text)))
    return " ".join(kept) if kept else " ".join(text.lower().split())


def cut(text: str, limit: int = SEARCH_QUERY_MAX) -> tuple[str, int | None]:
    """``text`` as the Help Center's search takes it: control characters made spaces,
    cut to ``limit`` characters (at a word, when one ends in the last fifth); and the
    length it had when it was cut (None: short enough)."""
    text = searchable(text)
    if len(text) <= limit:
        return text, None
    head = text[:limit]
    space = head.rfind(" ")
    return (head[:space] if space > limit * 4 // 5 else head).rstrip(), len(text)


def from_spec(spec: CoverageSpec, path: str) -> list[Question]:
    """coverage.yaml's questions, unfolded, each naming its line."""
    questions = []
    for entry in spec.questions:
        text, cut_from = cut(entry.q)
        questions.append(Question(text=text, title=_shorten(entry.q), expect=entry.expect,
                                  min_score=entry.min_score, top_k=entry.top_k,
                                  sources=(f"{path}:{entry.line}" if entry.line else path,),
                                  cut_from=cut_from))
    return questions


def ticket_text(ticket: Ticket) -> str:
    """The subject, then the longer of the plain and the HTML description as text."""
    plain = ticket.description.strip()
    from_html = html_to_text(ticket.description_html).strip() if ticket.description_html \
        else ""
    body = from_html if len(from_html) > len(plain) else plain
    subject = ticket.subject.strip()
    if subject and body:
        return f"{subject}\n\n{body}"
    return subject or body


def from_tickets(tickets: Iterable[Ticket]) -> list[Question]:
    """One question per ticket that says something; spam is left out here too."""
    questions = []
    for ticket in tickets:
        if ticket.is_spam:
            continue
        full = ticket_text(ticket)
        if not full:
            continue
        text, cut_from = cut(full)
        title = ticket.subject.strip() or text
        questions.append(Question(text=text, title=_shorten(title),
                                  sources=(f"ticket {ticket.public_id or ticket.id}",),
                                  cut_from=cut_from))
    return questions


def fold(questions: Sequence[Question]) -> list[Question]:
    """Near-duplicates folded into the first of them, in first-seen order.

    The count and the sources add up; the expected slugs are united; the first question
    of the group that sets its own ``min_score`` / ``top_k`` gives them. The text shown
    and searched is the first one that came with an expectation (a coverage.yaml
    question), else the first seen.
    """
    groups: dict[str, list[Question]] = {}
    for question in questions:
        groups.setdefault(question.key, []).append(question)
    folded = []
    for members in groups.values():
        lead = next((q for q in members if q.expect), members[0])
        expect = tuple(dict.fromkeys(slug for q in members for slug in q.expect))
        folded.append(replace(
            lead,
            count=sum(q.count for q in members),
            expect=expect,
            min_score=next((q.min_score for q in members if q.min_score is not None), None),
            top_k=next((q.top_k for q in members if q.top_k is not None), None),
            sources=tuple(source for q in members for source in q.sources),
        ))
    return folded


def _shorten(text: str) -> str:
    line = " ".join(text[: _TITLE_MAX * 4].split())
    return line if len(line) <= _TITLE_MAX else line[: _TITLE_MAX - 1].rstrip() + "…"


# --- --since ------------------------------------------------------------------------------

_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_since(text: str, now: datetime) -> datetime:
    """``30d`` / ``12h`` / ``2w`` before ``now``, or an ISO date or datetime (UTC if naive).

    Raises ValueError with a message for the user.
    """
    match = _RELATIVE.match(text)
    if match:
        return now - int(match.group(1)) * _UNITS[match.group(2).lower()]
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"--since must be like 30d, 12h, 2w or an ISO date such as "
                         f"2025-06-01, got {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment > now:
        raise ValueError(f"--since {text} is in the future")
    return moment
