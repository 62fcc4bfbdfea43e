"""Seeded, read-only tickets: order, spam and date filters, defaults, the tickets file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kbsync.emulator.app import EmulatorApp, load_tickets
from kbsync.emulator.errors import EmulatorError

from .conftest import TICKETS, client_for

SEED = [
    {"id": 1, "subject": "Old", "created_at": "2024-01-01T09:00:00Z"},
    {"id": 2, "subject": "Spam", "created_at": "2024-02-01T09:00:00Z", "is_spam": True},
    {"id": 3, "subject": "New", "created_at": "2024-03-01T09:00:00Z"},
]


@pytest.fixture
def tickets(make_app: Callable[..., EmulatorApp]) -> httpx.Client:
    return client_for(make_app(tickets=SEED))


def _subjects(client: httpx.Client, **params: str) -> list[str]:
    response = client.get(TICKETS, params=params)
    assert response.status_code == 200, response.text
    return [t["subject"] for t in response.json()["results"]]


def test_newest_first_without_spam(tickets: httpx.Client) -> None:
    assert _subjects(tickets) == ["New", "Old"]


def test_spam_only_when_asked(tickets: httpx.Client) -> None:
    assert _subjects(tickets, is_spam="true") == ["Spam"]


def test_date_window_is_half_open(tickets: httpx.Client) -> None:
    window = {"created_after": "2024-01-01T09:00:00Z", "created_before": "2024-03-01T09:00:00Z"}
    assert _subjects(tickets, **window) == ["Old"]


def test_bad_filter_values_are_400(tickets: httpx.Client) -> None:
    assert tickets.get(TICKETS, params={"created_after": "last week"}).json() == {
        "created_after": ["Enter a valid date/time."]
    }
    assert tickets.get(TICKETS, params={"is_spam": "maybe"}).status_code == 400


def test_missing_fields_get_defaults(make_app: Callable[..., EmulatorApp]) -> None:
    client = client_for(make_app(tickets=[{"description": "How do I export?"}]))
    (ticket,) = client.get(TICKETS).json()["results"]
    assert ticket["description"] == "How do I export?"
    assert {"id", "public_id", "subject", "description_html", "summary", "tags", "language"} <= set(
        ticket
    )
    assert ticket["is_spam"] is False and ticket["created_at"].endswith("Z")


def test_tickets_are_read_only(tickets: httpx.Client) -> None:
    assert tickets.post(TICKETS, json={"subject": "x"}).status_code == 405


def test_load_tickets(tmp_path: Path) -> None:
    path = tmp_path / "tickets.json"
    path.write_text('[{"subject": "a"}]', encoding="utf-8")
    assert load_tickets(path) == [{"subject": "a"}]


def test_load_tickets_bad_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tickets.json"
    path.write_text('[{"subject": "a"},\n oops]', encoding="utf-8")
    with pytest.raises(EmulatorError, match=r"tickets\.json:2: not valid JSON"):
        load_tickets(path)


def test_load_tickets_wants_an_array_of_objects(tmp_path: Path) -> None:
    path = tmp_path / "tickets.json"
    path.write_text('{"subject": "a"}', encoding="utf-8")
    with pytest.raises(EmulatorError, match="expected a JSON array"):
        load_tickets(path)
    path.write_text('["a"]', encoding="utf-8")
    with pytest.raises(EmulatorError, match="ticket #1 is not a JSON object"):
        load_tickets(path)
