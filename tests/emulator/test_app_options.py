"""OPTIONS metadata, DRF-style, which ``kbsync doctor`` compares with the contract."""

from __future__ import annotations

import httpx

from kbsync.emulator.app import EmulatorApp

from .conftest import ARTICLES, COLLECTIONS, PORTAL, TICKETS, client_for


def test_article_list_describes_post(client: httpx.Client) -> None:
    answer = client.options(ARTICLES).json()
    assert answer["name"] == "Article List"
    post = answer["actions"]["POST"]
    assert post["title"] == {
        "type": "string",
        "required": True,
        "read_only": False,
        "label": "Title",
        "max_length": 255,
    }
    assert post["status"]["type"] == "choice"
    assert [c["value"] for c in post["status"]["choices"]] == ["draft", "published"]
    assert post["url"]["read_only"] is True and post["published_at"]["type"] == "datetime"


def test_collection_detail_describes_put(client: httpx.Client) -> None:
    put = client.options(f"{COLLECTIONS}1/").json()["actions"]["PUT"]
    assert set(put) == {
        "id",
        "name",
        "slug",
        "description",
        "parent_id",
        "position",
        "created_at",
        "updated_at",
    }
    assert put["description"]["max_length"] == 1000 and put["position"]["min_value"] == 0


def test_portal_describes_put(client: httpx.Client) -> None:
    put = client.options(PORTAL).json()["actions"]["PUT"]
    assert put["allow_robots"]["type"] == "boolean" and put["organization"]["type"] == "field"
    assert put["meta_description"]["max_length"] == 500
    writable = [name for name, meta in put.items() if not meta["read_only"]]
    assert all(put[name]["required"] for name in writable) and len(writable) == 7


def test_read_only_endpoints_have_no_actions(client: httpx.Client) -> None:
    assert "actions" not in client.options(TICKETS).json()


def test_options_needs_the_token(app: EmulatorApp) -> None:
    assert client_for(app, token=None).options(ARTICLES).status_code == 401
