"""Parsing and rendering many bodies at once, on every core.

markdown-it-py parses a 5 KB help article in about 2 ms here, so a 2,000-article
knowledge base is seconds of parsing. Bodies are independent, and rendering is made
independent of the remote too (links become placeholders that ``fill_links`` completes),
so big batches are spread over worker processes; small ones stay in-process, where a
worker's start-up would cost more than it saves.

Workers are the parent's helpers and nothing more: they do not hold its standard output
or error (so ``kbsync apply | tee log`` or a CI step ends when kbsync ends, not when a
stray worker does), and they die with it (``PR_SET_PDEATHSIG`` on Linux, and a watch on
the parent's pid everywhere), so a SIGKILL or SIGTERM during parsing leaves no orphan.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from kbsync.assets.home import AssetHome
from kbsync.local.parse_cache import ParseCache
from kbsync.markdown import (
    DEFAULT_DIALECT,
    ArticleKeys,
    Dialect,
    MarkdownRenderer,
    ParsedBody,
    renderer_for,
    template_resolver,
)
from kbsync.model import LocalArticle, RenderedBody

if TYPE_CHECKING:  # the pool's modules load when a batch is big enough to need one
    from concurrent.futures import Future, ProcessPoolExecutor

T = TypeVar("T")
J = TypeVar("J")
S = TypeVar("S")
#: Below this many bodies, one process is faster than starting workers.
POOL_THRESHOLD = 300
_CHUNK = 50


@dataclass(frozen=True, slots=True)
class Job:
    key: str
    body: str
    body_line: int


@dataclass(frozen=True, slots=True)
class Settings:
    """What a worker needs besides the bodies: the dialect and where links point."""

    dialect: Dialect = DEFAULT_DIALECT
    assets: AssetHome | None = None  # where local files are published (None: stay relative)
    article_keys: ArticleKeys | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    meta: ParsedBody  # links and anchors only (no tokens)
    template: RenderedBody  # article links as placeholders


def workers(jobs: int) -> int:
    """How many processes a batch of ``jobs`` bodies deserves (1 = in-process)."""
    if jobs < POOL_THRESHOLD:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def parse_articles(articles: Sequence[LocalArticle], renderer: MarkdownRenderer,
                   cache: ParseCache) -> dict[str, ParsedBody]:
    """Links and anchors of every body: from the cache where the file is unchanged.

    Bodies parsed in this process keep their tokens (the renderer reuses them); those
    from the cache or from worker processes have none and are parsed again if rendered.
    """
    parser = ArticleParser(renderer, cache)
    for article in articles:
        parser.add(article)
    return parser.finish()


class ArticleParser:
    """``parse_articles`` fed one article at a time, as a tree is read.

    Told first how many files there are (``expect``), it knows when more must be parsed
    than the cache can hold; then each chunk of bodies goes to the workers as soon as it
    is read, and they parse while the rest of the tree is read. ``known``: bodies parsed
    already from line 1, by their text (``init`` has its workers parse each body as they
    convert it, so checking the files it wrote parses nothing).
    """

    def __init__(self, renderer: MarkdownRenderer, cache: ParseCache,
                 known: Mapping[str, ParsedBody] | None = None) -> None:
        self._renderer = renderer
        self._cache = cache
        self._known = known or {}
        self._parsed: dict[str, ParsedBody] = {}
        self._missing: list[LocalArticle] = []
        self._streaming = 0  # workers parsing as the tree is read (0: decide at the end)
        self._chunk: list[Job] = []
        self._sent: list[Future[list[tuple[str, ParsedBody]]]] = []

    def expect(self, files: int) -> None:
        """``files`` articles are coming: the ones the cache cannot hold are parsed for
        sure, so their workers start now."""
        count = workers(files - len(self._cache) - len(self._known))
        if count > 1:
            warm_up(files)
            self._streaming = count

    def add(self, article: LocalArticle) -> None:
        hit = self._cache.get(article.source_hash)
        if hit is None and self._known:
            hit = _known_parse(article, self._known)
            if hit is not None:
                self._cache.put(article.source_hash, hit)
        if hit is not None:
            self._parsed[article.key] = hit
            return
        self._missing.append(article)
        if self._streaming:
            self._chunk.append(Job(article.key, article.body, article.body_line))
            if len(self._chunk) == _CHUNK:
                self._send()

    def finish(self) -> dict[str, ParsedBody]:
        """Every article's parse, the cache updated and saved."""
        if self._streaming:
            self._send()
            fresh = {key: parsed for sent in self._sent for key, parsed in sent.result()}
        elif workers(len(self._missing)) > 1:  # a big cold tree: every core parses
            fresh = parse_metas([Job(a.key, a.body, a.body_line) for a in self._missing],
                                self._renderer.dialect)
        else:
            fresh = self._renderer.parse_many(
                (a.key, a.body, a.body_line) for a in self._missing)
        for article in self._missing:
            self._cache.put(article.source_hash, fresh[article.key])
        self._parsed.update(fresh)
        self._cache.save()
        return self._parsed

    def _send(self) -> None:
        if self._chunk:
            self._sent.append(_pool(self._streaming).submit(
                _parse_chunk, self._chunk, Settings(self._renderer.dialect)))
            self._chunk = []


def _known_parse(article: LocalArticle, known: Mapping[str, ParsedBody]) -> ParsedBody | None:
    """``article``'s body parse from ``known``; blank lines the file has before the body
    (after the front matter) only move the lines of its links."""
    body = article.body.lstrip("\n")
    before = known.get(body)
    if before is None:
        return None
    return before.starting_at(article.body_line + len(article.body) - len(body))


def parse_metas(jobs: Sequence[Job],
                dialect: Dialect = DEFAULT_DIALECT) -> dict[str, ParsedBody]:
    """Links and anchors of each body (what validation needs), tokens dropped."""
    return dict(run_chunks(jobs, _parse_chunk, Settings(dialect)))


def render_templates(jobs: Sequence[Job], settings: Settings) -> dict[str, Rendered]:
    """Links, anchors and the rendered body (links as placeholders) of each body."""
    return dict(run_chunks(jobs, _render_chunk, settings))


def run_chunks(jobs: Sequence[J], work: Callable[[list[J], S], list[tuple[str, T]]],
               settings: S) -> Iterator[tuple[str, T]]:
    """``work`` over chunks of ``jobs``: in-process for a small batch, else on every core.

    The results come in the order of ``jobs``. On the pool every chunk is handed out at
    once, before the first result is asked for, so a caller that takes the results one by
    one works on the first while the workers do the rest. ``work`` must be a module-level
    function (workers import it by name), and jobs and settings picklable.
    """
    chunks = [list(jobs[i:i + _CHUNK]) for i in range(0, len(jobs), _CHUNK)]
    count = workers(len(jobs))
    if count == 1:
        return (item for chunk in chunks for item in work(chunk, settings))
    results = _pool(count).map(work, chunks, [settings] * len(chunks))
    return (item for result in results for item in result)


def warm_up(jobs: int) -> None:
    """Start the workers a batch of ``jobs`` bodies will use, without waiting for them.

    A worker takes a few tenths of a second to start; a caller that knows a big batch is
    coming starts them while it still reads: init once the collection tree counts the
    articles, a check once the walk of the folders counts the files.
    """
    count = workers(jobs)
    if count > 1:
        pool = _pool(count)
        for _ in range(count):
            pool.submit(_started)


def _started() -> None:
    """A task for a starting worker: its start (importing kbsync) is the work."""


_POOL: tuple[int, ProcessPoolExecutor] | None = None
_POOL_LOCK = threading.Lock()


def _pool(count: int) -> ProcessPoolExecutor:
    """One pool of workers for the whole process, started on first use.

    Starting a worker costs most of a second (a new interpreter importing kbsync), and
    one command may need workers twice (init converts, then checks what it wrote; plan
    parses, then renders), so they are kept until the process ends. Spawned, not
    forked: the caller may run threads (a served emulator, say), and a forked child of a
    threaded process can deadlock on a lock another thread held.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != count or getattr(_POOL[1], "_broken", False):
            if _POOL is not None:
                _POOL[1].shutdown(wait=False, cancel_futures=True)
            pool = ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn"),
                                       initializer=worker_init, initargs=(os.getpid(),))
            _POOL = (count, pool)
            atexit.register(pool.shutdown, wait=True, cancel_futures=True)
        return _POOL[1]


_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.2


def worker_init(parent: int) -> None:
    """Run first in every worker: let go of the parent's terminal, die with the parent."""
    _let_go_of_output()
    _die_with(parent)


def _let_go_of_output() -> None:
    """fds 0, 1 and 2 on the null device: the parent's pipes close when the parent ends.

    A worker's own errors still reach the parent, as exceptions through the pool.
    """
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in (0, 1, 2):
            os.dup2(null, fd)
    finally:
        os.close(null)


def _die_with(parent: int) -> None:
    import ctypes

    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="kbsync-parent-watch",
                     daemon=True).start()


def _watch_parent(parent: int) -> None:
    """The portable fallback: a worker whose parent is gone is re-parented; it leaves."""
    while True:
        time.sleep(_WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def _meta(parsed: ParsedBody) -> ParsedBody:
    return replace(parsed, tokens=None)


def parse_meta(renderer: MarkdownRenderer, body: str, body_line: int = 1) -> ParsedBody:
    """Links and anchors of ``body``, its tokens dropped (to be sent between processes)."""
    return _meta(renderer.parse(body, body_line))


def _parse_chunk(chunk: list[Job], settings: Settings) -> list[tuple[str, ParsedBody]]:
    renderer = renderer_for(settings.dialect)
    return [(job.key, parse_meta(renderer, job.body, job.body_line)) for job in chunk]


def _render_chunk(chunk: list[Job], settings: Settings) -> list[tuple[str, Rendered]]:
    renderer = renderer_for(settings.dialect)
    out = []
    for job in chunk:
        parsed = renderer.parse(job.body, job.body_line)
        template = renderer.render(parsed, article_key=job.key,
                                   resolve_article_url=template_resolver,
                                   assets=settings.assets,
                                   article_keys=settings.article_keys)
        out.append((job.key, Rendered(_meta(parsed), template)))
    return out
