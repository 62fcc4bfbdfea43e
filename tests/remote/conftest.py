"""Fixtures for the client tests: the emulator, reached in-process and over real HTTP.

``remote`` is parametrised, so every test that uses it runs twice: once through
``httpx.WSGITransport`` (fast, a dropped connection is a ``ConnectionResetError``) and
once against the emulator served on 127.0.0.1 (a dropped connection is a closed socket).
The network is never patched; time is injected through ``Sleeps``.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from kbsync.config import Secret
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.remote.client import HelpCenterClient

TOKEN = "t0k3n-secret"
ORG = 1
IN_PROCESS_URL = "http://testserver"


@dataclass
class Sleeps:
    """An injected ``sleep`` that records every wait and sleeps at most ``real`` seconds."""

    real: float = 0.0
    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.real > 0:
            time.sleep(min(seconds, self.real))


@dataclass
class Remote:
    """One emulator and the ways a test reaches it."""

    app: EmulatorApp
    base_url: str
    kind: str  # "in-process" | "http"
    stack: contextlib.ExitStack
    sleeps: Sleeps = field(default_factory=Sleeps)

    def http(self, timeout: float = 5.0) -> httpx.Client:
        """A fresh httpx client on this emulator, closed with the test."""
        if self.kind == "http":
            client = httpx.Client(base_url=self.base_url, timeout=timeout)
        else:
            client = httpx.Client(transport=httpx.WSGITransport(app=self.app),
                                  base_url=self.base_url)
        return self.stack.enter_context(client)

    def client(self, *, token: str | None = TOKEN, organization_id: int = ORG,
               timeout: float = 5.0, **options: Any) -> HelpCenterClient:
        """A HelpCenterClient: unthrottled, recording sleeps and seeded jitter by default."""
        options.setdefault("requests_per_minute", 0)
        options.setdefault("sleep", self.sleeps)
        options.setdefault("rng", random.Random(0))
        return HelpCenterClient(
            self.http(timeout), organization_id=organization_id,
            token=Secret(token) if token is not None else None, **options,
        )

    def statuses(self) -> list[int | None]:
        return [entry["status"] for entry in self.app.requests()]


MakeRemote = Callable[..., Remote]


def _builder(kind: str, stack: contextlib.ExitStack) -> MakeRemote:
    def build(**overrides: Any) -> Remote:
        overrides.setdefault("token", TOKEN)
        overrides.setdefault("org_id", ORG)
        app = create_app(EmulatorConfig(**overrides))
        stack.callback(app.close)
        base_url = stack.enter_context(running_server(app)) if kind == "http" else IN_PROCESS_URL
        return Remote(app, base_url, kind, stack)

    return build


@pytest.fixture(params=["in-process", "http"])
def make_remote(request: pytest.FixtureRequest) -> Iterator[MakeRemote]:
    """Build emulators with config overrides, each reached the parametrised way."""
    with contextlib.ExitStack() as stack:
        yield _builder(request.param, stack)


@pytest.fixture
def make_http_remote() -> Iterator[MakeRemote]:
    """Emulators over real HTTP only: for what needs a socket (timeouts, the throttle)."""
    with contextlib.ExitStack() as stack:
        yield _builder("http", stack)


@pytest.fixture
def remote(make_remote: MakeRemote) -> Remote:
    return make_remote()


@pytest.fixture
def client(remote: Remote) -> HelpCenterClient:
    return remote.client()


def wsgi_json(status: int, body: Any, headers: dict[str, str] | None = None,
              raw: bytes | None = None) -> Callable[..., Any]:
    """A one-answer WSGI app, for shapes the emulator never produces."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        data = raw if raw is not None else json.dumps(body).encode()
        kind = "text/html" if raw is not None else "application/json"
        reason = {200: "OK", 404: "Not Found", 418: "I'm a teapot", 429: "Too Many Requests"}
        start_response(f"{status} {reason.get(status, 'Status')}",
                       [("Content-Type", kind), *(headers or {}).items()])
        return [data]

    return app


def fake_client(app: Callable[..., Any], **options: Any) -> HelpCenterClient:
    """A client on a stand-in WSGI app (in-process only)."""
    options.setdefault("requests_per_minute", 0)
    options.setdefault("sleep", Sleeps())
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url=IN_PROCESS_URL)
    return HelpCenterClient(http, organization_id=ORG, token=Secret(TOKEN), **options)
