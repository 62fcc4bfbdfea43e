"""Benchmark: kbsync's request budget against initdesk's 60 requests a minute.

Serves the emulator over real HTTP on 127.0.0.1 with a rate limit of 60 (a rolling
minute per token, 429 with Retry-After, as ``kbsync emulator --rate-limit 60``) and runs
kbsync as separate processes (``python -m kbsync``) with the default client settings:
pacing on, ``requests_per_minute`` 60. Each scenario gets a fresh KBSYNC_CACHE_DIR,
shared by its processes as the steps of one CI job share the runner's cache folder.
Prints wall time, requests, 429s and peak memory; asserts nothing.

    python bench/bench_budget.py                  # 2,000 articles (about 7 minutes)
    python bench/bench_budget.py --articles 300   # quicker
    python bench/bench_budget.py --headers        # the emulator also sends X-RateLimit-*

Setup, not timed: the generated knowledge base (``bench/corpus.py``) is applied once,
unthrottled (INITDESK_RPM=0), to an emulator without a rate limit on a SQLite file.
Every scenario then starts from copies of that file and of the folder (its lock and
its ``.kbsync/cache``, as a CI job that caches ``.kbsync/cache`` has them) behind a
fresh rate-limited emulator, so no scenario inherits another's minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from corpus import article_path, generate  # bench/ is the script's folder

from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.emulator.server import running_server

TOKEN = "bench-token"
LIMIT = 60
WINDOW = 60.0
EDITS = 30
SECOND_RUN_DELAY = 10.0


@dataclass
class Step:
    """One kbsync process: what it took."""

    name: str
    started: float  # seconds since the scenario started
    wall: float
    code: int
    rss_mib: float
    output: str

    @property
    def ended(self) -> float:
        return self.started + self.wall


@dataclass
class Row:
    scenario: str
    wall: float
    requests: int
    limited: int
    rss_mib: float
    notes: list[str] = field(default_factory=list)


class Workspace:
    """The applied knowledge base and database every scenario copies."""

    def __init__(self, root: Path, articles: int) -> None:
        self.root = root
        self.articles = articles
        self.base_kb = root / "base-kb"
        self.base_db = root / "base.db"
        self._count = 0

    def prepare(self) -> float:
        self.base_kb.mkdir()
        generate(self.base_kb, self.articles)
        started = time.perf_counter()
        with emulator(self.base_db, rate_limit=0) as (url, _):
            step = kbsync(self.base_kb, ["apply", "--yes"], url, self.root / "setup-cache",
                          self.root / "setup.log", rpm="0")
        if step.code != 0:
            sys.exit(f"setup apply failed (exit {step.code}):\n{step.output}")
        return time.perf_counter() - started

    def copy(self) -> tuple[Path, Path, Path]:
        """A fresh folder, database and cache folder for one scenario (or one CI run)."""
        self._count += 1
        place = self.root / f"run-{self._count}"
        kb, db = place / "kb", place / "help.db"
        shutil.copytree(self.base_kb, kb)
        shutil.copyfile(self.base_db, db)
        return kb, db, place / "cache"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: Every scenario's emulator listens here: the lock made at setup belongs to one Help
#: Center (its base URL), and kbsync refuses a lock made for another.
PORT = _free_port()


@contextmanager
def emulator(db: Path, *, rate_limit: int, headers: bool = False) -> Iterator[tuple[str, Any]]:
    app = create_app(EmulatorConfig(db=str(db), token=TOKEN, rate_limit=rate_limit,
                                    rate_limit_headers=headers))
    try:
        with running_server(app, port=PORT) as url:
            yield url, app
    finally:
        app.close()


def kbsync(kb: Path, args: Sequence[str], url: str, cache: Path, log: Path, *,
           rpm: str | None = None, origin: float | None = None) -> Step:
    """Run one kbsync process as CI would; peak memory from its own rusage."""
    env = {**os.environ, "INITDESK_BASE_URL": url, "INITDESK_ORG_ID": "1",
           "INITDESK_TOKEN": TOKEN, "KBSYNC_CACHE_DIR": str(cache)}
    env.pop("INITDESK_RPM", None)
    if rpm is not None:
        env["INITDESK_RPM"] = rpm
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "kbsync", "-C", str(kb), *args],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return Step(" ".join(args), started - (origin if origin is not None else started), wall,
                process.returncode, usage.ru_maxrss / 1024, log.read_text(errors="replace"))


def served(url: str) -> list[dict[str, Any]]:
    """The emulator's request log, read as any client would."""
    answer = httpx.get(f"{url}/_emulator/requests", timeout=10)
    answer.raise_for_status()
    log: list[dict[str, Any]] = answer.json()
    return log


def edit(kb: Path, indices: Sequence[int]) -> None:
    for index in indices:
        path = kb / article_path(index)
        path.write_text(path.read_text() + "\nEdited for the budget benchmark.\n")


def edits(articles: int, offset: int) -> list[int]:
    return sorted({(offset + 7 * n) % articles for n in range(EDITS)})


def check(steps: Sequence[Step], allowed: dict[str, tuple[int, ...]]) -> list[str]:
    """Notes for any process that did not exit as its command should."""
    notes = []
    for step in steps:
        expected = allowed.get(step.name.split()[0], (0,))
        if step.code not in expected:
            tail = " | ".join(step.output.strip().splitlines()[-3:])
            notes.append(f"{step.name}: exit {step.code}: {tail}")
    return notes


PLAN = ["plan", "--detailed-exitcode"]
APPLY = ["apply", "--yes"]
EXIT_CODES = {"plan": (0, 2), "apply": (0,)}


def ci_run(kb: Path, url: str, cache: Path, log_dir: Path, origin: float,
           out: list[Step]) -> None:
    """A CI job: plan, then apply, two processes back to back."""
    for args in (PLAN, APPLY):
        out.append(kbsync(kb, args, url, cache, log_dir / f"{args[0]}.log", origin=origin))


# --- scenarios -------------------------------------------------------------------------------


def noop_plan(ws: Workspace, headers: bool, *, warm: bool) -> Row:
    kb, db, cache = ws.copy()
    if not warm:
        shutil.rmtree(kb / ".kbsync" / "cache", ignore_errors=True)
    with emulator(db, rate_limit=LIMIT, headers=headers) as (url, _):
        step = kbsync(kb, PLAN, url, cache, kb.parent / "plan.log")
        log = served(url)
    name = f"no-op plan, {ws.articles} articles ({'parse cache warm' if warm else 'cold'})"
    notes = check([step], {"plan": (0,)})
    return Row(name, step.wall, len(log), _limited(log), step.rss_mib, notes)


def plan_then_apply(ws: Workspace, headers: bool) -> tuple[Row, list[str]]:
    kb, db, cache = ws.copy()
    edit(kb, edits(ws.articles, 0))
    with emulator(db, rate_limit=LIMIT, headers=headers) as (url, _):
        origin = time.perf_counter()
        steps: list[Step] = []
        ci_run(kb, url, cache, kb.parent, origin, steps)
        wall = time.perf_counter() - origin
        log = served(url)
    row = Row(f"plan, then apply --yes of {EDITS} edits (2 processes)", wall, len(log),
              _limited(log), max(s.rss_mib for s in steps), check(steps, EXIT_CODES))
    details = [f"    {s.name:<24} {s.wall:6.1f} s  exit {s.code}" for s in steps]
    ideal, free_wall, free_requests = physical_limit(ws)
    details.append(f"    the same unthrottled, no rate limit: {free_wall:.1f} s, "
                   f"{free_requests} requests")
    details.append(f"    physical limit (that run's timeline under the rolling {LIMIT}/min "
                   f"rule): {ideal:.1f} s -> measured/limit = {wall / ideal:.3f}")
    if len(log) > LIMIT:
        details.append(f"    the issue's reading (the minute's budget, then one a second): "
                       f"{WINDOW + len(log) - LIMIT:.0f} s")
    return row, details


def physical_limit(ws: Workspace) -> tuple[float, float, int]:
    """The shortest time the rate limit allows for the plan-then-apply job.

    The job is run once without limit or pacing; its requests, at the moments they were
    sent, are then replayed under the rule "request k arrives no earlier than request
    k-60 plus 60 s", keeping every gap of local work between requests. The result is
    what a perfect client could do, with this job's own work in it.
    """
    kb, db, cache = ws.copy()
    edit(kb, edits(ws.articles, 0))
    with emulator(db, rate_limit=0) as (url, _):
        origin = time.perf_counter()
        wall_origin = time.time()
        for args in (PLAN, APPLY):
            kbsync(kb, args, url, cache, kb.parent / f"{args[0]}.log", rpm="0")
        free_wall = time.perf_counter() - origin
        at = [entry["at"] - wall_origin for entry in served(url)]
    schedule: list[float] = []
    for k, moment in enumerate(at):
        earliest = moment if k == 0 else schedule[-1] + (moment - at[k - 1])
        if k >= LIMIT:
            earliest = max(earliest, schedule[k - LIMIT] + WINDOW)
        schedule.append(earliest)
    tail = free_wall - at[-1]
    return schedule[-1] + tail, free_wall, len(at)


def second_ci_run(ws: Workspace, headers: bool, *, shared: bool) -> tuple[Row, list[str]]:
    """Two CI runs of the same repository, the second pushed 10 s after the first.

    The second checkout holds the first one's edits too (a later commit), with the lock
    as committed before either ran; so it re-applies what the first has not yet.
    """
    first_kb, db, first_cache = ws.copy()
    second_kb, _, second_cache = ws.copy()
    edit(first_kb, edits(ws.articles, 0))
    edit(second_kb, edits(ws.articles, 0) + edits(ws.articles, 3))
    if shared:
        second_cache = first_cache
    first: list[Step] = []
    second: list[Step] = []
    with emulator(db, rate_limit=LIMIT, headers=headers) as (url, _):
        origin = time.perf_counter()
        runner = threading.Thread(target=ci_run,
                                  args=(first_kb, url, first_cache, first_kb.parent, origin,
                                        first))
        runner.start()
        time.sleep(SECOND_RUN_DELAY)
        ci_run(second_kb, url, second_cache, second_kb.parent, origin, second)
        runner.join()
        wall = time.perf_counter() - origin
        log = served(url)
    where = "same runner: shared record" if shared else "other runner: no shared record"
    row = Row(f"second CI run 10 s after the first ({where})", wall, len(log), _limited(log),
              max(s.rss_mib for s in first + second), check(first + second, EXIT_CODES))
    bound = WINDOW * ((len(log) - 1) // LIMIT)
    details = [f"    run {n}: {s.name:<24} {s.started:6.1f} -> {s.ended:6.1f} s  exit {s.code}"
               for n, run in ((1, first), (2, second)) for s in run]
    details.append(f"    {len(log)} requests need at least {bound:.0f} s under the rolling "
                   f"{LIMIT}/min rule")
    return row, details


def init_from_remote(ws: Workspace, headers: bool) -> Row:
    """``init --from-remote`` of the whole Help Center into an empty folder."""
    kb, db, cache = ws.copy()
    target = kb.parent / "imported"
    with emulator(db, rate_limit=LIMIT, headers=headers) as (url, _):
        step = kbsync(kb.parent, ["init", "--from-remote", str(target)], url, cache,
                      kb.parent / "init.log")
        log = served(url)
    per = step.wall / ws.articles * 1000
    return Row(f"init --from-remote, {ws.articles} articles ({per:.1f} ms an article)",
               step.wall, len(log), _limited(log), step.rss_mib, check([step], {}))


def _limited(log: Sequence[dict[str, Any]]) -> int:
    return sum(1 for entry in log if entry["status"] == 429)


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--headers", action="store_true",
                        help="the emulator sends X-RateLimit-Limit/-Remaining/-Reset")
    parser.add_argument("--skip-second-run", action="store_true",
                        help="leave out the two second-CI-run scenarios (about 5 minutes)")
    args = parser.parse_args()
    rows: list[Row] = []
    details: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kbsync-bench-budget-") as tmp:
        ws = Workspace(Path(tmp), args.articles)
        setup = ws.prepare()
        print(f"setup: {args.articles} articles applied unthrottled in {setup:.1f} s; "
              f"emulator rate limit {LIMIT}/min, rolling, per token; "
              f"X-RateLimit headers {'on' if args.headers else 'off'}", flush=True)
        rows.append(noop_plan(ws, args.headers, warm=True))
        rows.append(noop_plan(ws, args.headers, warm=False))
        rows.append(init_from_remote(ws, args.headers))
        row, more = plan_then_apply(ws, args.headers)
        rows.append(row)
        details += [row.scenario + ":", *more]
        if not args.skip_second_run:
            for shared in (True, False):
                row, more = second_ci_run(ws, args.headers, shared=shared)
                rows.append(row)
                details += [row.scenario + ":", *more]
    print(f"\n{'scenario':<64} {'wall':>8} {'requests':>9} {'429s':>5} {'peak RSS':>9}")
    for row in rows:
        print(f"{row.scenario:<64} {row.wall:>6.1f} s {row.requests:>9} {row.limited:>5} "
              f"{row.rss_mib:>5.0f} MiB")
        for note in row.notes:
            print(f"    ! {note}")
    print()
    for line in details:
        print(line)


if __name__ == "__main__":
    main()
