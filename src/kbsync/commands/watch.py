"""``kbsync watch``: the Help Center as readers will see it, updated on every save.

Nothing is sent anywhere (unless ``--push-drafts``: then each saved article also goes to
initdesk as a draft, see ``preview.drafts``): the knowledge base is read, checked and
rendered as apply would render it, and served on loopback. The pieces run side by side
until Ctrl-C: the server's threads, watchdog's observer, and one rebuild loop that takes
batches of changed paths; a rebuild that fails is reported and the last good preview
stays.
"""

from __future__ import annotations

import errno
import ipaddress
import signal
import threading
import traceback
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from kbsync.config import Config
from kbsync.console import Console
from kbsync.defaults import DEFAULT_DEBOUNCE_MS, DEFAULT_PREVIEW_PORT
from kbsync.errors import ConfigError, KbsyncError, UsageError
from kbsync.preview.drafts import DraftPusher, describe
from kbsync.preview.events import Broadcaster
from kbsync.preview.server import PreviewApp, event_data, serving
from kbsync.preview.site import Site, Update
from kbsync.preview.watch import Debouncer, FolderWatcher
from kbsync.session import Connect, asset_store, open_client, remote_ref

#: How often the main thread looks at the folder's watch while waiting for Ctrl-C.
_CHECK_EVERY = 0.5


def run(load_config: Callable[[], Config], console: Console, *, host: str = "127.0.0.1",
        port: int = DEFAULT_PREVIEW_PORT, open_browser: bool = False,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        open_url: Callable[[str], object] = webbrowser.open,
        stop: threading.Event | None = None,
        on_ready: Callable[[str], object] | None = None,
        push_drafts: bool = False, connect: Connect = open_client) -> int:
    """Serve the preview until Ctrl-C (or ``stop``); 0 when stopped."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535 (got {port})")
    if debounce_ms < 0:
        raise UsageError(f"--debounce must be 0 or more milliseconds (got {debounce_ms})")
    stop = stop or threading.Event()
    site = Site(load_config)
    try:
        with ExitStack() as remote:
            remote.enter_context(_stopped_by_sigterm(stop))
            pusher = _pusher(load_config(), console, connect, remote) if push_drafts else None
            _serve(site, console, host=host, port=port, open_browser=open_browser,
                   debounce=debounce_ms / 1000, open_url=open_url, stop=stop,
                   on_ready=on_ready, pusher=pusher)
    except KeyboardInterrupt:
        pass
    finally:
        site.close()
    console.info("Preview stopped.")
    return 0


@contextmanager
def _stopped_by_sigterm(stop: threading.Event) -> Iterator[None]:
    """SIGTERM stops the preview as Ctrl-C does: process managers, editors' stop buttons
    and background jobs (whose shell ignores SIGINT) send it. Only the main thread can
    take signals; elsewhere (tests) ``stop`` is the way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _pusher(config: Config, console: Console, connect: Connect,
            stack: ExitStack) -> DraftPusher:
    """The draft pusher, on a client kept open for the whole preview."""
    client = stack.enter_context(connect(config))
    console.info(f"Saved articles go to initdesk as drafts ({config.remote.base_url}).")
    return DraftPusher(config, client, remote_ref(config), store=asset_store(config))


def _serve(site: Site, console: Console, *, host: str, port: int, open_browser: bool,
           debounce: float, open_url: Callable[[str], object], stop: threading.Event,
           on_ready: Callable[[str], object] | None, pusher: DraftPusher | None) -> None:
    broadcaster = Broadcaster()

    def failed(exc: BaseException) -> None:
        console.error(f"the preview could not be rebuilt ({type(exc).__name__}: {exc}); "
                      "the last good version is still shown")
        console.detail("".join(traceback.format_exception(exc)))

    # Pushes wait on their own thread: one may wait a minute for initdesk's rate limit,
    # and the preview goes on updating meanwhile. Articles saved again while a push
    # waits are pushed once after it, with what their files hold then.
    pushes = None if pusher is None else Debouncer(
        lambda keys: _push(pusher, sorted(keys), console), on_error=failed, delay=0)

    def rebuild(paths: frozenset[str]) -> None:
        update = site.update(paths)
        _report(update, console)
        if update.changed:
            broadcaster.publish(event_data(update))
        if pushes is not None:
            pushes.add(key for key in paths if key in update.build.pages)

    app = PreviewApp(site, broadcaster, on_error=failed)
    debouncer = Debouncer(rebuild, on_error=failed, delay=debounce)
    watcher = FolderWatcher(site.root, debouncer.add)
    loop = threading.Thread(target=debouncer.run, name="kbsync-rebuild", daemon=True)
    with ExitStack() as running:
        if pushes is not None:
            pushing = threading.Thread(target=pushes.run, name="kbsync-push-drafts",
                                       daemon=True)
            pushing.start()
            running.callback(pushing.join, 5)
            running.callback(pushes.stop)
        url = running.enter_context(_listening(app, host, port))  # a taken port fails fast
        watcher.start()  # before the first read: a save during it is not missed
        running.callback(watcher.stop)
        with console.status(f"Reading {site.root} ..."):
            first = site.update()
        for problem in first.build.problems:
            console.problem(problem)
        console.info(f"Read {first.summary} in {first.build.built_ms:.0f} ms.")
        broadcaster.publish(event_data(first))  # a page opened meanwhile fills in
        loop.start()  # callbacks run last to first: stop watching, then the loop
        running.callback(loop.join, 5)
        running.callback(debouncer.stop)
        console.out(f"Preview of {site.root} on {url} (Ctrl-C to stop)")
        if not _is_loopback(host):
            console.warn(f"Listening on {host}: anyone who can reach this machine can read "
                         "the preview, drafts included.")
        if on_ready is not None:
            on_ready(url)
        if open_browser:
            open_url(url)
        unwatched = ""
        while not stop.wait(_CHECK_EVERY):
            try:
                if watcher.check():
                    console.info(f"Watching {site.root} again.")
                unwatched = ""
            except KbsyncError as exc:  # said once; the check goes on until it is fixed
                if str(exc) != unwatched:
                    console.error(f"{exc}; until then the preview is not updated")
                unwatched = str(exc)


def _push(pusher: DraftPusher, saved: list[str], console: Console) -> None:
    """Push the saved articles; a refusal (another run here, a lock for another Help
    Center, initdesk down) is said and the preview goes on."""
    try:
        pushed = pusher.push(saved)
    except KbsyncError as exc:
        console.error(f"drafts not pushed: {exc}")
        return
    for one in pushed:
        (console.warn if one.action == "refused" else console.info)(describe(one))


@contextmanager
def _listening(app: PreviewApp, host: str, port: int) -> Iterator[str]:
    """The server running, or a one-line error naming the port."""
    try:
        server = serving(app, host, port)
        url = server.__enter__()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(f"port {port} on {host} is already in use; choose another "
                              "with --port") from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


def _report(update: Update, console: Console) -> None:
    """The terminal's share of a rebuild: each new problem once, fixes, one summary."""
    for problem in update.new_problems:
        console.problem(problem)
    for path in update.fixed:
        console.success(f"{path}: no errors now")
    if update.changed:
        console.info(f"Updated {update.summary} in {update.build.built_ms:.0f} ms.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
