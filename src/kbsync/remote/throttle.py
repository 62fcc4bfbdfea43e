"""A client-side token bucket, so that a normal run never meets initdesk's 429.

initdesk counts requests per token over a rolling minute (60 by default). A classic
bucket that refills ``rpm / 60`` tokens a second on top of a full bucket of ``capacity``
can send ``capacity + rpm`` requests inside one minute, which is over budget. This one
refills ``(rpm - capacity) / 60`` a second instead, so a full bucket plus one minute of
refill is exactly ``rpm``: no 60-second window can hold more than the server allows,
however the requests are timed. The capacity is kept small (at most 5) so that a burst
costs little of the minute's budget and the rest is spread evenly.

Time is injected (``clock`` / ``sleep``) so tests can drive it without waiting.
"""

from __future__ import annotations

from collections.abc import Callable

WINDOW_SECONDS = 60.0
MAX_BURST = 5


class TokenBucket:
    """Blocks in :meth:`acquire` until one more request fits the per-minute budget.

    ``requests_per_minute == 0`` turns the bucket off (the emulator, tests).
    """

    def __init__(
        self,
        requests_per_minute: int,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        capacity: int | None = None,
    ) -> None:
        if requests_per_minute < 0:
            raise ValueError(f"requests_per_minute must be >= 0, got {requests_per_minute}")
        self.requests_per_minute = requests_per_minute
        self.capacity = capacity if capacity is not None else default_capacity(
            requests_per_minute
        )
        self.rate = refill_rate(requests_per_minute, self.capacity)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.capacity)
        self._last = clock()

    @property
    def enabled(self) -> bool:
        return self.requests_per_minute > 0

    def acquire(self) -> float:
        """Take one token, sleeping first if none is left; answer the seconds slept."""
        if not self.enabled:
            return 0.0
        self._refill()
        waited = 0.0
        if self._tokens < 1.0:
            waited = (1.0 - self._tokens) / self.rate
            self._sleep(waited)
            self._refill()
            # A sleep may return a hair early; never go below zero for it.
            self._tokens = max(self._tokens, 1.0)
        self._tokens -= 1.0
        return waited

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._last)
        self._last = now
        self._tokens = min(float(self.capacity), self._tokens + elapsed * self.rate)


def default_capacity(requests_per_minute: int) -> int:
    """A small burst: one token per 12 rpm, between 1 and :data:`MAX_BURST`."""
    return max(1, min(MAX_BURST, requests_per_minute // 12))


def refill_rate(requests_per_minute: int, capacity: int) -> float:
    """Tokens per second such that ``capacity`` + one minute of refill <= the budget.

    For a budget of 1 request a minute the formula would give 0; half the nominal rate
    still keeps a lone request per window there.
    """
    if requests_per_minute == 0:
        return 0.0
    per_minute = max(float(requests_per_minute - capacity), requests_per_minute / 2)
    return per_minute / WINDOW_SECONDS
