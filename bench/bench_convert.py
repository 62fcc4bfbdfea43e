"""Benchmark: converting one article body HTML -> Markdown as the body grows (``pull``,
``init --from-remote``).

The body is typical help-article HTML, one article after another up to 10 KB, 100 KB,
1 MB and 10 MB: the generated corpus's articles as kbsync renders them, each followed by
the same text as a web editor writes it (``<b>``, ``<br>``, ``&nbsp;``, ``<img>`` without
``/``, a table without ``<thead>``). Each size is converted in
a fresh process, which prints the wall time, the cost per byte (the figure that must stay
flat as the size grows) and the process's peak memory; asserts nothing. Run:

    python bench/bench_convert.py
    python bench/bench_convert.py --sizes 10000 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

from corpus import WORDS, article_body  # bench/ is the script's folder

from kbsync.markdown import html_to_markdown, renderer_for

SIZES = (10_000, 100_000, 1_000_000, 10_000_000)


def editor_html(rng: random.Random) -> str:
    """An article as initdesk's web editor saves it."""
    words = [rng.choice(WORDS) for _ in range(60)]
    lines = "<br>".join(" ".join(words[i:i + 12]) for i in range(0, 60, 12))
    rows = "".join(f"<tr><td>{rng.choice(WORDS)}</td><td>{n}&nbsp;EUR</td></tr>"
                   for n in range(6))
    return (f"<div><b>Before you start</b><br>{lines}</div>"
            f'<p><img src="https://cdn.example.com/{rng.choice(WORDS)}.png" alt="step">'
            f"<br>{' '.join(words[:20])}&nbsp;</p>"
            f"<ul><li>{words[0]}</li><li>{words[1]}<br>{words[2]}</li></ul>"
            f"<table><tbody>{rows}</tbody></table>")


def body(size: int) -> str:
    """``size`` bytes (about) of article HTML, whole blocks only."""
    renderer = renderer_for()
    rng = random.Random(7)
    parts: list[str] = []
    total = 0
    index = 0
    while total < size:
        parsed = renderer.parse(article_body(rng, index, 2000))
        html = renderer.render(parsed, article_key="a.md", resolve_article_url=lambda k: None).html
        parts += (html, editor_html(rng))
        total += len(parts[-2]) + len(parts[-1])
        index += 1
    return "".join(parts)


def one(size: int) -> None:
    html = body(size)
    html_to_markdown(body(1000))  # first-call costs (compiling patterns) are not per byte
    started = time.perf_counter()
    markdown = html_to_markdown(html)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"bytes": len(html), "wall": wall, "markdown": len(markdown),
                      "peak": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return
    print("| body | convert | per byte | peak memory |")
    print("|---|---|---|---|")
    for size in args.sizes:
        run = subprocess.run([sys.executable, __file__, "--one", str(size)],
                             capture_output=True, text=True, check=True)
        row = json.loads(run.stdout)
        print(f"| {row['bytes'] / 1e6:.2f} MB | {row['wall']:.2f} s | "
              f"{row['wall'] / row['bytes'] * 1e6:.2f} µs/byte | "
              f"{row['peak'] / 2**20:.0f} MiB |", flush=True)


if __name__ == "__main__":
    main()
