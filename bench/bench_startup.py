"""Benchmark: how long kbsync takes as a whole process, against a bare interpreter.

An editor's save hook, a pre-commit hook and CI run kbsync as a new process each time, so
start-up is part of every answer. This times whole processes, as hyperfine does: a few
warm-up runs, then ``--runs`` rounds in which every command runs once (interleaved, so a
busy moment of the machine falls on all of them alike), and prints the median, the
fastest and the slowest run of each, and each median against ``python -c pass`` of the
same interpreter measured in the same rounds. Asserts nothing.

    python bench/bench_startup.py                  # 15 rounds, example-kb and 2,000 articles
    python bench/bench_startup.py --runs 30 --articles 500

The knowledge bases are copies in a temporary folder; each is validated once before
the rounds, so every timed validate finds a warm parse cache (as on a writer's machine,
or in CI with ``.kbsync/cache/`` cached). The processes may write bytecode (an
inherited ``PYTHONDONTWRITEBYTECODE`` is dropped for them), so kbsync's modules load
compiled, as ``pip install`` leaves them; without it every run would compile all of
kbsync's source first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import generate  # bench/ is the script's folder

EXAMPLE = Path(__file__).resolve().parents[1] / "example-kb"
#: The targets of issue 25: a ratio to the bare interpreter, or seconds.
TARGETS = {"kbsync --version": "≤ 4x bare", "validate example-kb (warm)": "≤ 0.35 s",
           "validate 2,000 articles (warm)": "≤ 0.6 s"}


#: The processes' environment: bytecode is written and read, as for an installed kbsync.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   env=ENV)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    python = sys.executable
    kbsync = str(Path(python).with_name("kbsync"))
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example-kb"
        shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".kbsync"))
        big = Path(tmp) / "kb"
        big.mkdir()
        generate(big, args.articles)
        commands = {
            "python -c pass (bare)": [python, "-c", "pass"],
            "python -c 'import click' (floor)": [python, "-c", "import click"],
            "kbsync --version": [kbsync, "--version"],
            "validate example-kb (warm)": [kbsync, "-C", str(example), "validate"],
            f"validate {args.articles:,} articles (warm)": [kbsync, "-C", str(big),
                                                             "validate"],
        }
        for argv in commands.values():  # warm the parse caches and the OS's file cache
            for _ in range(args.warmup):
                timed(argv)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(timed(argv))
    report(times)


def report(times: dict[str, list[float]]) -> None:
    bare = statistics.median(next(iter(times.values())))
    print(f"{'process':<36} {'median':>8} {'fastest':>8} {'slowest':>8} {'x bare':>7}  target")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:<36} {median:>7.3f}s {min(runs):>7.3f}s {max(runs):>7.3f}s "
              f"{median / bare:>6.1f}x  {TARGETS.get(name, '')}")
    load = Path("/proc/loadavg")
    print(f"({len(next(iter(times.values())))} rounds; load average "
          f"{load.read_text().split()[0] if load.exists() else 'unknown'})")


if __name__ == "__main__":
    main()
