"""The gateway side: rate limit, injected faults, the request log and its control paths."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from kbsync.emulator.app import ALL_FAULT_KINDS, EmulatorApp, RateDecision, RateLimiter

from .conftest import ARTICLES, ORG, client_for

Make = Callable[..., EmulatorApp]


def test_rate_limit_answers_429_with_retry_after(make_app: Make) -> None:
    client = client_for(make_app(rate_limit=2, rate_window=0.2))
    assert [client.get(f"{ORG}/").status_code for _ in range(2)] == [200, 200]
    limited = client.get(f"{ORG}/")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    assert limited.json()["detail"].startswith("Request was throttled.")
    time.sleep(0.21)
    assert client.get(f"{ORG}/").status_code == 200


def test_rate_limit_is_per_token_and_logged(make_app: Make) -> None:
    app = make_app(rate_limit=1, rate_window=60)
    client_for(app).get(f"{ORG}/")
    assert client_for(app).get(f"{ORG}/").status_code == 429
    assert client_for(app, token="other").get(f"{ORG}/").status_code == 401
    assert [entry["status"] for entry in app.requests()] == [200, 429, 401]


def test_retry_after_counts_whole_seconds_until_a_slot_frees(make_app: Make) -> None:
    client = client_for(make_app(rate_limit=1, rate_window=60))
    client.get(f"{ORG}/")
    assert client.get(f"{ORG}/").headers["Retry-After"] == "60"


def admit(limiter: RateLimiter, key: str, at: float) -> RateDecision:
    decision = limiter.admit(key, at)
    assert decision is not None
    return decision


def test_the_window_rolls_instead_of_resetting() -> None:
    """A fixed window would admit a burst at its boundary; a rolling one never does."""
    limiter = RateLimiter(3, 60.0)
    times = (0.0, 40.0, 50.0, 59.0, 60.0, 61.0, 99.0, 100.0, 109.9, 110.0)
    admitted = [t for t in times if admit(limiter, "token", t).admitted]
    # 59 is refused (three in the last minute); 60 frees the slot of 0; 61 finds 40, 50, 60.
    assert admitted == [0.0, 40.0, 50.0, 60.0, 100.0, 110.0]


def test_the_window_is_kept_per_token() -> None:
    limiter = RateLimiter(1, 60.0)
    assert [admit(limiter, key, 0.0).admitted for key in ("a", "b", "a")] == [True, True, False]
    assert RateLimiter(0, 60.0).admit("a", 0.0) is None


def test_remaining_and_reset_follow_the_oldest_request() -> None:
    limiter = RateLimiter(2, 60.0)
    first, second, third = (admit(limiter, "t", at) for at in (0.0, 10.5, 20.0))
    assert (first.remaining, first.reset) == (1, 60)
    assert (second.remaining, second.reset) == (0, 50)
    assert (third.admitted, third.remaining, third.reset) == (False, 0, 40)


def test_no_rate_limit_headers_unless_asked(make_app: Make) -> None:
    response = client_for(make_app(rate_limit=5)).get(f"{ORG}/")
    assert response.status_code == 200
    assert not [name for name in response.headers if name.lower().startswith("x-ratelimit")]


def test_without_a_rate_limit_every_answer_says_there_is_none(make_app: Make) -> None:
    response = client_for(make_app()).get(f"{ORG}/")
    assert response.status_code == 200 and response.headers["X-RateLimit-Limit"] == "unlimited"


def test_rate_limit_headers_count_down_and_agree_with_retry_after(make_app: Make) -> None:
    client = client_for(make_app(rate_limit=2, rate_limit_headers=True))
    answers = [client.get(f"{ORG}/") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"2"}
    assert answers[2].headers["X-RateLimit-Reset"] == answers[2].headers["Retry-After"] == "60"


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("503", 503), ("429", 429)])
def test_error_faults_answer_without_doing_the_work(make_app: Make, kind: str, status: int) -> None:
    app = make_app(faults=1.0, fault_kinds=(kind,))
    response = client_for(app).post(ARTICLES, json={"title": "t"})
    assert response.status_code == status
    assert "Retry-After" not in response.headers
    assert app.store.list_articles()[0] == 0
    assert app.requests()[0]["fault"] == kind


def test_drop_in_process_raises_and_does_nothing(make_app: Make) -> None:
    app = make_app(faults=1.0, fault_kinds=("drop",))
    with pytest.raises(ConnectionResetError, match="emulator: connection dropped"):
        client_for(app).post(ARTICLES, json={"title": "t"})
    assert app.store.list_articles()[0] == 0
    assert app.requests()[0] | {"at": 0} == {
        "method": "POST",
        "path": ARTICLES,
        "query": {},
        "status": None,
        "at": 0,
        "fault": "drop",
    }


def test_slow_fault_delays_then_answers(make_app: Make) -> None:
    client = client_for(make_app(faults=1.0, fault_kinds=("slow",), slow_seconds=0.05))
    started = time.perf_counter()
    assert client.get(f"{ORG}/").status_code == 200
    assert time.perf_counter() - started >= 0.05


def test_commit_then_500_really_commits(make_app: Make) -> None:
    app = make_app(faults=1.0, fault_kinds=("commit_then_500",))
    response = client_for(app).post(ARTICLES, json={"title": "Duplicated by naive clients"})
    assert response.status_code == 500
    count, (article,) = app.store.list_articles()
    assert count == 1 and article["title"] == "Duplicated by naive clients"


def test_commit_then_drop_in_process_commits_then_raises(make_app: Make) -> None:
    app = make_app(faults=1.0, fault_kinds=("commit_then_drop",))
    with pytest.raises(ConnectionResetError):
        client_for(app).post(ARTICLES, json={"title": "t"})
    assert app.store.list_articles()[0] == 1


def test_reads_never_get_commit_faults(make_app: Make) -> None:
    app = make_app(faults=1.0, fault_kinds=("commit_then_500", "commit_then_drop"))
    assert client_for(app).get(ARTICLES).status_code == 200
    assert app.requests()[0]["fault"] is None


def test_faults_are_reproducible_from_the_seed(make_app: Make) -> None:
    def run() -> list[object]:
        app = make_app(faults=0.5, seed=7, fault_kinds=("500", "503"))
        client = client_for(app)
        for _ in range(20):
            client.get(f"{ORG}/")
        return [entry["fault"] for entry in app.requests()]

    first = run()
    assert first == run() and {None, "500", "503"} == set(first)


def test_set_faults_at_runtime(app: EmulatorApp, client: httpx.Client) -> None:
    app.set_faults(1.0, kinds=["503"])
    assert client.get(f"{ORG}/").status_code == 503
    app.set_faults(0.0)
    assert client.get(f"{ORG}/").status_code == 200
    with pytest.raises(ValueError, match="unknown fault kind"):
        app.set_faults(0.5, kinds=["fire"])
    with pytest.raises(ValueError, match="between 0 and 1"):
        app.set_faults(1.5)


def test_request_log_and_reset(app: EmulatorApp, client: httpx.Client) -> None:
    client.get(ARTICLES, params={"page_size": "5"})
    (entry,) = app.requests()
    assert entry["method"] == "GET" and entry["query"] == {"page_size": "5"}
    assert entry["status"] == 200 and entry["fault"] is None
    assert abs(entry["at"] - time.time()) < 5
    app.reset_log()
    assert app.requests() == []


def test_control_paths_need_no_token_and_are_not_logged(
    app: EmulatorApp, client: httpx.Client
) -> None:
    client.get(f"{ORG}/")
    anonymous = client_for(app, token=None)
    assert [e["path"] for e in anonymous.get("/_emulator/requests").json()] == [f"{ORG}/"]
    assert anonymous.post("/_emulator/reset").status_code == 204
    assert anonymous.get("/_emulator/requests").json() == []


def test_control_path_changes_faults(app: EmulatorApp, client: httpx.Client) -> None:
    answer = client.post("/_emulator/faults", json={"rate": 1.0, "seed": 3, "kinds": ["429"]})
    assert answer.json() == {"rate": 1.0, "seed": 3, "kinds": ["429"]}
    assert client.get(f"{ORG}/").status_code == 429
    assert client.post("/_emulator/faults", json={"rate": 0}).json()["kinds"] == list(
        ALL_FAULT_KINDS
    )
    assert client.get(f"{ORG}/").status_code == 200
    assert client.post("/_emulator/faults", json={"rate": 2}).status_code == 400
