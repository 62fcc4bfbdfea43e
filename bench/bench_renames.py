"""Benchmark: renames and deletions in a generated knowledge base, against the emulator.

What the rename rule costs and what it saves: a no-op plan (no file renamed: the rule
reads nothing), then a plan and an apply after renaming files without a ``slug:`` line
and editing each (every one found by similarity: the text last synced is read back from
``.kbsync/base/``; the new names keep the order of the old ones, so no sibling is
reordered), then after deleting files. Prints wall time, CPU time, requests and
peak memory; asserts nothing. Run:

    python bench/bench_renames.py                  # 2,000 articles, 50 renamed, 20 deleted
    python bench/bench_renames.py --articles 500 --renames 20 --deletes 5
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from bench_engine import Bench, print_table  # bench/ is the script's folder
from corpus import generate

from kbsync.commands import apply as apply_command
from kbsync.commands import plan as plan_command

_LINK = re.compile(r"\]\(([^)]+\.md)\)")


def unlinked(root: Path) -> list[Path]:
    """Articles no other article links to (renaming or deleting one breaks no link)."""
    files = sorted(root.glob("**/article-*.md"))
    linked = {(path.parent / target).resolve() for path in files
              for target in _LINK.findall(path.read_text())}
    return [path for path in files if path.resolve() not in linked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--renames", type=int, default=50)
    parser.add_argument("--deletes", type=int, default=20)
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.articles)
        (root / "kbsync.toml").write_text(
            (root / "kbsync.toml").read_text() + "\n[apply]\nmax_deletes = 1000\n")
        bench = Bench(root)
        bench.run(apply_command.run, yes=True)
        wall, cpu, requests = bench.run(plan_command.run, detailed_exitcode=True)
        rows.append((f"no-op plan, {args.articles} articles", wall, cpu, str(requests)))
        spare = unlinked(root)
        for path in spare[:args.renames]:
            text = path.read_text()
            path.unlink()
            path.with_name(path.stem + "-v2.md").write_text(text + "\nEdited as well.\n")
        wall, cpu, requests = bench.run(plan_command.run)
        rows.append((f"plan: {args.renames} renamed and edited", wall, cpu, str(requests)))
        wall, cpu, requests = bench.run(apply_command.run, yes=True)
        rows.append((f"apply: {args.renames} renamed and edited", wall, cpu, str(requests)))
        for path in spare[args.renames:args.renames + args.deletes]:
            path.unlink()
        wall, cpu, requests = bench.run(apply_command.run, yes=True)
        rows.append((f"apply: {args.deletes} deleted", wall, cpu, str(requests)))
        wall, cpu, requests = bench.run(plan_command.run, detailed_exitcode=True)
        rows.append(("no-op plan after both", wall, cpu, str(requests)))
        bench.app.close()
    print_table(rows)


if __name__ == "__main__":
    main()
