"""The token bucket: small bursts, even spread, never over the rolling-minute budget."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.remote.throttle import TokenBucket, default_capacity, refill_rate

from .conftest import MakeRemote


@dataclass
class FakeTime:
    """A clock that only moves when something sleeps (or the test advances it)."""

    now: float = 1000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def bucket(rpm: int) -> tuple[TokenBucket, FakeTime]:
    fake = FakeTime()
    return TokenBucket(rpm, clock=fake.clock, sleep=fake.sleep), fake


def test_zero_means_unthrottled() -> None:
    throttle, fake = bucket(0)
    for _ in range(1000):
        throttle.acquire()
    assert fake.now == 1000.0


def test_a_small_burst_then_an_even_spread() -> None:
    throttle, fake = bucket(60)
    assert throttle.capacity == 5
    times = []
    for _ in range(8):
        throttle.acquire()
        times.append(fake.now - 1000.0)
    assert times[:5] == [0.0] * 5
    step = 60 / 55
    assert [round(t, 6) for t in times[5:]] == [round(step * n, 6) for n in (1, 2, 3)]


def test_capacity_and_rate_fill_exactly_one_budget() -> None:
    for rpm in (2, 12, 60, 100, 600):
        capacity = default_capacity(rpm)
        assert capacity + refill_rate(rpm, capacity) * 60 == pytest.approx(rpm)
    assert default_capacity(1) == 1 and refill_rate(1, 1) > 0


@settings(max_examples=60, deadline=None)
@given(
    rpm=st.integers(min_value=1, max_value=120),
    gaps=st.lists(st.floats(min_value=0.0, max_value=5.0), min_size=1, max_size=300),
)
def test_no_rolling_minute_holds_more_than_the_budget(rpm: int, gaps: list[float]) -> None:
    throttle, fake = bucket(rpm)
    sent: list[float] = []
    for gap in gaps:
        fake.now += gap  # the caller's own pace between requests
        throttle.acquire()
        sent.append(fake.now)
    for index, start in enumerate(sent):
        in_window = [t for t in sent[index:] if t < start + 60.0 - 1e-9]
        assert len(in_window) <= rpm


def test_the_server_sees_requests_spread_out(make_http_remote: MakeRemote) -> None:
    """Really waits (~2.5 s): 30 requests at 600 rpm, measured from the emulator's log."""
    remote = make_http_remote()
    client = remote.client(requests_per_minute=600, sleep=time.sleep)
    for _ in range(30):
        client.get_portal()
    at = [entry["at"] for entry in remote.app.requests()]
    assert len(at) == 30
    capacity = default_capacity(600)
    minimum = (30 - capacity) / refill_rate(600, capacity)  # 25 / 9.917 = 2.52 s
    assert at[-1] - at[0] >= minimum - 0.05
    tenth = [at[i + 10] - at[i] for i in range(capacity, 20)]
    assert min(tenth) >= 10 / refill_rate(600, capacity) - 0.05  # steady after the burst
