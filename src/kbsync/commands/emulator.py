"""``kbsync emulator``: a local initdesk Help Center for tests, demos and offline work."""

from __future__ import annotations

import errno
import shlex
import sqlite3
from collections.abc import Callable

from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.emulator.server import serve_forever
from kbsync.errors import ConfigError, UsageError
from kbsync.remote import wire
from kbsync.session import load_tickets


def _check_arguments(port: int, org: int, rate_limit: int, faults: float) -> None:
    """Reject impossible values before anything is bound or created."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535 (got {port})")
    if org < 1:
        raise UsageError(f"--org must be a positive organization id (got {org})")
    if rate_limit < 0:
        raise UsageError(
            f"--rate-limit must be 0 (off) or a positive number of requests (got {rate_limit})"
        )
    if not 0.0 <= faults <= 1.0:
        raise UsageError(f"--faults must be a share between 0 and 1 (got {faults})")


def curl_line(url: str, org: int, token: str | None) -> str:
    """A request a person can paste: the token travels in initdesk's header."""
    header = f"-H {shlex.quote(f'{wire.TOKEN_HEADER}: {token}')} " if token is not None else ""
    return f"curl {header}{url}{wire.ARTICLE.at(org)}"


def run(
    *,
    host: str,
    port: int,
    db: str,
    token: str | None,
    org: int,
    rate_limit: int,
    faults: float,
    seed: int,
    tickets: str | None,
    announce: Callable[[str], None],
) -> int:
    """Serve an emulated Help Center until interrupted; 0 on a clean Ctrl-C."""
    _check_arguments(port, org, rate_limit, faults)
    config = EmulatorConfig(
        db=db,
        token=token,
        org_id=org,
        rate_limit=rate_limit,
        faults=faults,
        seed=seed,
        tickets=load_tickets(tickets) if tickets else [],
    )
    try:
        app = create_app(config)
    except sqlite3.Error as exc:
        raise ConfigError(f"{db}: cannot open the emulator database ({exc})") from None

    def ready(url: str) -> None:
        shown_token = token if token is not None else "none required"
        announce(f"initdesk emulator on {url} (organization {org}, token: {shown_token})")
        hint = f"point kbsync at it: INITDESK_BASE_URL={url} INITDESK_ORG_ID={org}"
        announce(hint + (f" INITDESK_TOKEN={token}" if token is not None else ""))
        announce(f"or call it yourself: {curl_line(url, org, token)}")

    try:
        serve_forever(app, host, port, on_ready=ready)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is already in use; choose another with --port"
            ) from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        app.close()
    return 0
