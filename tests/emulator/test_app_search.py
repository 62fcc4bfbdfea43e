"""Article search: relevance, safety of free text, status filter, paging."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import ARTICLES, SEARCH, create


def _search(client: httpx.Client, q: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(SEARCH, params={"q": q, **params})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_title_match_ranks_above_a_single_body_mention(client: httpx.Client) -> None:
    body_only = create(
        client,
        ARTICLES,
        title="Account settings",
        content="Many things live here. You can also change the invoice address. " * 3,
        status="published",
    )
    titled = create(
        client, ARTICLES, title="Invoice address", content="Edit it.", status="published"
    )
    create(client, ARTICLES, title="Unrelated", content="Nothing to see.", status="published")
    results = _search(client, "invoice address")
    assert [r["id"] for r in results] == [titled["id"], body_only["id"]]
    scores = [r["score"] for r in results]
    assert all(isinstance(s, float) for s in scores) and scores[0] > scores[1]


def test_stemming_and_results_are_full_articles(client: httpx.Client) -> None:
    article = create(client, ARTICLES, title="Exporting reports", status="published")
    (hit,) = _search(client, "export report")
    assert hit["id"] == article["id"] and hit["url"] == article["url"] and "content" in hit


def test_excerpt_and_html_body_are_searched(client: httpx.Client) -> None:
    a = create(client, ARTICLES, title="a", excerpt="About webhooks", status="published")
    b = create(
        client, ARTICLES, title="b", content_html="<p>Configure <b>SAML</b></p>", status="published"
    )
    assert [r["id"] for r in _search(client, "webhooks")] == [a["id"]]
    assert [r["id"] for r in _search(client, "saml")] == [b["id"]]


def test_fts_syntax_and_punctuation_never_error(client: httpx.Client) -> None:
    create(client, ARTICLES, title="Reset password", status="published")
    for q in ('"unbalanced', "NEAR(a b)", "pass*", "-reset", "a AND OR", "title:reset", "?!"):
        client.get(SEARCH, params={"q": q}).raise_for_status()
    assert len(_search(client, 'how do I reset my password?!"')) == 1


def test_empty_query_gives_an_empty_page(client: httpx.Client) -> None:
    create(client, ARTICLES, title="Anything", status="published")
    assert client.get(SEARCH, params={"q": " "}).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_published_only_unless_asked(client: httpx.Client) -> None:
    draft = create(client, ARTICLES, title="Draft billing guide")
    assert _search(client, "billing") == []
    assert [r["id"] for r in _search(client, "billing", status="draft")] == [draft["id"]]


def test_search_is_paginated(client: httpx.Client) -> None:
    for n in range(30):
        create(client, ARTICLES, title=f"Billing {n}", status="published")
    page = client.get(SEARCH, params={"q": "billing", "page_size": 10}).json()
    assert page["count"] == 30 and len(page["results"]) == 10 and "page=2" in page["next"]


def test_edits_are_reindexed_and_deletes_unindexed(client: httpx.Client) -> None:
    article = create(client, ARTICLES, title="Old words", status="published")
    client.patch(f"{ARTICLES}{article['id']}/", json={"title": "Fresh words"})
    assert _search(client, "old") == [] and len(_search(client, "fresh")) == 1
    client.delete(f"{ARTICLES}{article['id']}/")
    assert _search(client, "fresh") == []
