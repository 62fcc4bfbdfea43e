"""The preview over HTTP: a werkzeug WSGI app and a threaded server on loopback.

Pages come from the site's current build (read without locks: a build never changes);
``/.kbsync/...`` is the preview's own space (events, search, problems): a dot-named
folder is never content, so it cannot hide an article. Any other path is a file of the
knowledge base that an article links to, served only as ``local.assets`` allows: an
image or a document by type, never a settings, state or data file, only from inside
the folder (no ``..``, no hidden names, no symbolic link that leads out or to a file
that is not one). Every request must name the preview in its ``Host`` (see
``preview.hosts``): a web page the writer visits cannot read drafts through DNS
rebinding.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.utils import redirect, send_file
from werkzeug.wrappers import Request, Response

from kbsync.emulator.server import base_url, bind
from kbsync.local.assets import asset_file
from kbsync.preview import pages
from kbsync.preview.events import Broadcaster
from kbsync.preview.hosts import HostGuard
from kbsync.preview.site import Site, Update, article_url, collection_url

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

_HTML = "text/html; charset=utf-8"
_NO_STORE = {"Cache-Control": "no-store"}
#: A served file is what its type says (no sniffing).
_ASSET_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
#: An SVG opened on its own runs no script on the preview's origin (a PDF keeps its
#: viewer: browsers refuse to show one under such a policy).
_SVG_POLICY = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}


class PreviewApp:
    """Routes a request to a page of the current build, the event stream or a file."""

    def __init__(self, site: Site, broadcaster: Broadcaster,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        self.site = site
        self.broadcaster = broadcaster
        self.on_error = on_error

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except HTTPException as exc:
            return exc(environ, start_response)
        except Exception as exc:  # one bad page must not take the preview down
            if self.on_error is not None:
                self.on_error(exc)
            response = Response(f"The preview failed on this page: {exc}", status=500,
                                mimetype="text/plain")
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(valid_methods=["GET", "HEAD"])
        path = request.path
        build = self.site.current
        nav = request.headers.get(pages.PART_HEADER) != "main"
        if path == pages.EVENTS_PATH:
            return self._events()
        if path == pages.SEARCH_PATH:
            query = request.args.get("q", "")
            results = self.site.search(query) if query.strip() else []
            return _page(pages.search_page(build, query, results, nav=nav))
        if path == pages.PROBLEMS_PATH:
            return _page(pages.problems_page(build, nav=nav))
        if path == "/":
            return _page(pages.home_page(build, nav=nav))
        rel = path.lstrip("/")
        if path.endswith("/") and rel.rstrip("/") in build.collection_by_key:
            return _page(pages.collection_page(build, rel.rstrip("/"), nav=nav))
        if f"{rel}.md" in build.pages:
            return _page(pages.article_page(build, f"{rel}.md", nav=nav))
        if rel in build.pages:  # a link typed with its .md
            return redirect(article_url(rel), code=302)
        if rel in build.collection_by_key:  # a collection without its final slash
            return redirect(collection_url(rel), code=302)
        moved = build.moved.get(f"{rel}.md") or build.moved.get(rel)
        if moved is not None:
            return redirect(article_url(moved), code=302)
        asset = asset_file(self.site.root, rel) if self.site.links_to(rel) else None
        if asset is not None:
            file, mimetype = asset
            response = send_file(file, request.environ, mimetype=mimetype, conditional=True,
                                 max_age=None)
            response.headers.update(_ASSET_HEADERS)
            if mimetype == "image/svg+xml":
                response.headers.update(_SVG_POLICY)
            return response
        key = f"{rel}.md" if not rel.endswith(("/", ".md")) else rel
        return _page(pages.missing_page(build, path, key, nav=nav), status=404)

    def _events(self) -> Response:
        def hello() -> Mapping[str, Any]:
            return {"build": self.site.current.id}

        return Response(self.broadcaster.stream(hello), mimetype="text/event-stream",
                        headers={**_NO_STORE, "X-Accel-Buffering": "no"},
                        direct_passthrough=True)


def event_data(update: Update) -> dict[str, Any]:
    """What browsers need to know about one rebuild (see the script in pages.py)."""
    return {
        "build": update.build.id,
        "pages": sorted(pages.page_id(key) for key in update.pages | update.assets),
        "reload": sorted(pages.page_id(key) for key in update.assets),
        "outline": update.outline,
    }


def _page(html: str, status: int = 200) -> Response:
    return Response(html, status=status, content_type=_HTML, headers=_NO_STORE)


@contextmanager
def serving(app: PreviewApp, host: str, port: int) -> Iterator[str]:
    """Serve ``app`` from a background thread, to requests whose Host names it
    (``preview.hosts``); yield its URL; on exit end the event streams first (they would
    hold their threads), then the server."""
    guard = HostGuard(app, host)
    server = bind(guard, host, port)
    url = base_url(host, server.port)
    guard.listening(server.port, url)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="kbsync-preview", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        app.broadcaster.close()
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
