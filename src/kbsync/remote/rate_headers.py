"""What a response's rate-limit headers say about the token's budget, read defensively.

initdesk does not document such headers (its 429 is the only documented signal), but
gateways in front of an API often add them, and when they do they know better than any
client-side count: they see the requests of every machine using the token. The names
live in :mod:`kbsync.remote.wire`; this module only reads them.

A reset is either seconds from now (the IETF drafts, most gateways) or an epoch
timestamp (GitHub and friends). No per-minute limit resets more than a day away, and no
epoch timestamp of this century is below 10^9, so the size tells them apart; an epoch in
milliseconds (above 10^12) is accepted too. Anything else (negative, not a number, both
headers not there) means "the server did not say", never an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kbsync.remote import wire

_EPOCH_SECONDS = 1e9
_EPOCH_MILLISECONDS = 1e12
_MAX_DELTA = 86_400.0
_PARAMETER = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("?)([^",;\s]*)\2')


@dataclass(frozen=True, slots=True)
class ServerCount:
    """The server's own count: ``remaining`` requests until ``reset`` seconds from now."""

    remaining: int
    reset: float
    limit: int | None = None


def server_count(headers: Mapping[str, str], now: float) -> ServerCount | None:
    """The count the headers state, or None; ``now`` is the wall clock (epoch resets).

    ``headers`` should look names up case-insensitively, as ``httpx.Headers`` does.
    """
    for limit_name, remaining_name, reset_name in wire.RATE_LIMIT_HEADER_SETS:
        remaining = _count(headers.get(remaining_name))
        reset = _reset(headers.get(reset_name), now)
        if remaining is not None and reset is not None:
            return ServerCount(remaining, reset, _count(headers.get(limit_name)))
    combined = headers.get(wire.RATE_LIMIT_COMBINED_HEADER)
    return _combined(combined, now) if combined else None


def states_unlimited(headers: Mapping[str, str]) -> bool:
    """The server says it has no limit at all (``X-RateLimit-Limit: unlimited``)."""
    name, word = wire.RATE_LIMIT_UNLIMITED
    return (headers.get(name) or "").strip().lower() == word


def _count(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def _reset(raw: str | None, now: float) -> float | None:
    """Seconds from now until the reset, from seconds or an epoch timestamp."""
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    if value != value or value < 0:  # NaN or negative
        return None
    if value >= _EPOCH_MILLISECONDS:
        return max(0.0, value / 1000.0 - now)
    if value >= _EPOCH_SECONDS:
        return max(0.0, value - now)
    return value if value <= _MAX_DELTA else None


def _combined(raw: str, now: float) -> ServerCount | None:
    """``RateLimit``: the most constraining of its policies (draft -08 lists several)."""
    items = [dict((k.lower(), v) for k, _, v in _PARAMETER.findall(item))
             for item in raw.split(",")]
    if not any(_has(item, wire.RATE_LIMIT_COMBINED_REMAINING) for item in items):
        return None
    if not all(_has(item, wire.RATE_LIMIT_COMBINED_REMAINING) for item in items if item):
        # Draft -07: one dictionary spread over the comma-separated members.
        items = [{k: v for item in items for k, v in item.items()}]
    counts = [_item_count(item, now) for item in items]
    known = [count for count in counts if count is not None]
    return min(known, key=lambda c: (c.remaining, -c.reset)) if known else None


def _has(item: Mapping[str, str], names: tuple[str, ...]) -> bool:
    return any(name in item for name in names)


def _first(item: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((item[name] for name in names if name in item), None)


def _item_count(item: Mapping[str, str], now: float) -> ServerCount | None:
    remaining = _count(_first(item, wire.RATE_LIMIT_COMBINED_REMAINING))
    reset = _reset(_first(item, wire.RATE_LIMIT_COMBINED_RESET), now)
    if remaining is None or reset is None:
        return None
    return ServerCount(remaining, reset, _count(_first(item, wire.RATE_LIMIT_COMBINED_LIMIT)))
