"""Benchmark: save-to-visible latency of ``kbsync watch``, measured in a real browser.

For each corpus (a copy of example-kb, then the generated 2,000-article knowledge base of
bench_engine.py) it starts the preview in-process on loopback (real watchdog, real HTTP),
opens one article in headless Chromium (Debian's, through chromedriver) and saves that
article ``--edits`` times, a new sentence each time. Prints median and p95 latency,
the server-side rebuild time and peak memory; asserts nothing.

How a latency is measured: before each save, a MutationObserver in the page waits for
the new sentence to enter the page and records the time of the next animation frame
(the frame that paints it). The save is an editor's atomic save (a temporary file
renamed over the article), timed just before the rename. The browser's clock
(``performance.timeOrigin + performance.now()``) is put on the same scale as Python's
``time.time()`` by a calibration over the WebDriver round trip (the narrowest of 20),
so the figure is file saved -> new text painted, not including WebDriver's polling.

    python bench/bench_watch.py                  # example-kb and 2,000 articles, 50 edits
    python bench/bench_watch.py --edits 20 --articles 500
"""

from __future__ import annotations

import argparse
import io
import os
import queue
import re
import resource
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corpus import generate  # bench/ is the script's folder
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from kbsync.commands import watch as watch_command
from kbsync.config import load_config
from kbsync.console import Console

EXAMPLE = Path(__file__).resolve().parents[1] / "example-kb"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--window-size=1280,900")

# Resolves when the sentence is in the page, at the next frame (when it is painted).
_WATCH_FOR = """
window.kbsyncSeen = null;
var sentence = arguments[0];
function painted() { window.kbsyncSeen = performance.timeOrigin + performance.now(); }
function look() {
  var main = document.getElementById("kb-main");
  if (main && main.textContent.indexOf(sentence) >= 0) {
    observer.disconnect(); requestAnimationFrame(painted);
  }
}
var observer = new MutationObserver(look);
observer.observe(document.body, {childList: true, subtree: true, characterData: true});
look();
"""


@contextmanager
def chromium() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="kbsync-bench-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def preview(root: Path) -> Iterator[tuple[str, io.StringIO, float]]:
    """The preview of ``root`` running in-process; (URL, its terminal output, start s)."""
    err = io.StringIO()
    console = Console(color=False, stdout=io.StringIO(), stderr=err)
    ready: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    started = time.perf_counter()
    thread = threading.Thread(target=watch_command.run,
                              args=(lambda: load_config(root), console),
                              kwargs={"port": 0, "stop": stop, "on_ready": ready.put})
    thread.start()
    try:
        url = ready.get(timeout=300)
        yield url, err, time.perf_counter() - started
    finally:
        stop.set()
        thread.join(30)


def clock_offset(browser: WebDriver) -> float:
    """Browser epoch ms minus Python epoch ms, from the narrowest of 20 round trips."""
    best = (float("inf"), 0.0)
    for _ in range(20):
        before = time.time() * 1000
        seen = float(browser.execute_script("return performance.timeOrigin + performance.now()"))
        after = time.time() * 1000
        best = min(best, (after - before, seen - (before + after) / 2))
    return best[1]


def save_atomically(path: Path, text: str) -> float:
    """Write as editors do (temporary file, then rename); the epoch ms of the rename."""
    temporary = path.with_name(f".{path.name}.kbsync-bench")
    temporary.write_text(text, encoding="utf-8")
    saved = time.time() * 1000
    os.replace(temporary, path)
    return saved


def measure(browser: WebDriver, url: str, root: Path, key: str, edits: int) -> list[float]:
    browser.get(url + "/" + key[: -len(".md")])
    deadline = time.monotonic() + 30
    while browser.execute_script("return document.getElementById('kb-live').className") != "on":
        if time.monotonic() > deadline:
            raise SystemExit("the page never connected to the preview's event stream")
        time.sleep(0.01)
    offset = clock_offset(browser)
    path = root / key
    original = path.read_text(encoding="utf-8")
    latencies = []
    for n in range(edits):
        sentence = f"Benchmark edit number {n} at {time.time_ns()}."
        browser.execute_script(_WATCH_FOR, sentence)
        saved = save_atomically(path, f"{original}\n{sentence}\n")
        deadline = time.monotonic() + 10
        seen = None
        while seen is None:
            if time.monotonic() > deadline:
                raise SystemExit(f"edit {n} never showed in the browser")
            time.sleep(0.005)
            seen = browser.execute_script("return window.kbsyncSeen")
        latencies.append(float(seen) - offset - saved)
        time.sleep(0.15)  # a writer saves now and then, not in a burst
    return latencies


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def run_corpus(name: str, root: Path, key: str, edits: int) -> tuple[str, ...]:
    with preview(root) as (url, err, startup), chromium() as browser:
        latencies = measure(browser, url, root, key, edits)
    rebuilds = [float(ms) for ms in re.findall(r"Updated .* in (\d+) ms\.", err.getvalue())]
    counted = re.search(r"Read the knowledge base \((\d+) articles?\)", err.getvalue())
    articles = counted.group(1) if counted else "?"
    return (name, articles, f"{startup:.1f} s", f"{statistics.median(latencies):.0f} ms",
            f"{p95(latencies):.0f} ms", f"{max(latencies):.0f} ms",
            f"{statistics.median(rebuilds):.0f} ms" if rebuilds else "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example-kb"
        shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
        rows.append(run_corpus("example-kb", example, "billing/refunds.md", args.edits))
        generated = Path(tmp) / "generated"
        generated.mkdir()
        generate(generated, args.articles)
        files = sorted(p.relative_to(generated).as_posix() for p in generated.rglob("*.md"))
        rows.append(run_corpus(f"generated ({args.articles})", generated,
                               files[len(files) // 2], args.edits))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    head = ("corpus", "articles", "startup", "median", "p95", "max", "server rebuild")
    print(f"save-to-visible latency in headless Chromium, {args.edits} edits per corpus")
    print("  ".join(f"{h:>15}" for h in head))
    for row in rows:
        print("  ".join(f"{cell:>15}" for cell in row))
    print(f"peak memory (max RSS of the benchmark process, preview included): {rss:.0f} MiB")


if __name__ == "__main__":
    main()
