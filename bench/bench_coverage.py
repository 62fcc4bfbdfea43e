"""Benchmark: coverage of 500 distinct questions against the 2,000-article bench corpus.

Prints wall time, requests sent and peak memory for ``coverage --local`` and for the
remote check; asserts nothing. Run:

    python bench/bench_coverage.py                  # 500 questions, 2,000 articles
    python bench/bench_coverage.py --questions 100  # smaller

The remote side is the emulator in-process (httpx.WSGITransport) on a SQLite file, with
the client throttle OFF (requests_per_minute = 0), so the wall time is kbsync's and the
emulator's own work. Against initdesk the throttle paces requests at 60 a minute; the
"at 60/min" line is that pacing computed from the requests sent.
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import tempfile
import time
from pathlib import Path

from bench_engine import Bench
from corpus import WORDS, generate  # bench/ is the script's folder

from kbsync.commands import apply as apply_command
from kbsync.commands import coverage as coverage_command
from kbsync.console import Console
from kbsync.coverage.local_articles import local_articles
from kbsync.coverage.questions import Question, fold_key, from_spec
from kbsync.coverage.search import LocalSearcher, search_all
from kbsync.coverage.spec import read_coverage


def write_questions(root: Path, count: int, articles: int, seed: int = 2) -> None:
    """``count`` questions that stay distinct after folding; every other one names an
    article ("article 123") and expects it (by slug), the rest are decided by score."""
    rng = random.Random(seed)
    seen: set[str] = set()
    lines = ["questions:"]
    while len(seen) < count:
        words = rng.sample(WORDS, rng.randint(3, 6))
        text = f"How do I {' '.join(words[:2])} with a {' '.join(words[2:])}?"
        key = fold_key(text)
        if key in seen:
            continue
        seen.add(key)
        if len(seen) % 2:
            target = rng.randrange(articles)
            lines.append(f'  - q: "{text[:-1]} in article {target}?"')
            lines.append(f"    expect: article-{target:04d}")
        else:
            lines.append(f'  - q: "{text}"')
    (root / "coverage.yaml").write_text("\n".join(lines) + "\n")


def questions(root: Path) -> list[Question]:
    spec, _ = read_coverage(root)
    assert spec is not None
    return from_spec(spec, "coverage.yaml")


def run_coverage(bench: Bench, **options: object) -> tuple[float, int, str]:
    out = io.StringIO()
    console = Console(color=False, stdout=out, stderr=io.StringIO())
    before = len(bench.app.requests())
    start = time.perf_counter()
    code = coverage_command.run(bench.config(), console,
                                coverage_command.Options(**options),  # type: ignore[arg-type]
                                connect=bench.connect)
    elapsed = time.perf_counter() - start
    assert code == 0
    summary = out.getvalue().strip().splitlines()[-1]
    return elapsed, len(bench.app.requests()) - before, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=500)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.articles)
        write_questions(root, args.questions, args.articles)
        bench = Bench(root)
        seconds, requests, local_summary = run_coverage(bench, local=True)
        rows.append((f"coverage --local, {args.questions} questions (cold)", f"{seconds:.2f} s",
                     str(requests)))
        seconds, requests, _ = run_coverage(bench, local=True)
        rows.append(("coverage --local again (parse cache warm)", f"{seconds:.2f} s",
                     str(requests)))
        kb = local_articles(bench.config())
        start = time.perf_counter()
        with LocalSearcher(kb) as searcher:
            indexed = time.perf_counter()
            search_all(questions(root), searcher, limit=10)
        done = time.perf_counter()
        rows.append((f"  of which: index {len(kb.articles)} rendered articles",
                     f"{indexed - start:.2f} s", "0"))
        rows.append((f"  of which: {args.questions} local searches", f"{done - indexed:.2f} s",
                     "0"))
        bench.run(apply_command.run, yes=True)  # the remote now holds the corpus
        seconds, requests, summary = run_coverage(bench)
        rows.append((f"coverage (remote, throttle off), {args.questions} questions",
                     f"{seconds:.2f} s", str(requests)))
        rows.append(("  the same requests paced at 60/min", f"{requests / 60:.1f} min",
                     str(requests)))
        bench.app.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak memory (max RSS of the whole run)", f"{rss:.0f} MiB", ""))
    print(f"{'step':<52} {'wall':>10} {'requests':>10}")
    for step, wall, requests_text in rows:
        print(f"{step:<52} {wall:>10} {requests_text:>10}")
    print(f"local:  {local_summary}")
    print(f"remote: {summary}")


if __name__ == "__main__":
    main()
