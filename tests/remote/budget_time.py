"""Fake time for the budget tests: one clock shared by the client and the emulator.

The emulator's rate limiter reads the same clock (``rate_clock``), so a minute-long
window passes on both sides of the wire the instant something sleeps, and every wait
is deterministic: tests assert what was waited for and how the server answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kbsync.remote.budget import WaitReason

EPOCH = 1_700_000_000.0  # a wall-clock time, as the shared record holds


@dataclass
class FakeTime:
    """A wall clock that moves only when something sleeps (or a test advances it)."""

    now: float = EPOCH
    sleeps: list[float] = field(default_factory=list)
    waits: list[tuple[float, WaitReason]] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)

    def on_wait(self, seconds: float, reason: WaitReason) -> None:
        self.waits.append((seconds, reason))

    def reasons(self) -> list[WaitReason]:
        return [reason for _, reason in self.waits]
