"""Opening the remote for a command: a real Help Center, or the embedded one.

``base_url = "local"`` runs the emulator in-process on ``.kbsync/local.db`` through
``httpx.WSGITransport``: the same client code, the same wire, no account and no token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import httpx

from kbsync import __version__
from kbsync.config import Config, require_remote
from kbsync.model import RemoteRef
from kbsync.remote.client import HelpCenterClient, RequestObserver, WaitObserver
from kbsync.remote.spend_record import SpendRecord

#: How a command gets its client; tests pass one bound to their own emulator.
Connect = Callable[[Config], AbstractContextManager[HelpCenterClient]]

LOCAL_ORIGIN = "http://local.invalid"
#: Tickets the embedded Help Center serves, when this file sits beside kbsync.toml.
LOCAL_TICKETS = "tickets.json"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


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
        from kbsync.emulator.app import EmulatorConfig, create_app, load_tickets

        tickets_file = config.root / LOCAL_TICKETS
        tickets = load_tickets(tickets_file) if tickets_file.is_file() else []
        config.state_dir.mkdir(parents=True, exist_ok=True)
        app = create_app(EmulatorConfig(db=str(config.local_db), token=None,
                                        org_id=remote.organization_id, tickets=tickets))
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
