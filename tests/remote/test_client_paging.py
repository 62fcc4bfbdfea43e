"""Lists are read to the end: 100 per page, ``next`` followed verbatim, bare arrays accepted."""

from __future__ import annotations

from typing import Any

import pytest

from kbsync.errors import ContractError
from kbsync.remote.actual import read_actual

from .conftest import ORG, Remote, fake_client, wsgi_json

ARTICLES = f"/organizations/{ORG}/portal/articles/"


def seed_articles(remote: Remote, count: int) -> None:
    for number in range(count):
        remote.app.store.create_article({"title": f"Article {number}", "slug": f"a-{number}"})


def test_a_list_over_three_pages_is_read_whole(remote: Remote) -> None:
    seed_articles(remote, 250)
    client = remote.client()
    articles = client.list_articles()
    assert [a.fields.slug for a in articles] == [f"a-{n}" for n in range(250)]
    log = remote.app.requests()
    assert [entry["query"] for entry in log] == [
        {"page_size": "100"},
        {"page_size": "100", "page": "2"},
        {"page_size": "100", "page": "3"},
    ]
    assert client.request_count == 3


def test_iter_articles_streams_page_by_page(remote: Remote) -> None:
    seed_articles(remote, 150)
    client = remote.client()
    first = next(client.iter_articles())
    assert first.fields.slug == "a-0"
    assert client.request_count == 1


def test_collections_over_two_pages(remote: Remote) -> None:
    for number in range(120):
        remote.app.store.create_collection({"name": f"C {number}", "slug": f"c-{number}"})
    assert len(remote.client().list_collections()) == 120
    assert len(remote.app.requests()) == 2


def test_search_follows_pages_up_to_the_limit(remote: Remote) -> None:
    for number in range(130):
        remote.app.store.create_article({"title": f"Printer {number}", "slug": f"p-{number}",
                                         "status": "published"})
    hits = remote.client().search_articles("printer", limit=120)
    assert len(hits) == 120
    assert [entry["query"].get("page") for entry in remote.app.requests()] == [None, "2"]


def test_a_bare_json_array_is_one_page() -> None:
    body = [{"id": 1, "title": "T", "slug": "t"}]
    assert [a.id for a in fake_client(wsgi_json(200, body)).list_articles()] == [1]


def test_an_unknown_list_shape_is_a_contract_error() -> None:
    client = fake_client(wsgi_json(200, {"items": []}))
    with pytest.raises(ContractError) as caught:
        client.list_articles()
    assert str(caught.value) == (
        "articles: expected a page {count, next, results} or a JSON array "
        "(run `kbsync doctor` to compare the tenant with the contract)"
    )


def paged(next_url: str | None) -> dict[str, Any]:
    return {"count": 1, "next": next_url, "previous": None, "results": []}


def test_a_next_link_to_another_host_is_refused() -> None:
    client = fake_client(wsgi_json(200, paged("https://evil.example/steal/?page=2")))
    with pytest.raises(ContractError) as caught:
        client.list_articles()
    assert str(caught.value) == (
        "articles: the 'next' link points to https://evil.example, not to the base URL "
        "http://testserver; refusing to send the token there (check base_url, or the "
        "server's proxy settings)"
    )
    assert client.request_count == 1


def test_a_next_link_that_repeats_stops_the_loop() -> None:
    client = fake_client(wsgi_json(200, paged("http://testserver/same/?page=2")))
    with pytest.raises(ContractError, match="the 'next' link repeats /same/\\?page=2"):
        client.list_articles()
    assert client.request_count == 2


def test_a_next_link_to_the_page_itself_is_seen_before_it_is_followed() -> None:
    here = "http://testserver/organizations/1/tickets/?page_size=100&page=1"
    client = fake_client(wsgi_json(200, paged(here)))
    with pytest.raises(ContractError, match="the 'next' link repeats /organizations/1/tick"):
        client.get_page("/organizations/1/tickets/", {"page": "1", "page_size": "100"})
    assert client.request_count == 1


def test_an_object_of_the_wrong_shape_points_at_doctor() -> None:
    client = fake_client(wsgi_json(200, [{"id": 7, "slug": "no-title"}]))
    with pytest.raises(ContractError) as caught:
        client.list_articles()
    assert str(caught.value) == (
        "article 7: field 'title' is missing from the answer "
        "(run `kbsync doctor` to compare the tenant with the contract)"
    )


def test_read_actual_tells_how_many_articles_come_before_reading_their_pages(
        remote: Remote) -> None:
    """init starts its converting workers on this count while the pages are on the way."""
    first = remote.app.store.create_collection({"name": "One", "slug": "one"})
    second = remote.app.store.create_collection({"name": "Two", "slug": "two",
                                                 "parent_id": first["id"]})
    for number in range(7):
        remote.app.store.create_article({"title": f"A {number}", "slug": f"a-{number}",
                                         "collection_id": (first, second)[number % 2]["id"]})
    remote.app.store.create_article({"title": "Loose", "slug": "loose"})
    client = remote.client()
    told: list[tuple[int, int]] = []
    actual = read_actual(client, with_portal=False,
                         expect=lambda count: told.append((count, client.request_count)))
    assert told == [(7, 2)]  # after the organization and the collection tree, no page yet
    assert len(actual.articles) == 8
