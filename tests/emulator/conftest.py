"""Fixtures for the emulator tests: an app and an in-process httpx client talking to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app

TOKEN = "emulator-token"
ORG = "/organizations/1"
PORTAL = f"{ORG}/portal/"
COLLECTIONS = f"{ORG}/portal/collections/"
ARTICLES = f"{ORG}/portal/articles/"
SEARCH = f"{ORG}/portal/articles/search/"
TICKETS = f"{ORG}/tickets/"


def client_for(app: EmulatorApp, token: str | None = TOKEN) -> httpx.Client:
    """An in-process client; ``token=None`` sends no token header."""
    headers = {"X-Initdesk-Token": token} if token is not None else {}
    return httpx.Client(
        transport=httpx.WSGITransport(app=app), base_url="http://testserver", headers=headers
    )


@pytest.fixture
def make_app() -> Iterator[Callable[..., EmulatorApp]]:
    """Build apps with config overrides; every one is closed after the test."""
    apps: list[EmulatorApp] = []

    def build(**overrides: Any) -> EmulatorApp:
        app = create_app(EmulatorConfig(**overrides))
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()


@pytest.fixture
def app(make_app: Callable[..., EmulatorApp]) -> EmulatorApp:
    return make_app()


@pytest.fixture
def client(app: EmulatorApp) -> Iterator[httpx.Client]:
    with client_for(app) as c:
        yield c


def create(client: httpx.Client, path: str, **fields: Any) -> dict[str, Any]:
    """POST and insist on 201, so a test's setup never fails silently."""
    response = client.post(path, json=fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
