"""Serving the emulator on loopback with werkzeug's threaded server.

The listening socket is bound here rather than by werkzeug, because werkzeug answers a
port already in use by printing and calling ``sys.exit``; binding first turns that into
an ordinary ``OSError`` the command can report in one line.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server, select_address_family

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


class QuietRequestHandler(WSGIRequestHandler):
    """No access-log line per request: test output stays readable; errors still log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def base_url(host: str, port: int) -> str:
    """``http://host:port``, with IPv6 literals bracketed."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def bind(
    app: WSGIApplication, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True
) -> BaseWSGIServer:
    """A threaded server listening on ``host:port`` (0 = any free port); OSError if taken."""
    family = select_address_family(host, port)
    listener = socket.create_server((host, port), family=family, backlog=128)
    try:
        handler: type[WSGIRequestHandler] = QuietRequestHandler if quiet else WSGIRequestHandler
        return make_server(
            host, port, app, threaded=True, request_handler=handler, fd=listener.fileno()
        )
    finally:
        listener.close()  # werkzeug holds its own duplicate of the descriptor


class _Draining:
    """``app``, until closed: then new requests get a 503 without reaching it, and
    ``close`` waits for those already in it. Werkzeug's request threads are daemons that
    outlive ``shutdown`` (a keep-alive connection can still bring a request), and the app
    is usually closed right after the server (its SQLite connection with it)."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._idle = threading.Condition()
        self._active = 0
        self._closed = False

    def __call__(self, environ: Any, start_response: Any) -> Any:
        with self._idle:
            if self._closed:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain"),
                                                           ("Connection", "close")])
                return [b"shutting down"]
            self._active += 1
        try:
            return list(self._app(environ, start_response))  # the body read while counted
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def close(self, timeout: float) -> None:
        with self._idle:
            self._closed = True
            self._idle.wait_for(lambda: self._active == 0, timeout)


@contextmanager
def running_server(app: WSGIApplication, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` in a background thread; yield its base URL; shut down on exit, after
    the requests still running have finished (none reaches ``app`` after that).

    A short poll interval keeps the shutdown (which waits for the loop to notice) quick,
    so tests can start a server each.
    """
    draining = _Draining(app)
    server = bind(draining, host, port)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="kbsync-emulator",
        daemon=True,
    )
    thread.start()
    try:
        yield base_url(host, server.port)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        draining.close(timeout=5)
        server.server_close()


def serve_forever(
    app: WSGIApplication, host: str, port: int, on_ready: Callable[[str], Any] | None = None
) -> None:
    """Serve until Ctrl-C (werkzeug swallows the KeyboardInterrupt and returns).

    ``on_ready`` gets the base URL once the socket listens, so a caller that asked for
    port 0 can announce the real port.
    """
    server = bind(app, host, port, quiet=False)
    if on_ready is not None:
        on_ready(base_url(host, server.port))
    try:
        server.serve_forever()
    finally:
        server.server_close()
