"""Reading the server's count from rate-limit headers, whichever convention it follows."""

from __future__ import annotations

import httpx
import pytest

from kbsync.remote.rate_headers import ServerCount, server_count

NOW = 1_700_000_000.0


def read(**headers: str) -> ServerCount | None:
    return server_count(httpx.Headers({k.replace("_", "-"): v for k, v in headers.items()}), NOW)


def test_x_ratelimit_headers_in_any_case() -> None:
    assert read(x_ratelimit_limit="60", x_ratelimit_remaining="12",
                x_ratelimit_reset="30") == ServerCount(12, 30.0, 60)
    assert server_count(httpx.Headers({"x-RATELIMIT-remaining": "0", "X-RateLimit-Reset": "5"}),
                        NOW) == ServerCount(0, 5.0, None)


def test_ietf_draft_headers() -> None:
    assert read(RateLimit_Remaining="3", RateLimit_Reset="7") == ServerCount(3, 7.0, None)


@pytest.mark.parametrize(("reset", "seconds"), [
    ("30", 30.0),  # seconds from now
    ("0.5", 0.5),
    (str(int(NOW) + 42), 42.0),  # an epoch timestamp
    (str(int(NOW * 1000) + 1500), 1.5),  # an epoch in milliseconds
    (str(int(NOW) - 10), 0.0),  # an epoch already past: now
])
def test_reset_as_seconds_or_as_an_epoch(reset: str, seconds: float) -> None:
    count = read(x_ratelimit_remaining="0", x_ratelimit_reset=reset)
    assert count is not None and count.reset == pytest.approx(seconds)


@pytest.mark.parametrize("headers", [
    {},
    {"X-RateLimit-Remaining": "5"},  # no reset: nothing to plan with
    {"X-RateLimit-Reset": "5"},
    {"X-RateLimit-Remaining": "many", "X-RateLimit-Reset": "5"},
    {"X-RateLimit-Remaining": "-1", "X-RateLimit-Reset": "5"},
    {"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "soon"},
    {"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "nan"},
    {"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "500000"},  # neither delta nor epoch
    {"RateLimit": "garbage"},
])
def test_what_is_not_a_count_is_ignored(headers: dict[str, str]) -> None:
    assert server_count(httpx.Headers(headers), NOW) is None


def test_the_x_headers_come_first() -> None:
    assert read(x_ratelimit_remaining="1", x_ratelimit_reset="2",
                RateLimit_Remaining="9", RateLimit_Reset="9") == ServerCount(1, 2.0, None)


def test_the_combined_header_of_draft_7() -> None:
    assert read(RateLimit="limit=60, remaining=50, reset=30") == ServerCount(50, 30.0, 60)


def test_the_combined_header_of_draft_8_takes_the_tightest_policy() -> None:
    header = '"burst";r=5;t=10, "minute";r=50;t=40'
    assert read(RateLimit=header) == ServerCount(5, 10.0, None)
    assert read(RateLimit='"default";r=0;t=12') == ServerCount(0, 12.0, None)
