"""Observers attached after construction: every attempt, every wait, never the token."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kbsync.config import Config
from kbsync.console import Console
from kbsync.remote.client import HelpCenterClient
from kbsync.session import observed
from tests.remote.budget_time import FakeTime
from tests.remote.conftest import TOKEN, Remote, Sleeps, fake_client


def once_429_then(status: int = 200) -> Callable[..., Any]:
    calls = [0]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        calls[0] += 1
        if calls[0] == 1:
            start_response("429 Too Many Requests", [("Content-Type", "application/json"),
                                                     ("Retry-After", "7")])
            return [b'{"detail": "slow down"}']
        start_response(f"{status} OK", [("Content-Type", "application/json")])
        return [b'{"id": 1, "slug": "acme", "name": "Acme"}']

    return app


def test_observers_see_each_attempt_and_the_wait_before_a_retry() -> None:
    events: list[tuple[Any, ...]] = []
    client = fake_client(once_429_then(), sleep=Sleeps())
    client.observe(on_request=lambda m, p, s, t: events.append(("request", m, p, s)),
                   on_wait=lambda seconds, reason: events.append(("wait", seconds, reason)))
    client.get_json("/organizations/1/")
    assert events == [("request", "GET", "/organizations/1/", 429), ("wait", 7.0, "429"),
                      ("request", "GET", "/organizations/1/", 200)]


def test_observers_add_to_the_constructor_hook_instead_of_replacing_it() -> None:
    seen: list[str] = []
    client = fake_client(once_429_then(), on_request=lambda m, p, s, t: seen.append("hook"))
    client.observe(on_request=lambda m, p, s, t: seen.append("observer"))
    client.get_json("/organizations/1/")
    assert seen == ["hook", "observer", "hook", "observer"]


def test_under_v_the_console_lists_requests_and_never_the_token(remote: Remote) -> None:
    err = io.StringIO()
    console = Console(verbosity=1, stdout=io.StringIO(), stderr=err)

    @contextmanager
    def connect(config: Config) -> Iterator[HelpCenterClient]:
        yield remote.client()

    with observed(connect, on_request=console.request, on_wait=console.waiting)(
            Config(root=Path("."))) as client:
        client.list_articles()
        client.get_portal()
    lines = err.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "GET /organizations/1/portal/articles/ -> 200",
        "GET /organizations/1/portal/ -> 200"]
    assert all(line.endswith(" ms)") for line in lines)
    assert TOKEN not in err.getvalue() and TOKEN[:6] not in err.getvalue()


def test_the_constructor_hook_and_observers_hear_each_wait_once_budget_waits_too() -> None:
    heard: list[tuple[str, str]] = []
    time = FakeTime()
    client = fake_client(once_429_then(), sleep=time.sleep, clock=time.clock,
                         requests_per_minute=1,
                         on_wait=lambda s, reason: heard.append(("hook", reason)))
    client.observe(on_wait=lambda s, reason: heard.append(("observer", reason)))
    client.get_json("/organizations/1/")  # 429: the retry waits, then the budget paces it
    assert heard[:2] == [("hook", "429"), ("observer", "429")]
    assert [who for who, _ in heard] == ["hook", "observer"] * (len(heard) // 2)
    assert all(heard[i][1] == heard[i + 1][1] for i in range(0, len(heard), 2))  # once each
    heard.clear()
    client.get_json("/organizations/1/")  # the minute's budget of 1 is spent: the budget waits
    assert heard == [("hook", "budget"), ("observer", "budget")]
