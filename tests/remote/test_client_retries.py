"""Retries: 429 (with and without Retry-After), 5xx, drops, timeouts, ambiguous creates.

Faults are injected by the emulator. ``fail_once`` turns them off after the first
attempt (through ``on_request``), which is how a test says "the first try fails, the
retry succeeds" without depending on a random seed.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Callable

import httpx
import pytest

from kbsync.config import Secret
from kbsync.errors import (
    AmbiguousWriteError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from kbsync.model import ArticleFields, CollectionFields
from kbsync.remote.client import HelpCenterClient

from .conftest import ORG, MakeRemote, Remote, Sleeps, fake_client, wsgi_json

ARTICLES = f"/organizations/{ORG}/portal/articles/"
WELCOME = ArticleFields(title="Welcome", slug="welcome")


def fail_once(remote: Remote, kind: str) -> Callable[[str, str, int | None, float], None]:
    """Inject ``kind`` on every request until the first attempt has been made."""
    remote.app.set_faults(1.0, kinds=[kind])
    return lambda method, path, status, seconds: remote.app.set_faults(0.0)


def failing(remote: Remote, kind: str, **options: object) -> HelpCenterClient:
    """A client whose first attempt suffers ``kind``."""
    return remote.client(on_request=fail_once(remote, kind), **options)


# --- reads are retried ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "503", "429", "drop"])
def test_a_read_is_retried_after_a_fault(remote: Remote, kind: str) -> None:
    client = failing(remote, kind)
    assert client.organization().id == ORG
    assert client.request_count == 2
    assert [entry["fault"] for entry in remote.app.requests()] == [kind, None]
    assert len(remote.sleeps.calls) == 1


def test_a_slow_answer_is_only_slow(make_remote: MakeRemote) -> None:
    remote = make_remote(slow_seconds=0.05)
    client = failing(remote, "slow")
    assert client.organization().id == ORG
    assert client.request_count == 1


def test_a_timed_out_read_is_retried(make_http_remote: MakeRemote) -> None:
    remote = make_http_remote(slow_seconds=0.5)
    client = failing(remote, "slow", timeout=0.1)
    assert client.organization().id == ORG
    assert client.request_count == 2


@pytest.mark.parametrize("kind", ["commit_then_500", "commit_then_drop"])
def test_an_update_is_retried_after_a_committed_fault(remote: Remote, kind: str) -> None:
    made = remote.client().create_article(WELCOME)
    client = failing(remote, kind)
    assert client.patch_article(made.id, {"title": "Hello"}).fields.title == "Hello"
    assert client.request_count == 2
    client = failing(remote, kind)
    replaced = client.update_article(made.id, ArticleFields(title="Hi", slug="welcome"))
    assert replaced.fields.title == "Hi"
    assert client.request_count == 2
    assert [e["method"] for e in remote.app.requests()][-4:] == ["PATCH"] * 2 + ["PUT"] * 2


@pytest.mark.parametrize("kind", ["commit_then_500", "commit_then_drop"])
def test_a_delete_whose_answer_was_lost_is_done(remote: Remote, kind: str) -> None:
    made = remote.client().create_article(WELCOME)
    client = failing(remote, kind)
    client.delete_article(made.id)
    assert client.request_count == 2
    assert remote.statuses()[-1] == 404
    assert remote.client().find_article_by_slug("welcome") is None


def test_a_first_404_on_delete_is_still_an_error(client: HelpCenterClient) -> None:
    with pytest.raises(Exception, match="article 99 not found"):
        client.delete_article(99)


# --- creates are not repeated when their outcome is unknown ----------------------------------


@pytest.mark.parametrize("kind", ["commit_then_500", "commit_then_drop"])
def test_an_ambiguous_create_raises_and_the_object_exists(remote: Remote, kind: str) -> None:
    client = failing(remote, kind)
    with pytest.raises(AmbiguousWriteError) as caught:
        client.create_article(WELCOME)
    assert client.request_count == 1
    assert "article 'welcome': POST /organizations/1/portal/articles/" in str(caught.value)
    assert str(caught.value).endswith(
        "it may or may not have been created: look it up by slug before trying again")
    found = client.find_article_by_slug("welcome")
    assert found is not None and found.fields.title == "Welcome"


@pytest.mark.parametrize("kind", ["500", "503", "drop"])
def test_a_failed_create_is_ambiguous_too(remote: Remote, kind: str) -> None:
    client = failing(remote, kind)
    with pytest.raises(AmbiguousWriteError):
        client.create_collection(CollectionFields(name="Home", slug="home"))
    assert client.request_count == 1
    assert client.find_collection_by_slug("home") is None


def test_the_500_create_message(remote: Remote) -> None:
    client = failing(remote, "commit_then_500")
    with pytest.raises(AmbiguousWriteError) as caught:
        client.create_collection(CollectionFields(name="Home", slug="home"))
    assert str(caught.value) == (
        "collection 'home': POST /organizations/1/portal/collections/ answered HTTP 500; it "
        "may or may not have been created: look it up by slug before trying again"
    )
    assert caught.value.status == 500


def test_a_timed_out_create_is_ambiguous(make_http_remote: MakeRemote) -> None:
    remote = make_http_remote(slow_seconds=0.4)
    client = failing(remote, "slow", timeout=0.1)
    with pytest.raises(AmbiguousWriteError, match="ReadTimeout"):
        client.create_article(WELCOME)


def test_a_rate_limited_create_is_retried_once_created(remote: Remote) -> None:
    client = failing(remote, "429")
    assert client.create_article(WELCOME).fields.slug == "welcome"
    assert remote.statuses() == [429, 201]
    assert len(client.list_articles()) == 1


# --- retries run out ---------------------------------------------------------------------------


def always(remote: Remote, kind: str, **options: object) -> HelpCenterClient:
    remote.app.set_faults(1.0, kinds=[kind])
    options.setdefault("max_retries", 2)
    return remote.client(**options)


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors_give_up_after_the_retries(remote: Remote, kind: str) -> None:
    client = always(remote, kind)
    with pytest.raises(ServerError) as caught:
        client.get_article(5)
    assert str(caught.value) == (
        f"article 5: the Help Center answered HTTP {kind} 3 times to GET "
        "/organizations/1/portal/articles/5/; it may be down, try again later: "
        + ("Service temporarily unavailable (emulated fault)." if kind == "503"
           else "Internal server error (emulated fault).")
    )
    assert client.request_count == 3


def test_drops_give_up_after_the_retries(remote: Remote) -> None:
    client = always(remote, "drop")
    with pytest.raises(TransportError) as caught:
        client.get_portal()
    assert str(caught.value).startswith(
        "portal: GET /organizations/1/portal/ failed 3 times, last with ")
    assert str(caught.value).endswith("; check the network and base_url, then retry")
    assert client.request_count == 3


def test_429_without_retry_after_backs_off_with_full_jitter(remote: Remote) -> None:
    client = always(remote, "429", max_retries=4, backoff_base=0.5, backoff_cap=1.5,
                    rng=random.Random(7))
    with pytest.raises(RateLimitedError) as caught:
        client.get_portal()
    assert str(caught.value) == (
        "portal: rate limited (429) 5 times on GET /organizations/1/portal/; wait a minute "
        "and retry, or lower requests_per_minute under [remote] in kbsync.toml (or "
        "INITDESK_RPM)"
    )
    ceilings = [0.5, 1.0, 1.5, 1.5]  # base * 2^n, capped
    assert len(remote.sleeps.calls) == 4
    assert all(0 <= s <= c for s, c in zip(remote.sleeps.calls, ceilings, strict=True))
    assert len(set(remote.sleeps.calls)) == 4  # jittered, not fixed


# --- Retry-After -------------------------------------------------------------------------------


def test_429_with_retry_after_waits_what_the_server_says(make_remote: MakeRemote) -> None:
    remote = make_remote(rate_limit=2, rate_window=0.3)
    remote.sleeps.real = 0.35  # the (shrunk) window must really pass; Retry-After says 1
    client = remote.client()
    for _ in range(3):
        client.get_portal()
    assert remote.statuses() == [200, 200, 429, 200]
    assert remote.sleeps.calls == [1.0]
    assert client.request_count == 4


def test_retry_after_is_bounded_by_the_cap() -> None:
    sleeps = Sleeps()
    client = fake_client(wsgi_json(429, {"detail": "slow down"}, {"Retry-After": "120"}),
                         sleep=sleeps, max_retries=2, backoff_cap=30.0)
    with pytest.raises(RateLimitedError):
        client.get_portal()
    assert sleeps.calls == [30.0, 30.0]


def test_retry_after_as_an_http_date() -> None:
    sleeps = Sleeps()
    date = "Wed, 21 Oct 2015 07:28:00 GMT"  # in the past: retry at once
    client = fake_client(wsgi_json(429, {}, {"Retry-After": date}), sleep=sleeps,
                         max_retries=1)
    with pytest.raises(RateLimitedError):
        client.get_portal()
    assert sleeps.calls == [0.0]


def test_a_404_after_a_mere_429_is_still_an_error(remote: Remote) -> None:
    client = failing(remote, "429")
    with pytest.raises(NotFoundError):
        client.delete_article(77)  # nothing was done by the 429: the article never existed
    assert remote.statuses() == [429, 404]


# --- no server at all -------------------------------------------------------------------------


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("call", ["organization", "create"])
def test_connection_refused_is_tried_7_times_over_15_s_then_called_unreachable(
        call: str) -> None:
    """Nothing was sent, so a create is tried again as safely as a read."""
    sleeps = Sleeps()
    url = f"http://127.0.0.1:{_closed_port()}"
    with httpx.Client(base_url=url) as http:
        client = HelpCenterClient(http, organization_id=ORG, token=Secret("x"),
                                  requests_per_minute=0, max_retries=2, sleep=sleeps)
        with pytest.raises(TransportError, match=r"the Help Center at http://127\.0\.0\.1:\d+ "
                           r"is unreachable: (GET|POST) /organizations/1/\S* found no server 7 "
                           r"times over 15 s, last with ConnectError"):
            client.organization() if call == "organization" else client.create_article(WELCOME)
    assert client.request_count == 7 and len(sleeps.calls) == 6 and sum(sleeps.calls) == 15
