"""``kbsync doctor`` against the emulator, and against servers that differ from it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import pytest

from kbsync.commands import doctor
from kbsync.config import Secret
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.emulator.server import running_server
from kbsync.remote.client import HelpCenterClient

TOKEN = "d0ct0r-secret"
Transform = Callable[[Any], Any]


@pytest.fixture
def app() -> Iterator[EmulatorApp]:
    emulator = create_app(EmulatorConfig(token=TOKEN, tickets=[{"subject": "Printer jam"}]))
    yield emulator
    emulator.close()


def seed(app: EmulatorApp) -> None:
    home = app.store.create_collection({"name": "Home", "slug": "home"})
    app.store.create_article({"title": "Printer setup", "slug": "printer-setup",
                              "status": "published", "collection_id": home["id"]})


def client_for(wsgi: Any, token: str = TOKEN, org: int = 1) -> HelpCenterClient:
    http = httpx.Client(transport=httpx.WSGITransport(app=wsgi), base_url="http://testserver")
    return HelpCenterClient(http, organization_id=org, token=Secret(token),
                            requests_per_minute=0, sleep=lambda _: None)


def run(client: HelpCenterClient) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = doctor.run(client, emit=lines.append)
    return code, lines


def rewriting(app: EmulatorApp, transform: Transform) -> Callable[..., Iterable[bytes]]:
    """WSGI middleware: every JSON answer of ``app`` passes through ``transform``."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], *rest: Any) -> None:
            captured.update(status=status, headers=headers)

        body = b"".join(app(environ, keep))  # type: ignore[arg-type]
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        if body and dict(headers).get("Content-Type", "").startswith("application/json"):
            body = json.dumps(transform(json.loads(body))).encode()
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]

    return middleware


def rename(old: str, new: str) -> Transform:
    """Rename a key wherever it occurs (objects, lists, OPTIONS metadata)."""

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {(new if key == old else key): walk(item) for key, item in value.items()}
        return value

    return walk


def test_the_emulator_matches_the_contract(app: EmulatorApp) -> None:
    seed(app)
    code, lines = run(client_for(app))
    assert code == 0
    assert lines[0] == ("✓ token accepted for organization 1 'Emulated Help Center' "
                        "(public id 'emulated')")
    assert "  ✓ articles.title string writable required ≤255 (value, OPTIONS POST)" in lines
    assert "  ✓ article search.score number (value)" in lines
    assert "  · tickets.customer: extra (ignored)" in lines
    assert lines[-1] == "doctor: the tenant matches the contract (7 endpoints, 70 fields)"


def test_doctor_only_reads(app: EmulatorApp) -> None:
    seed(app)
    run(client_for(app))
    assert {entry["method"] for entry in app.requests()} == {"GET", "OPTIONS"}
    assert len(app.requests()) == 14  # one read and one OPTIONS per endpoint


def test_an_empty_tenant_is_fine() -> None:
    empty = create_app(EmulatorConfig(token=TOKEN))
    code, lines = run(client_for(empty))
    empty.close()
    assert code == 0
    assert "  · articles: no objects to compare; OPTIONS only" in lines
    assert "  · tickets: nothing to compare (no object, no OPTIONS metadata)" in lines
    # tree, search and tickets have no objects and no write metadata: 10 + 14 + 10 unseen
    assert lines[-1] == ("doctor: the tenant matches the contract (7 endpoints, 36 fields); "
                         "34 fields not checked: no objects to compare")


def test_over_real_http(app: EmulatorApp) -> None:
    seed(app)
    with running_server(app) as url, httpx.Client(base_url=url) as http:
        client = HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                  requests_per_minute=0)
        code, lines = run(client)
    assert code == 0, "\n".join(lines)


def test_a_wrong_token_is_one_clear_line(app: EmulatorApp) -> None:
    code, lines = run(client_for(app, token="nope-nope"))
    assert code == 1
    assert lines == [
        "✗ token rejected: check INITDESK_TOKEN (401 from GET /organizations/1/)",
        "doctor: the token was rejected; set INITDESK_TOKEN to a valid token",
    ]


def test_another_organization_is_forbidden(app: EmulatorApp) -> None:
    code, lines = run(client_for(app, org=7))
    assert code == 1
    assert lines[0].startswith("✗ forbidden: the token is not allowed for organization 7")
    assert lines[-1] == "doctor: the token is not allowed for this organization"


def test_a_renamed_field_is_reported(app: EmulatorApp) -> None:
    seed(app)
    code, lines = run(client_for(rewriting(app, rename("excerpt", "summary_text"))))
    assert code == 1
    assert "  ✗ articles.excerpt: missing (contract says string)" in lines
    assert ("  ✗ articles.excerpt: not in the OPTIONS POST metadata (contract says writable)"
            in lines)
    assert "  · articles.summary_text: extra (ignored)" in lines
    assert lines[-1] == "doctor: 3 differences — articles.excerpt, article search.excerpt"


def test_a_field_of_another_type_is_reported(app: EmulatorApp) -> None:
    seed(app)

    def excerpt_as_number(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (5 if k == "excerpt" and not isinstance(v, dict) else
                        excerpt_as_number(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [excerpt_as_number(item) for item in value]
        return value

    code, lines = run(client_for(rewriting(app, excerpt_as_number)))
    assert code == 1
    assert "  ✗ articles.excerpt: contract says string, server says integer" in lines


def test_differing_options_metadata_is_reported(app: EmulatorApp) -> None:
    seed(app)

    def shorter_titles(value: Any) -> Any:
        title = value.get("actions", {}).get("POST", {}).get("title") \
            if isinstance(value, dict) else None
        if title is not None:
            title.update(max_length=100, read_only=True)
        return value

    code, lines = run(client_for(rewriting(app, shorter_titles)))
    assert code == 1
    assert ("  ✗ collections.title: not in the OPTIONS POST metadata (contract says writable)"
            not in lines)
    assert "  ✗ articles.title: contract says writable, OPTIONS says read-only" in lines
    assert ("  ✗ articles.title: contract says at most 255 characters, OPTIONS says 100"
            in lines)


def test_a_missing_endpoint_is_reported(app: EmulatorApp) -> None:
    def no_search(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["PATH_INFO"].endswith("/search/"):
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"detail": "Not found."}']
        return app(environ, start_response)  # type: ignore[arg-type]

    code, lines = run(client_for(no_search))
    assert code == 1
    assert any(line.startswith("✗ article search: GET /organizations/1/portal/articles/"
                               "search/ not found (404") for line in lines)
    assert lines[-1] == "doctor: 1 difference — article search (read)"


def test_doctor_output_never_shows_the_token(app: EmulatorApp) -> None:
    seed(app)
    _, lines = run(client_for(rewriting(app, rename("title", "name_of_article"))))
    assert TOKEN not in "\n".join(lines)


def next_links(app: EmulatorApp, link: Callable[[str], str]) -> Callable[..., Iterable[bytes]]:
    """``app`` whose pages all carry ``link(this page's URL)`` as their 'next' link."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        query = environ.get("QUERY_STRING")
        here = (f"http://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
                + (f"?{query}" if query else ""))

        def page(value: Any) -> Any:
            return {**value, "next": link(here)} if isinstance(value, dict) and \
                "next" in value else value

        return rewriting(app, page)(environ, start_response)

    return middleware


def _served_doctor(wsgi: Callable[..., Iterable[bytes]]) -> tuple[int, list[str]]:
    with running_server(wsgi) as url, httpx.Client(base_url=url) as http:
        return run(HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                    requests_per_minute=0))


@pytest.mark.parametrize("where", ["another host", "another port"])
def test_a_next_link_off_the_base_url_is_a_difference_naming_the_endpoint(
        app: EmulatorApp, where: str) -> None:
    seed(app)

    def elsewhere(here: str) -> str:
        url = httpx.URL(here)
        return str(url.copy_with(host="evil.example") if where == "another host"
                   else url.copy_with(port=(url.port or 80) + 1))

    code, lines = _served_doctor(next_links(app, elsewhere))
    assert code == 1
    assert any(line.startswith("✗ articles: GET /organizations/1/portal/articles/: the 'next' "
                               "link points to http://") for line in lines), lines
    assert "refusing to send the token there" in "\n".join(lines)
    assert "articles (read)" in lines[-1] and TOKEN not in "\n".join(lines)


def test_a_next_link_back_to_its_own_page_is_a_difference(app: EmulatorApp) -> None:
    seed(app)
    code, lines = _served_doctor(next_links(app, lambda here: here))
    assert code == 1
    assert any(line.startswith("✗ collections: GET /organizations/1/portal/collections/: the "
                               "'next' link repeats /organizations/1/portal/collections/")
               for line in lines), lines
    assert len(app.requests()) == 14  # the loop is seen in the page read, not followed
