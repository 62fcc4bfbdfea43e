"""Benchmark: ``kbsync lsp`` as an editor sees it, over stdio, on the generated
2,000-article knowledge base (``corpus.py``).

The server is the installed command in a process of its own, driven by pygls's client
(the protocol stack the server is built on, so nothing here is a mock). Measured:

- **start**: from starting the process to the first diagnostics of the open article
  (a glance at the open article, taken by the first-look helper while the server loads
  the protocol: ``kbsync.lsp.firstlook``), and to the whole tree checked (a hover's
  answer waits for that check). Cold: no parse cache in ``.kbsync/``; warm: the cache
  the cold run left, as on every start after the first (five starts: best, median and
  worst). The editor names the folder in its ``initialize`` request, as editors do.
- **keystroke**: one character typed into a link of a 200-line article (an incremental
  change, as editors send them) -> the updated diagnostics received. Each keystroke
  breaks or mends the link, so each one changes what the editor shows (the server
  sends diagnostics only when they change); the next key is typed once they arrive.
- **completion**: the list of link targets after ``](`` (every article, by relative
  path and title), and the anchors after ``#``.

Prints median, p95 and max per measurement and the server's peak memory (VmHWM); asserts
nothing. Run:

    python bench/bench_lsp.py                   # 2,000 articles, 200 keystrokes
    python bench/bench_lsp.py --articles 500 --keys 50
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from corpus import article_path, generate, paragraph  # bench/ is the script's folder
from lsprotocol import types
from pygls.lsp.client import LanguageClient

#: The article typed in, 200 lines: headings, paragraphs and a link to each neighbour.
TYPED = 7
LINK_LINE = "See [the neighbour](article-{target}.md) for more."


def long_article(root: Path, index: int, articles: int) -> tuple[str, int]:
    """Rewrite article ``index`` to 200 lines; its key and the line of its first link."""
    import random

    rng = random.Random(index)
    key = article_path(index)
    lines = ["---", f"title: Article {index}", "status: published", "---", ""]
    link_line = 0
    while len(lines) < 200:
        section = len(lines) // 10
        lines += [f"## Section {section}", "", paragraph(rng, 20), ""]
        target = f"{(index + 40 * (section % 5 + 1)) % articles:04d}"  # same folder
        if not link_line:
            link_line = len(lines)
        lines += [LINK_LINE.format(target=target), "", paragraph(rng, 12), ""]
    (root / key).write_text("\n".join(lines[:200]) + "\n")
    return key, link_line


class Editor:
    """A client that keeps the last diagnostics of each document and when they came."""

    def __init__(self) -> None:
        self.client = LanguageClient("bench-lsp", "1")
        self.arrived: dict[str, asyncio.Event] = {}
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = list(params.diagnostics)
            self.arrived.setdefault(params.uri, asyncio.Event()).set()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            pass

    async def next_diagnostics(self, uri: str, timeout: float = 120) -> list[types.Diagnostic]:
        event = self.arrived.setdefault(uri, asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout)
        event.clear()
        return self.diagnostics[uri]

    def expect(self, uri: str) -> None:
        self.arrived.setdefault(uri, asyncio.Event()).clear()


@asynccontextmanager
async def server(root: Path) -> AsyncIterator[tuple[Editor, float]]:
    """A started, initialized server; the clock's reading when it was started."""
    editor = Editor()
    started = time.perf_counter()
    await editor.client.start_io(sys.executable, "-m", "kbsync", "lsp")
    await editor.client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=root.as_uri()))
    editor.client.initialized(types.InitializedParams())
    try:
        yield editor, started
    finally:
        await editor.client.shutdown_async(None)
        editor.client.exit(None)
        await editor.client.stop()


def peak_mb(editor: Editor) -> float:
    process = editor.client._server
    assert process is not None
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def start(root: Path, key: str) -> tuple[float, float, float]:
    """(ms to the first diagnostics, ms to the whole tree checked, peak MB)."""
    async with server(root) as (editor, started):
        uri = (root / key).as_uri()
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "markdown", 1, (root / key).read_text())))
        await editor.next_diagnostics(uri)
        first = time.perf_counter() - started
        await editor.client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(0, 0)))
        whole = time.perf_counter() - started
        return first * 1000, whole * 1000, peak_mb(editor)


async def typing(root: Path, key: str, link_line: int, keys: int
                 ) -> tuple[list[float], list[float], list[float], float]:
    """Keystroke, link-completion and anchor-completion latencies (ms); peak MB."""
    async with server(root) as (editor, _):
        uri = (root / key).as_uri()
        doc = types.TextDocumentIdentifier(uri)
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "markdown", 1, (root / key).read_text())))
        await editor.client.text_document_hover_async(types.HoverParams(
            doc, types.Position(0, 0)))  # the whole check done: what typing starts from
        column = (root / key).read_text().splitlines()[link_line].index(".md)") + 3
        at = types.Position(link_line, column)  # just before the link's ")"
        strokes = []
        for version in range(2, keys + 2):
            typed = version % 2 == 0  # "x" typed (broken link), then deleted (mended)
            end = at if typed else types.Position(at.line, at.character + 1)
            change = types.TextDocumentContentChangePartial(
                range=types.Range(at, end), text="x" if typed else "")
            editor.expect(uri)
            sent = time.perf_counter()
            editor.client.text_document_did_change(types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=uri), [change]))
            found = await editor.next_diagnostics(uri)
            strokes.append((time.perf_counter() - sent) * 1000)
            assert bool(found) == typed, found
        link_at = types.Position(link_line, LINK_LINE.index("](") + 2)
        anchor_at = types.Position(link_line, column)
        links, anchors = [], []
        for _ in range(keys // 2):
            for position, into in ((link_at, links), (anchor_at, anchors)):
                sent = time.perf_counter()
                found = await editor.client.text_document_completion_async(
                    types.CompletionParams(doc, position))
                into.append((time.perf_counter() - sent) * 1000)
                assert found is not None
        return strokes, links, anchors, peak_mb(editor)


def spread(values: list[float]) -> str:
    """Best, median and worst of a few starts."""
    return (f"best {min(values):.0f} ms, median {statistics.median(values):.0f} ms, "
            f"worst {max(values):.0f} ms")


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(0, round(0.95 * len(values)) - 1)]
    return (f"median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, "
            f"max {values[-1]:.1f} ms ({len(values)})")


async def bench(root: Path, articles: int, keys: int) -> None:
    generate(root, articles)
    key, link_line = long_article(root, TYPED, articles)
    cold = await start(root, key)
    warm = [await start(root, key) for _ in range(5)]
    print(f"{articles} articles; typing in {key} (200 lines)")
    print(f"start, cold: first diagnostics {cold[0]:.0f} ms, whole tree checked "
          f"{cold[1]:.0f} ms, peak {cold[2]:.0f} MB")
    print(f"start, warm (5): first diagnostics {spread([w[0] for w in warm])}, whole tree "
          f"checked {spread([w[1] for w in warm])}, peak {max(w[2] for w in warm):.0f} MB")
    strokes, links, anchors, peak = await typing(root, key, link_line, keys)
    print(f"keystroke -> diagnostics: {summary(strokes)}")
    print(f"link completion (every article): {summary(links)}")
    print(f"anchor completion: {summary(anchors)}")
    print(f"server peak memory while typing: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--keys", type=int, default=200, help="keystrokes typed")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kbsync-bench-lsp-"))
    try:
        asyncio.run(bench(work, args.articles, args.keys))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
