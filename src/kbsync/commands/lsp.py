"""``kbsync lsp``: the language server on stdin and stdout, for the editor that starts
it; ``--check``: what it would report about the folder, printed once."""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, cast

from kbsync.config import Config

__all__ = ["check", "loaded_without_collection", "serve"]


def serve() -> int:
    """Serve the editor until it shuts the server down (or closes its input); Ctrl-C or
    SIGTERM stop it too (KeyboardInterrupt: exit 130)."""
    with loaded_without_collection():
        from kbsync.lsp.server import create_server
        from kbsync.lsp.stdio import Input, stopped_by_signals

        server = create_server()
    stop = threading.Event()
    try:
        with stopped_by_signals(stop):
            # pygls reads lines and sizes; Windows's select() takes no pipes: there the
            # editor's shutdown (or closing the input) is what stops the server
            stdin = sys.stdin.buffer if sys.platform == "win32" else cast(
                BinaryIO, Input(sys.stdin.buffer, stop))
            server.start_io(stdin, sys.stdout.buffer)
    finally:
        server.previews.kill()
        server.engine.shutdown(wait=False, cancel_futures=True)
    if stop.is_set():
        raise KeyboardInterrupt
    return 0


@contextlib.contextmanager
def loaded_without_collection() -> Iterator[None]:
    """Load the server's modules with Python's cycle collector off, and freeze what they
    made: pygls, lsprotocol and the engine make a few hundred thousand objects, none of
    them garbage, which the collector would otherwise walk over and over while an
    editor waits for its first diagnostics (a warm start 0.05 s shorter)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def check(config: Config, target: Path | None, out: Callable[[str], None]) -> int:
    """Print the server's diagnostics for the folder (or ``target``); 1 when an error is
    among them, as validate."""
    from kbsync.lsp.report import check_folder

    report = check_folder(config, target)
    for line in report.lines:
        out(line)
    return 1 if report.errors else 0
