"""Articles over HTTP: fields, derived values, filters and pagination."""

from __future__ import annotations

import httpx

from .conftest import ARTICLES, COLLECTIONS, create


def test_create_defaults(client: httpx.Client) -> None:
    article = create(client, ARTICLES, title="Reset your password")
    assert article["slug"] == "reset-your-password"
    assert (article["status"], article["published_at"], article["excerpt"]) == ("draft", None, None)
    assert (article["content"], article["content_html"], article["collection_id"]) == ("", "", None)
    assert article["created_at"] == article["updated_at"]
    assert article["updated_at"].endswith("Z")


def test_url_uses_the_collection_slug(client: httpx.Client) -> None:
    collection = create(client, COLLECTIONS, name="Getting started")
    article = create(client, ARTICLES, title="Welcome", collection_id=collection["id"])
    assert article["url"] == f"https://emulated.kb.center/getting-started/welcome-{article['id']}"


def test_published_at_is_set_once(client: httpx.Client) -> None:
    article = create(client, ARTICLES, title="t")
    path = f"{ARTICLES}{article['id']}/"
    published = client.patch(path, json={"status": "published"}).json()["published_at"]
    assert published is not None
    client.patch(path, json={"status": "draft"})
    assert client.patch(path, json={"status": "published"}).json()["published_at"] == published


def test_every_write_changes_updated_at(client: httpx.Client) -> None:
    article = create(client, ARTICLES, title="t")
    path = f"{ARTICLES}{article['id']}/"
    stamps = [client.patch(path, json={"position": 1}).json()["updated_at"] for _ in range(3)]
    assert len({article["updated_at"], *stamps}) == 4


def test_field_rules(client: httpx.Client) -> None:
    response = client.post(
        ARTICLES,
        json={"title": "", "status": "live", "position": -1, "collection_id": 9, "url": "x"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": ["This field may not be blank."],
        "status": ['"live" is not a valid choice.'],
        "position": ["Ensure this value is greater than or equal to 0."],
        "url": ["This field is read-only."],
    }
    response = client.post(ARTICLES, json={"title": "t", "collection_id": 9})
    assert response.json() == {"collection_id": ['Invalid pk "9" - object does not exist.']}


def test_duplicate_slug_is_400(client: httpx.Client) -> None:
    create(client, ARTICLES, title="a", slug="faq")
    response = client.post(ARTICLES, json={"title": "b", "slug": "faq"})
    assert response.json() == {"slug": ["An article with this slug already exists."]}


def test_filters(client: httpx.Client) -> None:
    collection = create(client, COLLECTIONS, name="c")["id"]
    inside = create(client, ARTICLES, title="in", collection_id=collection, status="published")
    create(client, ARTICLES, title="out")

    def ids(**params: str | int) -> list[int]:
        return [a["id"] for a in client.get(ARTICLES, params=params).json()["results"]]

    assert ids(collection_id=collection) == [inside["id"]]
    assert ids(status="published") == [inside["id"]]
    assert client.get(ARTICLES, params={"status": "gone"}).status_code == 400


def test_pagination_over_250_articles(client: httpx.Client) -> None:
    for n in range(250):
        create(client, ARTICLES, title=f"Article {n}")
    seen: list[int] = []
    url: str | None = f"{ARTICLES}?page_size=100"
    while url:
        page = client.get(url).json()
        assert page["count"] == 250
        seen += [a["id"] for a in page["results"]]
        url = page["next"]
    assert seen == sorted(seen) and len(set(seen)) == 250


def test_page_links_and_defaults(client: httpx.Client) -> None:
    for n in range(30):
        create(client, ARTICLES, title=f"a{n}")
    first = client.get(ARTICLES, params={"status": "draft"}).json()
    assert len(first["results"]) == 25 and first["previous"] is None
    assert first["next"] == "http://testserver/organizations/1/portal/articles/?status=draft&page=2"
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert second["previous"] == "http://testserver/organizations/1/portal/articles/?status=draft"


def test_page_size_is_clamped_to_100(client: httpx.Client) -> None:
    for n in range(101):
        create(client, ARTICLES, title=f"a{n}")
    assert len(client.get(ARTICLES, params={"page_size": 500}).json()["results"]) == 100


def test_page_beyond_the_end_is_404(client: httpx.Client) -> None:
    assert client.get(ARTICLES).json()["results"] == []
    response = client.get(ARTICLES, params={"page": 2})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_delete(client: httpx.Client) -> None:
    article = create(client, ARTICLES, title="t")
    assert client.delete(f"{ARTICLES}{article['id']}/").status_code == 204
    assert client.delete(f"{ARTICLES}{article['id']}/").status_code == 404
