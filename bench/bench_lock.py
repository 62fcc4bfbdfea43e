"""Benchmark: what keeping kbsync.lock durable costs during a first apply.

A first apply writes every article once, and the lock must survive a SIGKILL after any
of those writes. This counts what that costs: fsyncs, whole-lock serialisations
(``Lock.dumps``), bytes written for the lock (``kbsync.lock`` and its journal), beside
the wall time and requests of the apply. Prints a table; asserts nothing. Run:

    python bench/bench_lock.py                          # 1,000 and 10,000 articles
    python bench/bench_lock.py --articles 2000

The knowledge base is bench/corpus.py's (40 collections), applied to the embedded Help
Center (``base_url = "local"``, in-process, unpaced), through the apply command as a
user runs it.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus import generate  # bench/ is the script's folder

from kbsync.commands import apply as apply_command
from kbsync.config import load_config
from kbsync.console import Console
from kbsync.model import Lock


class Counts:
    """fsyncs, whole-lock dumps and bytes written to the lock's files, while counting."""

    def __init__(self) -> None:
        self.fsyncs = self.dumps = self.lock_bytes = 0

    @contextmanager
    def counting(self) -> Iterator[None]:
        real_fsync, real_dumps, real_write = os.fsync, Lock.dumps, os.write

        def fsync(fd: Any) -> None:
            self.fsyncs += 1
            real_fsync(fd)

        def dumps(lock: Lock) -> str:
            self.dumps += 1
            text = real_dumps(lock)
            self.lock_bytes += len(text.encode())
            return text

        def write(fd: int, data: Any) -> int:
            if _is_journal(fd):
                self.lock_bytes += len(data)
            return real_write(fd, data)

        os.fsync, os.write = fsync, write
        Lock.dumps = dumps  # type: ignore[method-assign]
        try:
            yield
        finally:
            os.fsync, os.write = real_fsync, real_write
            Lock.dumps = real_dumps  # type: ignore[method-assign]


def _is_journal(fd: int) -> bool:
    try:
        return os.readlink(f"/proc/self/fd/{fd}").endswith("lock.journal")
    except OSError:
        return False


def first_apply(articles: int) -> tuple[str, ...]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        generate(root, articles)
        config = load_config(root, environ={})
        console = Console(color=False, stdout=io.StringIO(), stderr=io.StringIO())
        counts = Counts()
        requests: list[int] = []
        started = time.perf_counter()
        with counts.counting():
            code = apply_command.run(config, console, yes=True,
                                     connect=_counting_requests(requests))
        wall = time.perf_counter() - started
        assert code == 0, console
        return (f"first apply, {articles:,} articles", f"{wall:.1f} s", f"{sum(requests):,}",
                f"{counts.fsyncs:,}", f"{counts.dumps:,}",
                f"{counts.lock_bytes / 2**20:,.1f} MiB")


def _counting_requests(into: list[int]) -> Callable[..., Any]:
    from kbsync.session import open_client

    @contextmanager
    def connect(config: Any) -> Iterator[Any]:
        with open_client(config) as client:
            yield client
            into.append(client.request_count)

    return connect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    rows = [first_apply(count) for count in args.articles]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    head = ("step", "wall", "requests", "fsyncs", "lock dumps", "lock bytes")
    widths = (34, 9, 10, 8, 11, 11)
    for row in (head, *rows):
        print(" ".join(f"{cell:<{w}}" if i == 0 else f"{cell:>{w}}"
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
    print(f"peak memory (max RSS of the whole run): {rss:.0f} MiB")


if __name__ == "__main__":
    main()
