"""Transport rules: token, organization scope, trailing slashes, unknown paths, methods."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from kbsync.emulator.app import EmulatorApp

from .conftest import ARTICLES, ORG, client_for


def test_missing_token_is_401(app: EmulatorApp) -> None:
    response = client_for(app, token=None).get(f"{ORG}/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_wrong_token_is_401(app: EmulatorApp) -> None:
    response = client_for(app, token="nope").get(f"{ORG}/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_other_organization_is_403(client: httpx.Client) -> None:
    response = client.get("/organizations/2/portal/")
    assert response.status_code == 403
    assert response.json() == {"detail": "This token is not allowed to access organization 2."}


def test_no_token_mode_accepts_any_or_no_token(make_app: Callable[..., EmulatorApp]) -> None:
    app = make_app(token=None)
    assert client_for(app, token=None).get(f"{ORG}/").status_code == 200
    assert client_for(app, token="whatever").get(f"{ORG}/").status_code == 200


def test_organization(client: httpx.Client) -> None:
    body = client.get(f"{ORG}/").json()
    assert {k: body[k] for k in ("id", "public_id", "name", "site_url")} == {
        "id": 1,
        "public_id": "emulated",
        "name": "Emulated Help Center",
        "site_url": "https://emulated.kb.center",
    }


def test_missing_trailing_slash_is_404_not_a_redirect(client: httpx.Client) -> None:
    response = client.get(ARTICLES.rstrip("/"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_unknown_path_is_404(client: httpx.Client) -> None:
    assert client.get(f"{ORG}/portal/macros/").status_code == 404


def test_unsupported_method_is_405_with_allow(client: httpx.Client) -> None:
    response = client.delete(ARTICLES)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    assert response.headers["Allow"] == "GET, POST, OPTIONS"


def test_malformed_json_is_400(client: httpx.Client) -> None:
    response = client.post(
        ARTICLES, content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_non_object_body_is_400(client: httpx.Client) -> None:
    response = client.post(ARTICLES, json=[{"title": "x"}])
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
