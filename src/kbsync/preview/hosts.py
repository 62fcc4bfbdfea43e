"""Which ``Host`` headers the preview answers: those that name it.

A web page the writer visits can make the writer's browser send requests to the
preview's port under a name the page's author controls (DNS rebinding: ``evil.example``
first resolves to the author's server, then to 127.0.0.1). The browser then treats the
preview as ``evil.example`` and lets the page read drafts, search and the event stream.
Such a request still says ``Host: evil.example``; refusing every Host that does not
name the preview closes the hole. The rule:

* ``localhost`` and the address the preview listens on are fine, always with its port
  (a browser adds the port to ``Host`` unless it is 80);
* listening on a loopback address, any loopback address is fine (``127.0.0.1``,
  ``[::1]``);
* listening on every address (``0.0.0.0``, ``::``), any IP address is fine, and so are
  this machine's own names: an IP address cannot be rebound, and another machine
  reaches the preview by this machine's address or name;
* anything else, an empty or missing Host included, gets ``421 Misdirected Request``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["HostCheck", "HostGuard"]

_HOST = re.compile(r"^(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[^\[\]:/@\s]+))"
                   r"(?::(?P<port>[0-9]{1,5}))?$")
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> _Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class HostCheck:
    """Answers "does this Host header name the preview listening on host:port?"."""

    def __init__(self, host: str, port: int,
                 own_names: Iterable[str] | None = None) -> None:
        self.port = port
        self.bound = _address(host.strip("[]"))
        self.wildcard = self.bound is not None and self.bound.is_unspecified
        self.loopback = (self.bound.is_loopback if self.bound is not None
                         else host.lower() == "localhost")
        names = {"localhost", host.lower()}
        if self.wildcard:
            names |= {n.lower() for n in (own_names if own_names is not None
                                          else _own_names())}
        self.names = frozenset(names)

    def allows(self, header: str | None) -> bool:
        match = _HOST.match(header or "")
        if match is None:
            return False
        port = match.group("port")
        if (int(port) if port else 80) != self.port:
            return False
        name = match.group("ipv6") or match.group("name") or ""
        address = _address(name)
        if address is None:
            return name.lower() in self.names
        if match.group("name") and address.version == 6:
            return False  # an IPv6 address is written in brackets
        if self.wildcard or address == self.bound:
            return True
        return address.is_loopback and self.loopback


def _own_names() -> set[str]:
    """This machine's names, as another machine on the network may call it."""
    names = {socket.gethostname()}
    with contextlib.suppress(OSError):  # a resolver that fails outright
        names.add(socket.getfqdn())
    return {n for n in names if n}


class HostGuard:
    """WSGI middleware: ``app`` for requests whose Host names the preview, else 421.

    :meth:`listening` gives it the port once the server is bound (port 0 asks for any
    free one)."""

    def __init__(self, app: WSGIApplication, host: str) -> None:
        self.app = app
        self.host = host
        self.check: HostCheck | None = None  # nothing is answered before the port is known
        self.url = ""

    def listening(self, port: int, url: str) -> None:
        self.check = HostCheck(self.host, port)
        self.url = url

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        if self.check is not None and self.check.allows(environ.get("HTTP_HOST")):
            return self.app(environ, start_response)
        body = (f"421 Misdirected Request: this is kbsync's preview, and the request's Host "
                f"header does not name it; open {self.url}/ instead.\n"
                ).encode()
        start_response("421 Misdirected Request", [
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")])
        return [body]
