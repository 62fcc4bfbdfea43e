"""Portal settings: the singleton, its defaults and its field rules."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import ARTICLES, PORTAL, create

FULL: dict[str, Any] = {
    "name": "Acme Help",
    "custom_domain": "help.acme.test",
    "meta_description": "Answers for Acme users",
    "allow_robots": False,
    "primary_color": "#112233",
    "is_active": True,
    "enable_ticket_creation_form": False,
}


def test_defaults(client: httpx.Client) -> None:
    portal = client.get(PORTAL).json()
    assert {k: portal[k] for k in FULL} == {
        "name": "Help Center",
        "custom_domain": None,
        "meta_description": None,
        "allow_robots": True,
        "primary_color": "#4F46E5",
        "is_active": True,
        "enable_ticket_creation_form": True,
    }
    assert portal["id"] == 1 and portal["organization"]["id"] == 1


def test_put_replaces_everything(client: httpx.Client) -> None:
    response = client.put(PORTAL, json=FULL)
    assert response.status_code == 200
    assert {k: response.json()[k] for k in FULL} == FULL


def test_put_requires_every_writable_field(client: httpx.Client) -> None:
    response = client.put(PORTAL, json={"name": "Only a name"})
    assert response.status_code == 400
    assert set(response.json()) == set(FULL) - {"name"}
    assert response.json()["primary_color"] == ["This field is required."]


def test_patch_changes_only_what_is_sent_and_bumps_updated_at(client: httpx.Client) -> None:
    before = client.get(PORTAL).json()
    after = client.patch(PORTAL, json={"allow_robots": False}).json()
    assert after["allow_robots"] is False and after["name"] == before["name"]
    assert after["updated_at"] > before["updated_at"]


def _rejected(client: httpx.Client, body: dict[str, Any]) -> Any:
    response = client.patch(PORTAL, json=body)
    assert response.status_code == 400
    return response.json()


def test_bad_colour(client: httpx.Client) -> None:
    assert _rejected(client, {"primary_color": "red"}) == {
        "primary_color": ["Enter a colour in the form #RRGGBB."]
    }


def test_custom_domain_must_be_a_bare_host(client: httpx.Client) -> None:
    for value in ("https://help.acme.test", "help.acme.test/docs", "help.acme.test:8080"):
        assert list(_rejected(client, {"custom_domain": value})) == ["custom_domain"]


def test_types_and_lengths(client: httpx.Client) -> None:
    assert _rejected(client, {"is_active": "yes", "meta_description": "x" * 501}) == {
        "is_active": ["Must be a valid boolean."],
        "meta_description": ["Ensure this field has no more than 500 characters."],
    }


def test_read_only_and_unknown_fields(client: httpx.Client) -> None:
    assert _rejected(client, {"id": 5, "organization": {}, "theme": "dark"}) == {
        "id": ["This field is read-only."],
        "organization": ["This field is read-only."],
        "theme": ["Unknown field."],
    }


def test_article_urls_follow_the_custom_domain(client: httpx.Client) -> None:
    article = create(client, ARTICLES, title="Hello")
    assert article["url"] == f"https://emulated.kb.center/hello-{article['id']}"
    client.patch(PORTAL, json={"custom_domain": "help.acme.test"})
    url = client.get(f"{ARTICLES}{article['id']}/").json()["url"]
    assert url == f"https://help.acme.test/hello-{article['id']}"
