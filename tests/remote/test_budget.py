"""Pacing: the whole budget at once while unspent, waits only when spent, never a 429.

The client and the emulator's rate limiter share one fake clock (``budget_time``), so
each test runs minute-long windows instantly, in-process and over real HTTP, and asserts
what the server answered and what the client waited for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.config import Secret
from kbsync.remote.budget import RequestBudget
from kbsync.remote.client import HelpCenterClient
from kbsync.remote.spend_record import SpendRecord

from .budget_time import EPOCH, FakeTime
from .conftest import ORG, TOKEN, MakeRemote, Remote

ORGANIZATION = f"/organizations/{ORG}/"


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def limited(make_remote: MakeRemote, fake: FakeTime, limit: int = 60, *,
            headers: bool = False) -> Remote:
    """An emulator admitting ``limit`` requests a minute, on the fake clock."""
    return make_remote(rate_limit=limit, rate_limit_headers=headers, rate_clock=fake.clock)


def paced(remote: Remote, fake: FakeTime, rpm: int = 60, record: SpendRecord | None = None,
          **options: Any) -> HelpCenterClient:
    """A client with the budget on, on the fake clock, reporting its waits to ``fake``."""
    options.setdefault("on_wait", fake.on_wait)
    return remote.client(requests_per_minute=rpm, clock=fake.clock, sleep=fake.sleep,
                         record=record, **options)


def spend_elsewhere(remote: Remote, count: int) -> None:
    """Requests another machine sends with the same token: no record of ours sees them."""
    other = remote.http()
    for _ in range(count):
        assert other.get(ORGANIZATION, headers={"X-Initdesk-Token": TOKEN}).status_code == 200


def send(client: HelpCenterClient, count: int) -> None:
    for _ in range(count):
        client.organization()


# --- the budget alone ------------------------------------------------------------------------


def test_zero_turns_pacing_off(tmp_path: Path, fake: FakeTime) -> None:
    record = SpendRecord(tmp_path / "budget.json")
    budget = RequestBudget(0, clock=fake.clock, sleep=fake.sleep, record=record)
    for _ in range(1000):
        budget.after_answer(budget.before_send(), {"X-RateLimit-Remaining": "0",
                                                   "X-RateLimit-Reset": "60"})
    budget.rate_limited(30.0)
    assert fake.sleeps == [] and not list(tmp_path.iterdir())


def test_a_spent_budget_goes_as_the_oldest_request_leaves(fake: FakeTime) -> None:
    """Requests of 0.5 s each: 60 go at once, then each waits for one to leave."""
    budget = RequestBudget(60, clock=fake.clock, sleep=fake.sleep, on_wait=fake.on_wait)
    sent = []
    for _ in range(64):
        stamp = budget.before_send()
        sent.append(fake.now - EPOCH)
        fake.now += 0.5  # the request is on the wire
        budget.after_answer(stamp, None)
    assert sent[:60] == [0.5 * n for n in range(60)]  # no waiting: only the requests' time
    # The first answer came back at 0.5 s: the 61st may go a minute after that, and so on.
    assert sent[60:] == [60.5, 61.0, 61.5, 62.0]
    assert fake.reasons() == ["budget"]  # one wait; then each leaves as the next is sent


@settings(max_examples=60, deadline=None)
@given(
    rpm=st.integers(min_value=1, max_value=30),
    requests=st.lists(st.tuples(st.floats(min_value=0.0, max_value=3.0),  # caller's own pace
                                st.floats(min_value=0.0, max_value=2.0)),  # latency
                      min_size=1, max_size=120),
)
def test_no_minute_ever_admits_more_than_the_budget(
    rpm: int, requests: list[tuple[float, float]]
) -> None:
    """The server counts a request somewhere between its send and its answer: whatever
    the latencies, a request never goes before the one ``rpm`` earlier was answered a
    minute ago, so no server window can hold more than ``rpm``."""
    fake = FakeTime()
    budget = RequestBudget(rpm, clock=fake.clock, sleep=fake.sleep)
    spans: list[tuple[float, float]] = []
    for gap, latency in requests:
        fake.now += gap
        stamp = budget.before_send()
        sent = fake.now
        fake.now += latency
        budget.after_answer(stamp, None)
        spans.append((sent, fake.now))
    for earlier, later in zip(spans, spans[rpm:], strict=False):
        assert later[0] >= earlier[1] + 60.0


def test_after_a_429_the_window_counts_as_full(fake: FakeTime) -> None:
    """Someone else spends the token: wait the Retry-After, then one request per
    60/rpm seconds instead of a burst into the same wall."""
    budget = RequestBudget(10, clock=fake.clock, sleep=fake.sleep, on_wait=fake.on_wait)
    budget.after_answer(budget.before_send(), None)
    budget.rate_limited(5.0)
    sent = []
    for _ in range(4):
        budget.after_answer(budget.before_send(), None)
        sent.append(round(fake.now - EPOCH, 6))
    assert sent == [5.0, 11.0, 17.0, 23.0]
    assert fake.reasons() == ["429", "budget", "budget", "budget"]


# --- client and emulator ----------------------------------------------------------------------


def test_an_unspent_budget_goes_at_once(make_remote: MakeRemote, fake: FakeTime) -> None:
    remote = limited(make_remote, fake)
    client = paced(remote, fake)
    send(client, 22)  # a no-op plan of 2,000 articles
    assert fake.sleeps == [] and remote.statuses() == [200] * 22


def test_a_spent_budget_paces_without_a_429(make_remote: MakeRemote, fake: FakeTime) -> None:
    remote = limited(make_remote, fake)
    counts: list[int] = []  # requests sent before each wait
    client = paced(remote, fake, on_wait=lambda s, r: counts.append(client.request_count))
    send(client, 75)
    assert remote.statuses() == [200] * 75
    assert counts and min(counts) == 60  # the first 60 never waited
    assert 60.0 <= fake.now - EPOCH < 60.01  # ...and the rest went as the first left


def test_a_server_that_says_it_has_no_limit_is_not_paced(
        make_remote: MakeRemote, fake: FakeTime) -> None:
    """The emulator without --rate-limit says so (X-RateLimit-Limit: unlimited); a server
    that says nothing keeps the budget (the test above)."""
    remote = make_remote()
    client = paced(remote, fake)
    send(client, 75)
    assert fake.sleeps == [] and remote.statuses() == [200] * 75


def test_the_record_is_shared_by_two_clients(
    make_remote: MakeRemote, fake: FakeTime, tmp_path: Path
) -> None:
    """``plan`` then ``apply``: the second process waits for what the first spent."""
    remote = limited(make_remote, fake)
    path = tmp_path / "budget.json"
    send(paced(remote, fake, record=SpendRecord(path)), 40)
    counts: list[int] = []  # a new process: a new record object on the same file
    second = paced(remote, fake, record=SpendRecord(path),
                   on_wait=lambda s, r: counts.append(second.request_count))
    send(second, 30)
    assert remote.statuses() == [200] * 70
    assert min(counts) == 20  # 40 + 20 fill the minute; the 21st waits
    assert fake.sleeps[0] == pytest.approx(60.0, abs=0.01)


def test_without_the_record_the_second_client_meets_a_429(
    make_remote: MakeRemote, fake: FakeTime
) -> None:
    """The control for the test above: two processes that do not share the record."""
    remote = limited(make_remote, fake)
    send(paced(remote, fake), 40)
    send(paced(remote, fake), 30)
    assert remote.statuses().count(429) == 1  # then it learned, and paced
    assert remote.statuses().count(200) == 70


def test_a_429_is_waited_out_then_the_requests_are_paced(
    make_remote: MakeRemote, fake: FakeTime
) -> None:
    remote = limited(make_remote, fake, 10)
    spend_elsewhere(remote, 10)  # another machine spends the whole minute
    fake.now += 50
    client = paced(remote, fake, rpm=10)
    send(client, 4)
    assert remote.statuses()[10:] == [429, 200, 200, 200, 200]  # one 429, never a second
    assert fake.waits[0] == (10.0, "429")  # Retry-After: the other's requests leave at 60 s
    assert fake.reasons()[1:] == ["budget"] * 3  # then one every 6 s
    assert fake.now - EPOCH == pytest.approx(78.0)


def test_a_long_retry_after_is_held_beyond_the_retry_cap(
    make_remote: MakeRemote, fake: FakeTime
) -> None:
    remote = limited(make_remote, fake, 5)
    spend_elsewhere(remote, 5)
    client = paced(remote, fake, backoff_cap=30.0)
    client.organization()
    assert remote.statuses()[5:] == [429, 200]  # not a second 429 after 30 s
    assert fake.waits == [(30.0, "429"), (30.0, "429")]


# --- the server's headers -------------------------------------------------------------------


def test_headers_tell_what_other_machines_spent(make_remote: MakeRemote, fake: FakeTime) -> None:
    remote = limited(make_remote, fake, 5, headers=True)
    spend_elsewhere(remote, 3)
    client = paced(remote, fake)  # our record has room for 60
    send(client, 4)
    assert remote.statuses() == [200] * 7  # two, a wait for the reset, two more
    assert fake.waits == [(pytest.approx(60.0), "server")]


def test_headers_win_over_a_full_record(make_remote: MakeRemote, fake: FakeTime,
                                        tmp_path: Path) -> None:
    """The record holds 60 sends the server did not count (another server's window):
    once the server says it has room, the record no longer holds anyone back."""
    remote = limited(make_remote, fake, headers=True)
    record = full_record(tmp_path / "budget.json", fake)
    send(paced(remote, fake, record=record), 10)
    assert remote.statuses() == [200] * 10
    assert fake.waits == [(pytest.approx(0.1), "budget")]  # the first, before any header


def test_without_headers_the_full_record_holds_back(
    make_remote: MakeRemote, fake: FakeTime, tmp_path: Path
) -> None:
    remote = limited(make_remote, fake)
    record = full_record(tmp_path / "budget.json", fake)
    send(paced(remote, fake, record=record), 10)
    assert remote.statuses() == [200] * 10
    assert fake.waits[:2] == [(pytest.approx(0.1), "budget"), (pytest.approx(58.9), "budget")]
    assert fake.now - EPOCH == pytest.approx(59.0, abs=0.01)


def full_record(path: Path, fake: FakeTime) -> SpendRecord:
    """A record of 60 sends: one leaving in 0.1 s, 59 a second ago."""
    record = SpendRecord(path)
    with record.transaction(fake.now) as tx:
        tx.add(fake.now - 59.9)
        for _ in range(59):
            tx.add(fake.now - 1.0)
    return SpendRecord(path)


def test_requests_per_minute_below_the_servers_limit_leaves_the_rest(
    make_remote: MakeRemote, fake: FakeTime
) -> None:
    """Limit 10, budget 4: kbsync keeps 6 of the server's minute for others."""
    remote = limited(make_remote, fake, 10, headers=True)
    send(paced(remote, fake, rpm=4), 8)
    assert remote.statuses() == [200] * 8
    assert len(fake.waits) == 1 and fake.now - EPOCH == pytest.approx(60.0, abs=0.01)


def test_the_server_said_enough_after_a_429_with_headers(
    make_remote: MakeRemote, fake: FakeTime
) -> None:
    """A 429 that states the count: no phantom crowd, the next go as the server allows."""
    remote = limited(make_remote, fake, 3, headers=True)
    spend_elsewhere(remote, 3)
    fake.now += 59
    send(paced(remote, fake), 3)
    assert remote.statuses()[3:] == [429, 200, 200, 200]
    assert fake.reasons() == ["429"]


def test_ietf_headers_from_another_gateway(fake: FakeTime) -> None:
    """A gateway the emulator does not imitate: RateLimit-* headers, reset as an epoch."""
    answers = iter(["2", "1", "0", "7"])

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        remaining = next(answers)
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("RateLimit-Remaining", remaining),
                                  ("RateLimit-Reset", str(int(fake.now) + 20))])
        return [b'{"id": 1, "public_id": "p", "name": "n", "site_url": "https://x"}']

    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://gateway")
    client = HelpCenterClient(http, organization_id=ORG, token=Secret(TOKEN),
                              requests_per_minute=60, clock=fake.clock, sleep=fake.sleep,
                              on_wait=fake.on_wait)
    send(client, 4)
    assert fake.waits == [(pytest.approx(20.0), "server")]


def test_a_request_on_its_way_counts_against_the_servers_count(
    tmp_path: Path, fake: FakeTime
) -> None:
    """Another process's request left before ours and is not answered yet: the server
    may count it after ours, so the one slot our answer says is left is not ours."""
    path = tmp_path / "budget.json"
    other = SpendRecord(path)
    with other.transaction(fake.now) as tx:
        tx.send(fake.now)  # in flight
    fake.now += 0.01
    budget = RequestBudget(60, clock=fake.clock, sleep=fake.sleep, record=SpendRecord(path),
                           on_wait=fake.on_wait)
    stamp = budget.before_send()
    fake.now += 0.1
    budget.after_answer(stamp, {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": "30"})
    budget.before_send()
    assert fake.waits == [(pytest.approx(30.0), "server")]
