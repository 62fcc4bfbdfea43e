"""The preview serves only what readers could see, and only to requests that name it.

Over real HTTP on loopback: a page links to every private file (settings, state,
customer tickets, the README, hidden files) and to an image-named symbolic link to the
settings; none is served, the real image is. Forged ``Host`` headers (DNS rebinding)
get 421 on every route, the event stream and the search included.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from kbsync.commands import validate as validate_command
from kbsync.local.assets import PRIVATE_FILES, asset_file
from kbsync.preview.events import Broadcaster
from kbsync.preview.hosts import HostCheck
from kbsync.preview.server import PreviewApp, serving
from kbsync.preview.site import Site
from kbsync.problems import Problem

from .conftest import KB

MakeSite = Callable[[KB], Site]

SECRET = "CUSTOMER-DATA-7f3a"
PRIVATE = [*PRIVATE_FILES, ".git/config", ".kbsync/local.db", ".env", "g/.hidden.png"]


def _raw(url: str, path: str, host: str | None) -> tuple[int, bytes]:
    """GET ``path`` with exactly this Host line (None: none at all); status and body."""
    parts = urlsplit(url)
    head = f"GET {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "")
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(f"{head}Connection: close\r\n\r\n".encode())
        conn.settimeout(2)
        data = b""
        try:
            while chunk := conn.recv(65536):
                data += chunk
                if b"\r\n\r\n" in data and b"text/event-stream" in data:
                    break  # an open stream: its head is enough
        except TimeoutError:
            pass
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


@pytest.fixture
def private_kb(kb: KB) -> KB:
    kb.write("kbsync.toml", f'[remote]\nbase_url = "local"\n# {SECRET}\n')
    for rel in PRIVATE:
        if rel != "kbsync.toml":
            kb.write(rel, f"# {SECRET}\n")  # a comment: valid settings, nothing to report
    kb.write("g/img/shot.png", "PNG-BYTES")
    os.symlink("../../kbsync.toml", kb.root / "g/img/cfg.png")
    links = " ".join(f"[{n}](../{rel})" for n, rel in enumerate(PRIVATE))
    kb.article("g/a.md", "A", f"{links} ![cfg](img/cfg.png) ![shot](img/shot.png)")
    return kb


@pytest.fixture
def served(private_kb: KB, make_site: MakeSite) -> Iterator[str]:
    app = PreviewApp(make_site(private_kb), Broadcaster(heartbeat=0.05))
    with serving(app, "127.0.0.1", 0) as url:
        yield url


def test_no_private_file_is_served_even_when_an_article_links_to_it(served: str) -> None:
    host = urlsplit(served).netloc
    for rel in [*PRIVATE, "g/img/cfg.png"]:
        status, body = _raw(served, "/" + rel, host)
        assert status == 404 and SECRET.encode() not in body, rel
    assert _raw(served, "/g/img/shot.png", host) == (200, b"PNG-BYTES")


def test_each_private_link_is_a_validate_warning_with_its_line(private_kb: KB) -> None:
    problems: list[Problem] = []
    validate_command.run(private_kb.config(), strict=False, emit=problems.append)
    warned = sorted(p.message.split(":")[0] for p in problems
                    if p.severity == "warning" and "not for readers" in p.message)
    linked = [f"links to ../{rel}" for rel in PRIVATE if rel != "README.md"]  # an error:
    assert warned == sorted([*linked, "links to img/cfg.png (through a link to kbsync.toml)"])
    assert {p.line for p in problems if "not for readers" in p.message} == {5}


FORGED = ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "", None,
          "127.0.0.1", "127.0.0.1:1", "localhost", "localhost.evil.example:{port}",
          "127.0.0.1:{port}@evil.example", "0.0.0.0:{port}", "192.168.1.20:{port}",
          "evil.example:{port}, 127.0.0.1:{port}", "LOCALHOST:{port}x", "[::1]:1"]


@pytest.mark.parametrize("path", ["/", "/g/a", "/.kbsync/search?q=A", "/.kbsync/events",
                                  "/.kbsync/problems", "/g/img/shot.png"])
def test_a_host_that_does_not_name_the_preview_is_refused(served: str, path: str) -> None:
    port = urlsplit(served).port
    for forged in FORGED:
        host = forged.format(port=port) if forged is not None else None
        status, body = _raw(served, path, host)
        assert status == 421, (host, status)
        assert SECRET.encode() not in body and b"PNG" not in body, host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}",
                 f"[::1]:{port}", f"127.0.0.2:{port}"):  # loopback addresses cannot be rebound
        assert _raw(served, path, host)[0] == 200, host


def test_the_rule_for_a_preview_bound_elsewhere() -> None:
    everywhere = HostCheck("0.0.0.0", 8000, own_names=["kb-laptop"])
    assert all(everywhere.allows(h) for h in ("192.168.1.20:8000", "[fe80::1]:8000",
                                              "kb-laptop:8000", "localhost:8000"))
    assert not any(everywhere.allows(h) for h in ("evil.example:8000", "192.168.1.20:8001",
                                                  "kb-laptop.evil.example:8000"))
    one = HostCheck("192.168.1.20", 80)
    assert one.allows("192.168.1.20") and one.allows("localhost:80")
    assert not one.allows("192.168.1.21") and not one.allows("127.0.0.1")
    assert HostCheck("localhost", 8000).allows("127.0.0.1:8000")


def test_an_image_named_link_must_lead_to_an_image_inside(kb: KB) -> None:
    kb.write("notes.sh", "rm -rf /")
    kb.write("g/pic.jpg", "JPG")
    for name, target in (("a.png", "../notes.sh"), ("b.png", "pic.jpg"),
                         ("c.png", "/etc/hostname")):
        os.symlink(target, kb.root / "g" / name)
    assert asset_file(kb.root, "g/a.png") is None and asset_file(kb.root, "g/c.png") is None
    assert asset_file(kb.root, "g/b.png") == ((kb.root / "g/pic.jpg").resolve(), "image/jpeg")
