"""Files change -> (a quiet moment) -> one rebuild, whatever the rebuild does.

Editors save in bursts: a temporary file written, renamed over the article, a backup
deleted. watchdog reports each step; :class:`PathCollector` turns them into
root-relative paths and :class:`Debouncer` gathers them until no event came for
``delay`` seconds (or ``max_delay`` passed since the first one, so a file rewritten
non-stop is still shown), then hands the whole set to the rebuild callable once.

The loop only knows that a rebuild is wanted; the rebuild is a callable it is given,
and any exception it raises is reported and survived (the last good preview stays).
Time comes from an injected clock, so the debounce is tested without sleeping.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from kbsync.errors import KbsyncError
from kbsync.local.ignore import IGNORE_FILE
from kbsync.local.walk import deeper_than
from kbsync.problems import clipped

DEFAULT_DELAY = 0.05
#: Deeper folders are refused: watchdog walks the folder with recursion (``os.walk``),
#: which a thousand nested folders would end with RecursionError.
WATCH_MAX_DEPTH = 200
DEFAULT_MAX_DELAY = 1.0
#: What changes content. Not "opened"/"closed without writing" (the rebuild's own reads
#: would trigger rebuilds) nor a folder's "modified" (every save inside it sends one).
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]
_WATCHED_TYPES = frozenset(
    (event.event_type, event.is_directory) for event in (
        FileCreatedEvent(""), FileDeletedEvent(""), FileModifiedEvent(""),
        FileMovedEvent("", ""), FileClosedEvent(""), DirCreatedEvent(""), DirDeletedEvent(""),
        DirMovedEvent("", "")))


class Debouncer:
    """Collects changed paths; calls ``rebuild`` with all of them once things are quiet."""

    def __init__(self, rebuild: Callable[[frozenset[str]], object], *,
                 on_error: Callable[[BaseException], None],
                 delay: float = DEFAULT_DELAY, max_delay: float = DEFAULT_MAX_DELAY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._rebuild = rebuild
        self._on_error = on_error
        self._delay = delay
        self._max_delay = max(max_delay, delay)
        self._clock = clock
        self._cond = threading.Condition()
        self._paths: set[str] = set()
        self._first: float | None = None
        self._last = 0.0
        self._stopped = False
        self.rebuilds = 0  # batches handed over, failed ones included

    def add(self, paths: Iterable[str]) -> None:
        """Note changed paths (from any thread); the quiet period starts again."""
        paths = list(paths)
        if not paths:
            return
        with self._cond:
            now = self._clock()
            self._paths.update(paths)
            if self._first is None:
                self._first = now
            self._last = now
            self._cond.notify_all()

    def wait_time(self) -> float | None:
        """Seconds until the pending batch is due (0: now), None when nothing is pending."""
        with self._cond:
            return self._wait_time()

    def _wait_time(self) -> float | None:
        if self._first is None:
            return None
        due = min(self._last + self._delay, self._first + self._max_delay)
        return max(0.0, due - self._clock())

    def flush(self, *, force: bool = False) -> bool:
        """Hand the pending batch to the rebuild if it is due (or ``force``); True if
        a rebuild ran. An exception from the rebuild goes to ``on_error``, never up."""
        with self._cond:
            wait = self._wait_time()
            if wait is None or (wait > 0 and not force):
                return False
            batch = frozenset(self._paths)
            self._paths.clear()
            self._first = None
        self.rebuilds += 1
        try:
            self._rebuild(batch)
        except Exception as exc:
            self._on_error(exc)
        return True

    def run(self) -> None:
        """Wait for batches and rebuild them until :meth:`stop` (a thread's target)."""
        while True:
            with self._cond:
                while not self._stopped:
                    wait = self._wait_time()
                    if wait == 0:
                        break
                    self._cond.wait(timeout=wait)
                if self._stopped:
                    return
            self.flush()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()


class PathCollector(FileSystemEventHandler):
    """watchdog events -> root-relative POSIX paths of things that may be content.

    Hidden names (``.git/``, ``.kbsync/``, an editor's ``.x.md.swp``) are dropped, except
    ``.kbsyncignore``; an atomic save still counts, because the rename's destination is
    the article itself. The root itself comes out as ``""`` (it was moved or deleted).
    """

    def __init__(self, root: Path, sink: Callable[[Iterable[str]], None]) -> None:
        super().__init__()
        self._root = os.path.realpath(root)
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        if (event.event_type, event.is_directory) not in _WATCHED_TYPES:
            return
        found = [self.relative(p) for p in (event.src_path, getattr(event, "dest_path", ""))
                 if p]
        paths = [p for p in found if p is not None]
        if paths:
            self._sink(paths)

    @property
    def root(self) -> str:
        return self._root

    def relative(self, path: str | bytes) -> str | None:
        rel = os.path.relpath(os.fsdecode(path), self._root)
        if rel == ".":
            return ""
        rel = rel.replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            return None
        if any(part.startswith(".") for part in rel.split("/")) and rel != IGNORE_FILE:
            return None
        return rel


class FolderWatcher:
    """A watchdog observer on the knowledge-base folder that outlives the folder.

    Deleting or moving the folder itself ends its watch; :meth:`check` (called now and
    then) watches it again once it is back and reports the whole folder as changed.
    """

    def __init__(self, root: Path, sink: Callable[[Iterable[str]], None]) -> None:
        self._collector = PathCollector(root, sink)
        self._sink = sink
        self._observer: BaseObserver = Observer()
        self._observer.daemon = True

    def start(self) -> None:
        self._schedule()
        self._observer.start()

    def _schedule(self) -> None:
        """Watch the whole folder; KbsyncError (naming the folder) when it holds one too
        deep for watchdog, whose recursive watch walks it with recursion."""
        root = Path(self._collector.root)
        deep = deeper_than(root, WATCH_MAX_DEPTH)
        if deep is not None:
            raise KbsyncError(f"{clipped(deep, 120)}: a folder nested more than "
                              f"{WATCH_MAX_DEPTH} levels deep; the preview cannot watch "
                              f"{root} (collections stop at 3 levels): move or delete it")
        self._observer.schedule(self._collector, self._collector.root, recursive=True,
                                event_filter=WATCHED_EVENTS)

    @property
    def watching(self) -> bool:
        return any(emitter.is_alive() for emitter in self._observer.emitters)

    def check(self) -> bool:
        """Watch the folder again if its watch ended and it exists; True when it did.
        KbsyncError when it cannot be watched (a folder too deep was moved in)."""
        if self.watching or not os.path.isdir(self._collector.root):
            return False
        self._observer.unschedule_all()
        try:
            self._schedule()
        except OSError:
            return False  # gone again meanwhile; the next check tries again
        self._sink([""])
        return True

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=5)
