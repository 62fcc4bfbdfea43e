"""Over real HTTP on loopback: the threaded server, dropped connections, the command."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from kbsync.commands.emulator import run
from kbsync.emulator.app import EmulatorApp
from kbsync.emulator.server import bind, running_server
from kbsync.errors import ConfigError, UsageError

from .conftest import ARTICLES, ORG, TOKEN


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"X-Initdesk-Token": TOKEN}, timeout=5)


def test_serves_on_loopback(app: EmulatorApp) -> None:
    with running_server(app) as url, _client(url) as client:
        assert url.startswith("http://127.0.0.1:")
        assert client.post(ARTICLES, json={"title": "Over HTTP"}).status_code == 201
        page = client.get(ARTICLES).json()
        assert page["results"][0]["title"] == "Over HTTP"


def test_page_links_use_the_served_host(app: EmulatorApp) -> None:
    for n in range(3):
        app.store.create_article({"title": f"a{n}"})
    with running_server(app) as url, _client(url) as client:
        assert client.get(ARTICLES, params={"page_size": 2}).json()["next"].startswith(url)


def test_requests_are_served_in_parallel(make_app: Callable[..., EmulatorApp]) -> None:
    app = make_app(faults=1.0, fault_kinds=("slow",), slow_seconds=0.2)
    with running_server(app) as url, _client(url) as client, ThreadPoolExecutor(5) as pool:
        started = time.perf_counter()
        statuses = list(pool.map(lambda _: client.get(f"{ORG}/").status_code, range(5)))
        elapsed = time.perf_counter() - started
    assert statuses == [200] * 5
    assert elapsed < 0.6  # five 0.2 s requests one after another would take 1 s


@pytest.mark.parametrize("kind", ["drop", "commit_then_drop"])
def test_dropped_connection_reaches_the_client_as_a_transport_error(
    app: EmulatorApp, kind: str
) -> None:
    with running_server(app) as url, _client(url) as client:
        app.set_faults(1.0, kinds=[kind])
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(ARTICLES, json={"title": "t"})
        app.set_faults(0.0)
        assert client.get(f"{ORG}/").status_code == 200  # the server survived
    assert app.store.list_articles()[0] == (1 if kind == "commit_then_drop" else 0)


def test_concurrent_writes_keep_slugs_unique(app: EmulatorApp) -> None:
    def post(_: int) -> str:
        response = client.post(ARTICLES, json={"title": "Same title"})
        assert response.status_code == 201
        slug: str = response.json()["slug"]
        return slug

    with running_server(app) as url, _client(url) as client, ThreadPoolExecutor(8) as pool:
        slugs = list(pool.map(post, range(40)))
    assert len(set(slugs)) == 40 and app.store.list_articles()[0] == 40


def test_control_paths_over_http(app: EmulatorApp) -> None:
    with running_server(app) as url, httpx.Client(base_url=url) as client:
        client.post("/_emulator/faults", json={"rate": 1.0, "kinds": ["503"]})
        assert client.get(f"{ORG}/").status_code == 503
        (entry,) = client.get("/_emulator/requests").json()
        assert (entry["status"], entry["fault"]) == (503, "503")


def test_bind_refuses_a_port_in_use(app: EmulatorApp) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            bind(app, "127.0.0.1", port)


def _run(**overrides: object) -> tuple[int, list[str]]:
    """Run the command; the second announcement stands in for the user's Ctrl-C."""
    lines: list[str] = []

    def announce(line: str) -> None:
        lines.append(line)
        if len(lines) == 2:
            raise KeyboardInterrupt

    arguments: dict[str, object] = {
        "host": "127.0.0.1",
        "port": 0,
        "db": ":memory:",
        "token": "demo",
        "org": 7,
        "rate_limit": 0,
        "faults": 0.0,
        "seed": 0,
        "tickets": None,
        "announce": announce,
        **overrides,
    }
    return run(**arguments), lines  # type: ignore[arg-type]


def test_command_announces_and_returns_0_on_ctrl_c() -> None:
    code, lines = _run()
    assert code == 0
    assert lines[0].startswith("initdesk emulator on http://127.0.0.1:")
    assert lines[0].endswith("(organization 7, token: demo)")
    url = lines[0].split()[3]
    assert (
        lines[1]
        == f"point kbsync at it: INITDESK_BASE_URL={url} INITDESK_ORG_ID=7 INITDESK_TOKEN=demo"
    )


def test_command_without_token() -> None:
    _, lines = _run(token=None)
    assert lines[0].endswith("token: none required)") and "INITDESK_TOKEN" not in lines[1]


def test_command_port_in_use_is_a_config_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"port {port} on 127.0.0.1 is already in use"):
            _run(port=port)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"faults": 1.5}, "--faults"),
        ({"port": 70000}, "--port"),
        ({"rate_limit": -1}, "--rate-limit"),
    ],
)
def test_command_bad_arguments_are_usage_errors(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _run(**overrides)


def test_command_unusable_database_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db"
    path.write_text("this is not sqlite " * 100, encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot open the emulator database"):
        _run(db=str(path))


def test_command_bad_tickets_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("nope", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"t\.json:1: not valid JSON"):
        _run(tickets=str(path))


def test_no_request_reaches_the_app_once_the_server_has_stopped() -> None:
    """Werkzeug's request threads outlive shutdown (a keep-alive connection can still
    bring a request), and callers close the app right after: the server waits for the
    requests in the app, and lets no new one in (it once hit a closed SQLite database)."""
    entered, calls, finished = threading.Event(), [], []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        calls.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/slow":
            entered.set()
            time.sleep(0.3)
            finished.append(True)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    with httpx.Client(timeout=5) as client:
        with running_server(app) as url:
            assert client.get(url + "/fast").status_code == 200  # a kept-alive connection
            slow = threading.Thread(target=lambda: httpx.get(url + "/slow", timeout=5))
            slow.start()
            assert entered.wait(5)
        assert finished == [True]  # the server waited for the request in the app
        slow.join(5)
        try:
            late = client.get(url + "/late").status_code
        except httpx.TransportError:
            late = None
        assert late in (503, None)
    assert calls == ["/fast", "/slow"]
