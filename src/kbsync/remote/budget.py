"""The per-minute request budget: spend it while it is there, pace only when it is not.

initdesk admits ``requests_per_minute`` requests per token in any rolling minute. A
no-op plan needs about 22, so when the minute is unspent they should all go at once;
only a run that needs more than the budget should wait, and then exactly until the
oldest request of the window leaves it. Before each request the budget decides, in order:

1. After a 429, nothing goes before its ``Retry-After`` (or the backoff) has passed.
2. When the server says it has no limit at all (``X-RateLimit-Limit: unlimited``, as
   kbsync's emulator does without ``--rate-limit``), nothing waits but for a 429.
   When the server states its own count (rate-limit headers, see :mod:`rate_headers`),
   it wins over ours: it sees every machine using the token. Remaining requests go at
   once; at zero, the next one waits for the stated reset. The reset is rounded to whole
   seconds, so when our record alone fills the server's window (nobody else spent), the
   record's exact times are used instead.
3. Otherwise the :class:`~kbsync.remote.spend_record.SpendRecord`: a request goes while
   fewer than ``requests_per_minute`` were sent in the last 60 s, by this process or by
   an earlier one (``plan`` then ``apply`` in one CI job), else when the oldest leaves.

Each request is recorded when sent and re-stamped when its answer arrives. The server
counts it on arrival, which lies between the two; counting a window from the later
stamp can never be early, whatever the network's latency, so no safety margin is added
for it. Clock skew between client and server does not matter: each side measures
durations on its own clock. A server that counts in coarser steps than ours may still
disagree by a fraction of a second; its 429 then costs one wait, and teaches the budget:
the window is taken as full (phantom requests leaving at the server's pace from the
``Retry-After`` on) so the requests that follow are paced instead of refused again.

``requests_per_minute == 0`` turns all of this off. Time is injected: ``clock`` is the
wall clock (the record is shared with other processes), ``sleep`` waits.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from kbsync.remote.rate_headers import ServerCount, server_count, states_unlimited
from kbsync.remote.spend_record import SpendRecord, Transaction

log = logging.getLogger("kbsync.remote")

WINDOW_SECONDS = 60.0

#: Why a request waits: "budget" (our record of the minute is full), "server" (its
#: headers say nothing is left until the reset), "429" (refused; waiting Retry-After).
WaitReason = Literal["budget", "server", "429"]
OnWait = Callable[[float, WaitReason], None]


@dataclass(frozen=True, slots=True)
class _ServerView:
    """The server's count, as one answer stated it (wall clock, like every time here)."""

    remaining: int  # less the reserve requests_per_minute keeps below the server's limit
    reset_at: float
    sent_at: float  # the request whose answer said it: sent then...
    answered_at: float  # ...and answered then (its stamp in the record)
    limit: int  # the smaller of the server's limit and requests_per_minute
    ours: bool  # our record alone held ``limit`` requests in the window then


class RequestBudget:
    """Decides when each request may go, and learns from every answer."""

    def __init__(
        self,
        requests_per_minute: int,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        record: SpendRecord | None = None,
        on_wait: OnWait | None = None,
        window: float = WINDOW_SECONDS,
    ) -> None:
        if requests_per_minute < 0:
            raise ValueError(f"requests_per_minute must be >= 0, got {requests_per_minute}")
        self.requests_per_minute = requests_per_minute
        self.window = window
        self.record = record if record is not None else SpendRecord(None, window=window)
        self._clock = clock
        self._sleep = sleep
        self._on_wait = on_wait
        self._blocked_until = -math.inf
        self._view: _ServerView | None = None
        self._unlimited = False  # the last answer that spoke of limits said there is none
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.requests_per_minute > 0

    def before_send(self) -> float | None:
        """Wait until one more request fits, record it; answer its stamp (None when off)."""
        if not self.enabled:
            return None
        while True:
            with self._lock:
                now = self._clock()
                with self.record.transaction(now) as tx:
                    wait, reason = self._wait(now, tx)
                    if wait <= 0:
                        return tx.send(now)
            log.debug("rate limit: waiting %.2f s (%s)", wait, reason)
            if self._on_wait is not None:
                self._on_wait(wait, reason)
            self._sleep(wait)

    def after_answer(self, stamp: float | None, headers: Mapping[str, str] | None) -> None:
        """Re-stamp the request at its answer (or failure); take the server's count."""
        if stamp is None:
            return
        with self._lock:
            now = self._clock()
            with self.record.transaction(now) as tx:
                received = tx.settle(stamp, max(now, stamp))
                if headers is not None and states_unlimited(headers):
                    self._unlimited = True
                    return
                count = server_count(headers, now) if headers is not None else None
                if count is not None:
                    self._unlimited = False
                    self._view = self._view_of(count, stamp, received, tx.times)

    def rate_limited(self, delay: float, headers: Mapping[str, str] | None = None) -> None:
        """A 429: nothing goes for ``delay`` s, then requests are paced as if the window were full.

        When the 429 states the server's count, :meth:`after_answer` took it and the
        server's word is enough; otherwise the window is filled with phantom requests
        that leave one every ``60 / requests_per_minute`` s from the end of the delay.
        Phantoms go to the shared record too: the next process meets the same crowd.
        """
        if not self.enabled:
            return
        with self._lock:
            now = self._clock()
            delay = min(max(delay, 0.0), self.window)
            self._blocked_until = max(self._blocked_until, now + delay)
            if headers is not None and server_count(headers, now) is not None:
                return
            step = self.window / self.requests_per_minute
            with self.record.transaction(now) as tx:
                missing = self.requests_per_minute - _count_after(tx.times, now - self.window)
                for k in range(missing):
                    tx.add(now + delay - self.window + k * step)

    # --- decisions --------------------------------------------------------------------------

    def _wait(self, now: float, tx: Transaction) -> tuple[float, WaitReason]:
        """Seconds to wait before one more request (<= 0: go now), and why."""
        if now < self._blocked_until:
            return self._blocked_until - now, "429"
        if self._unlimited:
            return 0.0, "server"
        view = self._view
        if view is not None:
            if now < view.reset_at:
                return self._server_wait(view, now, tx), "server"
            if not view.ours and not any(t >= view.reset_at for t in tx.times):
                # The slot the reset promised (someone else's request left); its answer
                # says more. When our record explains the window, it knows better.
                return 0.0, "server"
        return self._record_wait(now, tx.times, self.requests_per_minute) or 0.0, "budget"

    def _server_wait(self, view: _ServerView, now: float, tx: Transaction) -> float:
        """Go while the server's count has room, less what was sent since it was made.

        The count was made when the request arrived, some time after ``sent_at``: any
        request sent or answered since then, by any process, may be missing from it, and
        so may any still on its way; all of them are taken as spent.
        """
        spent_since = sum(1 for t in tx.times if t > view.sent_at and t != view.answered_at)
        spent_since += sum(1 for t in tx.times if t <= view.sent_at and tx.entries[t])
        if view.remaining - spent_since > 0:
            return 0.0
        if view.ours:
            # Our record alone filled the server's window: its exact times beat the
            # reset's whole seconds.
            exact = self._record_wait(now, tx.times, view.limit)
            return 0.0 if exact is None else min(exact, view.reset_at - now)
        return view.reset_at - now

    def _record_wait(self, now: float, times: list[float], limit: int) -> float | None:
        """Seconds until the record has room for one more (None: room now)."""
        in_window = [t for t in times if t > now - self.window]
        excess = len(in_window) - limit
        if excess < 0:
            return None
        return in_window[excess] + self.window - now

    def _view_of(self, count: ServerCount, sent: float, received: float,
                 times: list[float]) -> _ServerView:
        """The server's count, keeping back what requests_per_minute leaves to others."""
        limit = self.requests_per_minute
        reserve = 0
        if count.limit is not None:
            reserve = max(0, count.limit - self.requests_per_minute)
            limit = min(limit, count.limit)
        reset = min(count.reset, self.window)  # a per-minute budget never waits longer
        ours = _count_after(times, received - self.window) >= limit
        return _ServerView(count.remaining - reserve, received + reset, sent, received, limit,
                           ours)


def _count_after(times: list[float], moment: float) -> int:
    return sum(1 for t in times if t > moment)
