"""Benchmark: ``init --from-remote`` of two versions of kbsync, alternated run by run.

On a shared machine one run of a benchmark varies by a third from the next, and the
machine's speed drifts over an hour, so a change to ``init`` is measured by running the
old and the new code one after the other, several rounds, against the same Help Center:
each round compares two runs made under the same conditions. The old code is a git
worktree of an older commit:

    git worktree add /tmp/kbsync-old <commit>
    python bench/ab_init.py --old /tmp/kbsync-old/src --rounds 6

Each run is ``python -m kbsync init --from-remote`` as a process (the code under test
chosen with PYTHONPATH) against the emulator over HTTP on 127.0.0.1 with ``--rate-limit
60`` and the default client settings, as in ``bench_budget.py``. Prints the wall time of
every run and the median and range of each side; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from bench_budget import LIMIT, Workspace, emulator, kbsync  # bench/ is the script's folder

NEW = str(Path(__file__).resolve().parent.parent / "src")


def run_init(ws: Workspace, source: str) -> float:
    """One import into a fresh folder with the kbsync found under ``source``."""
    kb, db, cache = ws.copy()
    os.environ["PYTHONPATH"] = source
    try:
        with emulator(db, rate_limit=LIMIT) as (url, _):
            step = kbsync(kb.parent, ["init", "--from-remote", str(kb.parent / "imported")],
                          url, cache, kb.parent / "init.log")
    finally:
        del os.environ["PYTHONPATH"]
    if step.code != 0:
        raise SystemExit(f"init with {source} failed (exit {step.code}):\n{step.output}")
    return step.wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="the src folder of the old version")
    parser.add_argument("--new", default=NEW, help="the src folder of the new version "
                        "(default: this checkout's)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    sides = {"old": args.old, "new": args.new}
    walls: dict[str, list[float]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(Path(tmp), args.articles)
        ws.prepare()
        for round_number in range(1, args.rounds + 1):
            for side, source in sides.items():
                walls[side].append(run_init(ws, source))
            print(f"round {round_number}: old {walls['old'][-1]:.2f} s, "
                  f"new {walls['new'][-1]:.2f} s", flush=True)
    for side, found in walls.items():
        per = statistics.median(found) / args.articles * 1000
        print(f"{side}: median {statistics.median(found):.2f} s ({per:.1f} ms an article), "
              f"range {min(found):.2f}-{max(found):.2f} s")
    faster = sum(new < old for old, new in zip(walls["old"], walls["new"], strict=True))
    print(f"new faster in {faster} of {args.rounds} rounds")


if __name__ == "__main__":
    main()
