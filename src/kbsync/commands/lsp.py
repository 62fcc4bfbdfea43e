"""``kbsync lsp``: the language server on stdin and stdout, for the editor that starts
it; ``--check``: what it would report about the folder, printed once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kbsync.config import Config

__all__ = ["check", "serve"]


def serve() -> int:
    """Serve the editor until it shuts the server down (or closes its input)."""
    from kbsync.lsp.server import create_server

    server = create_server()
    try:
        server.start_io()
    finally:
        server.previews.kill()
        server.engine.shutdown(wait=False, cancel_futures=True)
    return 0


def check(config: Config, target: Path | None, out: Callable[[str], None]) -> int:
    """Print the server's diagnostics for the folder (or ``target``); 1 when an error is
    among them, as validate."""
    from kbsync.lsp.report import check_folder

    report = check_folder(config, target)
    for line in report.lines:
        out(line)
    return 1 if report.errors else 0
