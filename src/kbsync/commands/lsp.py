"""``kbsync lsp``: the language server on stdin and stdout, for the editor that starts
it; ``--check``: what it would report about the folder, printed once."""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

if TYPE_CHECKING:  # serving loads no settings' schema before the protocol (firstlook.py)
    from kbsync.config import Config

__all__ = ["FOLDER_WAIT", "check", "loaded_without_collection", "serve"]

#: How long the server waits for the editor's first message, to tell the first-look
#: helper which folder to read (seconds); an editor sends it as it starts the server.
FOLDER_WAIT = 0.1


def serve() -> int:
    """Serve the editor until it shuts the server down (or closes its input); Ctrl-C or
    SIGTERM stop it too (KeyboardInterrupt: exit 130).

    The first-look helper starts before anything else loads, and is told the editor's
    folder as soon as its first message shows it (``kbsync.lsp.firstlook``)."""
    from kbsync.lsp.firstlook import FirstLook
    from kbsync.lsp.stdio import Input, stopped_by_signals

    helper = FirstLook.start()
    stop = threading.Event()
    # pygls reads lines and sizes; Windows's select() takes no pipes: there the editor's
    # shutdown (or closing the input) is what stops the server, and the helper hears of
    # the folder from the initialize handler
    reader = None if sys.platform == "win32" else Input(sys.stdin.buffer, stop)
    if helper is not None and reader is not None:
        folder = reader.first_folder(FOLDER_WAIT)
        if folder is not None:
            from pygls.uris import to_fs_path  # a light module: no lsprotocol

            path = to_fs_path(folder)
            if path:
                helper.folder(Path(path))
    try:
        with loaded_without_collection():
            from kbsync.lsp.server import create_server

            server = create_server(helper)
    except BaseException:
        if helper is not None:
            helper.stop()
        raise
    try:
        with stopped_by_signals(stop):
            stdin = sys.stdin.buffer if reader is None else cast(BinaryIO, reader)
            server.start_io(stdin, sys.stdout.buffer)
    finally:
        server.previews.kill()
        server.engine.shutdown(wait=False, cancel_futures=True)
        if server.first_look is not None:
            server.first_look.stop()
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
