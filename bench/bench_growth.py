"""Benchmark: does kbsync's cost grow linearly? 10,000 articles in 100 collections.

The generated knowledge base of ``corpus.py``, five times the usual size, synced with the
embedded Help Center (``base_url = "local"``) with the client throttle off, so the figures
are kbsync's own work. Each step is a separate ``kbsync`` process, as a user or CI runs
it; the table gives its wall time and the peak memory of the kbsync process (its parse
workers, when a cold step starts them, are processes of their own). Asserts nothing.

    python bench/bench_growth.py                     # 10,000 articles, 100 collections
    python bench/bench_growth.py --articles 2000 --collections 40

Issue 25's targets: warm validate ≤ 2 s, no-op plan ≤ 3 s, first apply ≤ 60 s, peak
memory < 400 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import generate  # bench/ is the script's folder

TARGETS = {"validate (parse cache warm)": "≤ 2 s", "no-op plan": "≤ 3 s",
           "first apply (embedded, unpaced)": "≤ 60 s"}
#: The processes' environment: unpaced, and bytecode written as an installed kbsync has it.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "INITDESK_RPM": "0"}


def run(kbsync: str, *args: str) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit code of one ``kbsync`` process."""
    started = time.perf_counter()
    process = subprocess.Popen([kbsync, *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--collections", type=int, default=100)
    args = parser.parse_args()
    kbsync = str(Path(sys.executable).with_name("kbsync"))
    rows: list[tuple[str, float, float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        generate(root, args.articles, collections=args.collections)
        kb = ("-C", str(root))
        steps = [
            ("validate (cold: no parse cache)", (*kb, "validate", "-q")),
            ("validate (parse cache warm)", (*kb, "validate", "-q")),
            ("first plan", (*kb, "plan", "-q")),
            ("first apply (embedded, unpaced)", (*kb, "apply", "--yes", "-q")),
            ("no-op plan", (*kb, "plan", "--detailed-exitcode", "-q")),
            ("validate (parse cache warm), again", (*kb, "validate", "-q")),
        ]
        for name, argv in steps:
            wall, rss, code = run(kbsync, *argv)
            rows.append((name, wall, rss, code))
    print(f"{args.articles:,} articles in {args.collections} collections, base_url = "
          '"local", unpaced')
    print(f"{'step':<40} {'wall':>9} {'peak RSS':>10} {'exit':>5}  target")
    for name, wall, rss, code in rows:
        print(f"{name:<40} {wall:>8.2f}s {rss:>7.0f} MiB {code:>5}  {TARGETS.get(name, '')}")


if __name__ == "__main__":
    main()
