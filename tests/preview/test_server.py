"""The preview over WSGI (werkzeug's test client) and over real HTTP on loopback."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator

import httpx
import pytest
from werkzeug.test import Client

from kbsync.frontend import open_workspace
from kbsync.local.assets import asset_file
from kbsync.plan.links import fill_links
from kbsync.preview.events import Broadcaster
from kbsync.preview.server import PreviewApp, event_data, serving
from kbsync.preview.site import Site, article_url

from .conftest import KB

MakeSite = Callable[[KB], Site]


@pytest.fixture
def app(example: KB, make_site: MakeSite) -> PreviewApp:
    return PreviewApp(make_site(example), Broadcaster(heartbeat=0.05))


@pytest.fixture
def client(app: PreviewApp) -> Client:
    return Client(app)


def test_home_shows_the_portal_name_colour_and_collections(client: Client) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "<title>Parcelly Help Center</title>" in html
    assert ":root{--brand:#0E7C66}" in html
    assert '<a class="kb-card" href="/billing/"><strong>Billing and plans</strong>' in html
    assert 'action="/.kbsync/search"' in html


def test_an_article_page_carries_exactly_the_html_apply_renders(
        client: Client, app: PreviewApp, example: KB) -> None:
    key = "billing/refunds.md"
    workspace = open_workspace(example.config())
    workspace.local()
    applied = fill_links(workspace.render([key])[key], article_url).html
    html = client.get("/billing/refunds").get_data(as_text=True)
    assert f'<div class="kb-body">{applied}</div>' in html
    assert 'href="/shipping/carriers/connect-your-own-carrier-account"' in applied
    assert '<h1 class="kb-title">Refunds</h1>' in html
    assert '<p class="kb-excerpt">Get your money back for unused labels' in html
    assert 'data-page="a:billing/refunds.md"' in html
    assert '<a href="/billing/refunds" aria-current="page">Refunds</a>' in html


def test_a_draft_has_its_badge(client: Client) -> None:
    html = client.get("/shipping/schedule-a-pickup").get_data(as_text=True)
    assert 'Schedule a carrier pickup<span class="kb-badge">Draft</span></h1>' in html


def test_collection_page_lists_its_articles_in_order(client: Client) -> None:
    html = client.get("/getting-started/").get_data(as_text=True)
    html = html[html.index("<main"):]
    titles = [html.index(f">{t}</a>") for t in ("Welcome to Parcelly",
                                                "Create your Parcelly account",
                                                "Set up your shop")]
    assert titles == sorted(titles)


def test_a_link_typed_with_md_and_a_moved_article_redirect(
        client: Client, app: PreviewApp, example: KB) -> None:
    response = client.get("/billing/refunds.md")
    assert (response.status_code, response.headers["Location"]) == (302, "/billing/refunds")
    response = client.get("/billing")
    assert (response.status_code, response.headers["Location"]) == (302, "/billing/")
    (example.root / "billing").rename(example.root / "money")
    app.site.update({"billing", "money"})
    response = client.get("/billing/refunds")
    assert (response.status_code, response.headers["Location"]) == (302, "/money/refunds")


def test_unknown_paths_are_a_404_page(client: Client) -> None:
    response = client.get("/billing/nope")
    assert response.status_code == 404
    assert "Nothing is at <code>/billing/nope</code>" in response.get_data(as_text=True)


def test_only_get_and_head(client: Client) -> None:
    assert client.post("/").status_code == 405
    assert client.head("/").status_code == 200


def test_search_page_uses_the_help_center_search(client: Client) -> None:
    html = client.get("/.kbsync/search", query_string={"q": "refund unused label"}).get_data(
        as_text=True)
    assert 'articles for <strong>refund unused label</strong>' in html
    assert '<li><a href="/billing/refunds">Refunds</a>' in html
    empty = client.get("/.kbsync/search", query_string={"q": "xylophone"}).get_data(
        as_text=True)
    assert "No article matches <strong>xylophone</strong>" in empty


def test_the_problems_page_and_an_error_banner(
        client: Client, app: PreviewApp, example: KB) -> None:
    assert "kbsync validate</code> would pass" in client.get("/.kbsync/problems").get_data(
        as_text=True)
    path = example.root / "billing" / "refunds.md"
    path.write_text(path.read_text().replace("status: published", "status: live"))
    app.site.update({"billing/refunds.md"})
    html = client.get("/billing/refunds").get_data(as_text=True)
    assert "the page shows its last valid version" in html
    assert "billing/refunds.md:4: status: must be draft or published, got &#x27;live&#x27;" in html
    assert '<a class="kb-side-problems" href="/.kbsync/problems">1 error</a>' in html
    listing = client.get("/.kbsync/problems").get_data(as_text=True)
    assert '<a href="/billing/refunds">billing/refunds.md</a>' in listing


def test_titles_and_messages_are_escaped(kb: KB, make_site: MakeSite) -> None:
    kb.article("g/a.md", '"<script>alert(1)</script>"')
    client = Client(PreviewApp(make_site(kb), Broadcaster()))
    html = client.get("/g/a").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_local_images_are_served_from_the_folder(kb: KB, make_site: MakeSite) -> None:
    kb.write("g/img/shot.png", "PNG")
    kb.article("g/a.md", "A", "![shot](img/shot.png)")
    client = Client(PreviewApp(make_site(kb), Broadcaster()))
    response = client.get("/g/img/shot.png")
    assert (response.status_code, response.data) == (200, b"PNG")
    assert response.mimetype == "image/png"


def test_a_missing_image_shows_on_its_page_as_a_problem(
        client: Client, app: PreviewApp, example: KB) -> None:
    path = example.root / "billing" / "refunds.md"
    path.write_text(path.read_text() + "\n![The refund form](../images/refund-form.png)\n")
    app.site.update({"billing/refunds.md"})
    html = client.get("/billing/refunds").get_data(as_text=True)
    line = len(path.read_text().splitlines())
    assert (f"billing/refunds.md:{line}: broken image: ../images/refund-form.png: no such "
            "file") in html
    assert client.get("/images/refund-form.png").status_code == 404


def test_files_outside_the_folder_are_never_served(kb: KB, make_site: MakeSite) -> None:
    (kb.root.parent / "secret.txt").write_text("TOP-SECRET")
    kb.write(".git/config", "[core] TOP-SECRET")
    kb.article("g/a.md", "A")
    os.symlink(kb.root.parent / "secret.txt", kb.root / "g" / "link.txt")
    client = Client(PreviewApp(make_site(kb), Broadcaster()))
    for path in ("/../secret.txt", "/g/../../secret.txt", "/%2e%2e/secret.txt", "/.git/config",
                 "/g/link.txt", "/g/img"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"TOP-SECRET" not in response.data
    kb.write("g/shot.png", "PNG")
    assert asset_file(kb.root, "g/shot.png") == ((kb.root / "g/shot.png").resolve(),
                                                 "image/png")
    assert asset_file(kb.root, "g/../g/shot.png") is None
    assert asset_file(kb.root, "g/link.txt") is None


def test_only_files_an_article_links_to_are_served(kb: KB, make_site: MakeSite) -> None:
    """With --host the preview is reachable from elsewhere: the team's data beside the
    articles (customer tickets, the lock, settings) must not be readable through it."""
    kb.write("g/img/shot.png", "PNG")
    kb.write("g/img/unused.png", "PNG")
    kb.write("tickets.json", '[{"subject": "CUSTOMER-DATA"}]')
    kb.write("kbsync.lock", "CUSTOMER-DATA")
    kb.article("g/a.md", "A", "![shot](img/shot.png)")
    client = Client(PreviewApp(make_site(kb), Broadcaster()))
    assert client.get("/g/img/shot.png").status_code == 200
    for path in ("/tickets.json", "/kbsync.lock", "/kbsync.toml", "/g/img/unused.png",
                 "/g/a.md/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"CUSTOMER-DATA" not in response.data


def test_the_event_stream_over_wsgi(client: Client, app: PreviewApp) -> None:
    response = client.get("/.kbsync/events", buffered=False)
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    chunks = iter(response.response)
    hello = next(chunks).decode()
    assert f'data: {{"build":"{app.site.current.id}","hello":true}}' in hello
    response.close()


def test_event_data_names_pages_and_outline(example: KB, make_site: MakeSite) -> None:
    site = make_site(example)
    path = example.root / "billing" / "refunds.md"
    path.write_text(path.read_text() + "\nOne more line.\n")
    update = site.update({"billing/refunds.md"})
    assert event_data(update) == {"build": update.build.id, "pages": ["a:billing/refunds.md"],
                                  "reload": [], "outline": False}


@pytest.fixture
def served(app: PreviewApp) -> Iterator[str]:
    with serving(app, "127.0.0.1", 0) as url:
        yield url


def test_over_http_pages_and_a_live_event(served: str, app: PreviewApp, example: KB) -> None:
    with httpx.Client(base_url=served, timeout=5) as http:
        assert http.get("/billing/refunds").status_code == 200
        with http.stream("GET", "/.kbsync/events") as stream:
            lines = stream.iter_lines()
            assert next(lines) == "retry: 1000"
            path = example.root / "billing" / "refunds.md"
            path.write_text(path.read_text() + "\nLive line.\n")
            app.broadcaster.publish(event_data(app.site.update({"billing/refunds.md"})))
            data = []
            for line in lines:
                if line.startswith("data: "):
                    data.append(line)
                if len(data) == 2:
                    break
    assert json.loads(data[0][6:])["hello"] is True
    assert json.loads(data[1][6:])["pages"] == ["a:billing/refunds.md"]


def test_stopping_the_server_ends_open_streams(app: PreviewApp) -> None:
    with serving(app, "127.0.0.1", 0) as url, httpx.Client(base_url=url, timeout=5) as http, \
            http.stream("GET", "/.kbsync/events") as stream:
        lines = stream.iter_lines()
        assert next(lines) == "retry: 1000"
        assert app.broadcaster.streams == 1
        app.broadcaster.close()
        rest = list(lines)  # ends: the server closed the response
    assert [line for line in rest if line.startswith("data: ")] == [
        f'data: {{"build":"{app.site.current.id}","hello":true}}']
    assert app.broadcaster.streams == 0


def test_leaving_serving_ends_the_open_streams_first(app: PreviewApp) -> None:
    running = serving(app, "127.0.0.1", 0)
    url = running.__enter__()
    with httpx.Client(base_url=url, timeout=5) as http, \
            http.stream("GET", "/.kbsync/events") as stream:
        lines = stream.iter_lines()
        next(lines)
        running.__exit__(None, None, None)  # would wait for the stream's thread otherwise
        list(lines)
    assert app.broadcaster.closed and app.broadcaster.streams == 0


def test_a_body_only_refresh_leaves_the_sidebar_out(client: Client) -> None:
    whole = client.get("/billing/refunds").get_data(as_text=True)
    body = client.get("/billing/refunds", headers={"X-Kbsync-Part": "main"}).get_data(
        as_text=True)
    assert '<nav id="kb-side"></nav>' in body and "<summary>" not in body
    main = whole[whole.index('<main id="kb-main">'):whole.index("</main>")]
    assert main in body and len(body) < len(whole)


def test_before_the_first_read_the_home_page_says_it_is_coming(kb: KB) -> None:
    kb.article("g/a.md", "A")
    site = Site(kb.config)
    try:
        html = Client(PreviewApp(site, Broadcaster())).get("/").get_data(as_text=True)
    finally:
        site.close()
    assert "Reading the knowledge base; this page fills in by itself." in html
