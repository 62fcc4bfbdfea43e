"""Opening the remote for a command: a real Help Center, or the embedded one.

``base_url = "local"`` runs the emulator in-process on ``.kbsync/local.db`` through
``httpx.WSGITransport``: the same client code, the same wire, no account and no token.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from kbsync import __version__
from kbsync.assets.store import AssetStore, open_store
from kbsync.config import STATE_DIR, Config, require_remote
from kbsync.errors import ConfigError, StateError
from kbsync.local.reading import not_a_file
from kbsync.model import RemoteRef
from kbsync.remote.client import HelpCenterClient, RequestObserver, WaitObserver
from kbsync.remote.spend_record import SpendRecord
from kbsync.statedir import ensure_state_dir

if TYPE_CHECKING:  # the emulator is imported only when the embedded one is used
    from kbsync.emulator.app import EmulatorApp

#: How a command gets its client; tests pass one bound to their own emulator.
Connect = Callable[[Config], AbstractContextManager[HelpCenterClient]]

LOCAL_ORIGIN = "http://local.invalid"
#: Tickets the embedded Help Center serves, when this file sits beside kbsync.toml.
LOCAL_TICKETS = "tickets.json"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def asset_store(config: Config) -> AssetStore | None:
    """The store ``[assets] publish`` names (connected on its first request), or None."""
    assets = config.assets
    if assets.publish is None:
        return None
    return open_store(assets.publish, endpoint_url=assets.endpoint_url, region=assets.region)


def fetch_public(url: str) -> bytes | None:
    """A public URL's bytes (a published image), or None when it does not answer 200."""
    try:
        response = httpx.get(url, timeout=TIMEOUT, follow_redirects=True,
                             headers={"User-Agent": f"kbsync/{__version__}"})
    except httpx.HTTPError:
        return None
    return response.content if response.status_code == 200 else None


def remote_ref(config: Config) -> RemoteRef:
    remote = require_remote(config)
    assert remote.organization_id is not None
    return RemoteRef(base_url=remote.base_url, organization_id=remote.organization_id)


@contextmanager
def open_client(config: Config) -> Iterator[HelpCenterClient]:
    remote = require_remote(config)
    assert remote.organization_id is not None
    headers = {"User-Agent": f"kbsync/{__version__}"}
    if remote.is_local:
        app = _embedded(config, remote.organization_id)
        http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url=LOCAL_ORIGIN,
                            headers=headers, timeout=TIMEOUT)
    else:
        app = None
        http = httpx.Client(base_url=remote.base_url, headers=headers, timeout=TIMEOUT)
    record = None
    if remote.token is not None and remote.requests_per_minute > 0 and not remote.is_local:
        record = SpendRecord.for_token(config.cache_dir, remote.base_url, remote.token)
    try:
        yield HelpCenterClient(http, organization_id=remote.organization_id,
                               token=remote.token,
                               requests_per_minute=remote.requests_per_minute, record=record)
    finally:
        http.close()
        if app is not None:
            app.close()


def load_tickets(path: str | Path) -> list[dict[str, Any]]:
    """The tickets of a file the emulator serves; a ConfigError naming the file when it
    is not a JSON array of tickets (the emulator's own error, said in kbsync's words)."""
    from kbsync.emulator.app import load_tickets as emulator_tickets
    from kbsync.emulator.errors import EmulatorError

    try:
        return emulator_tickets(path)
    except EmulatorError as exc:
        raise ConfigError(str(exc)) from None


def _local_tickets(config: Config) -> list[dict[str, Any]]:
    """The tickets of ``tickets.json`` beside kbsync.toml, when there is one; a pipe or a
    folder there is said, not taken for "no tickets"."""
    special = not_a_file(config.root, LOCAL_TICKETS)
    if special is not None:
        raise ConfigError(f"{config.root / LOCAL_TICKETS} {special}: the embedded Help "
                          "Center serves the tickets it holds; make it a regular file, or "
                          "delete it")
    path = config.root / LOCAL_TICKETS
    return load_tickets(path) if path.is_file() else []


def _embedded(config: Config, organization_id: int) -> EmulatorApp:
    """The embedded Help Center on ``.kbsync/local.db``; a StateError naming the file
    when it is not a database kbsync can open (garbage, a folder, a pipe, a link out)."""
    from kbsync.emulator.app import EmulatorConfig, create_app

    tickets = _local_tickets(config)
    ensure_state_dir(config.state_dir)
    db = config.local_db
    special = not_a_file(config.root, f"{STATE_DIR}/{db.name}")
    problem = f"{db} {special}" if special is not None else None
    if problem is None:
        try:
            return create_app(EmulatorConfig(db=str(db), token=None, org_id=organization_id,
                                             tickets=tickets))
        except sqlite3.Error as exc:
            problem = f"{db} cannot be opened as a database ({exc})"
    raise StateError(f"{problem}: it holds the embedded Help Center (base_url = \"local\"); "
                     "move it away to start an empty one (the next apply fills it), or "
                     "restore it from a backup")


def observed(connect: Connect, *, on_request: RequestObserver | None = None,
             on_wait: WaitObserver | None = None) -> Connect:
    """``connect`` with observers attached to every client it opens.

    The command line wires the console here once (``-v`` request lines, rate-limit
    waits), so every command that opens a client reports the same way.
    """

    @contextmanager
    def connect_observed(config: Config) -> Iterator[HelpCenterClient]:
        with connect(config) as client:
            client.observe(on_request=on_request, on_wait=on_wait)
            yield client

    return connect_observed
