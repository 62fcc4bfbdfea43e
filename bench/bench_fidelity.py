"""Benchmark: how faithfully HTML comes back as Markdown, kbsync next to other converters.

Every document of ``data/spec_examples.json`` (the CommonMark 0.31.2 spec examples and
the GFM extension examples, 704 in all) goes Markdown -> HTML (kbsync's renderer, the
default dialect) -> Markdown (the converter) -> HTML (kbsync's renderer again), the way
``apply`` then ``pull`` then ``apply`` would move it. Counted per converter:

- exact: the second HTML is the first, byte for byte (readers see no change at all);
- DOM-equal: the same elements, attributes and text, whitespace between tags aside;
- Markdown bytes: the Markdown written is the source Markdown, byte for byte;
- idempotent: converting the second HTML gives the same Markdown again (the second
  pull changes nothing);
- crashed: the converter raised.

Converters: kbsync's ``html_to_markdown``, markdownify, html2text and ``pandoc -t gfm``
(the last two are not kbsync's dependencies: ``pip install html2text``, ``apt-get install
pandoc``; a converter that is not installed is reported as such). Prints a table and the
examples kbsync does not bring back exactly (``--show N`` prints their Markdown too);
asserts nothing. Run:

    python bench/bench_fidelity.py
    python bench/bench_fidelity.py --only kbsync --show 5
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from kbsync.markdown import DEFAULT_MARKDOWN, html_to_markdown, renderer_for

DATA = Path(__file__).resolve().parent / "data" / "spec_examples.json"
Converter = Callable[[str], str]


@dataclass(frozen=True)
class Document:
    corpus: str
    number: int
    markdown: str

    @property
    def name(self) -> str:
        return f"{self.corpus} #{self.number}"


@dataclass
class Tally:
    exact: int = 0
    dom: int = 0
    markdown: int = 0
    idempotent: int = 0
    crashed: int = 0
    seconds: float = 0.0
    not_exact: list[str] = field(default_factory=list)
    not_idempotent: list[str] = field(default_factory=list)


def documents() -> list[Document]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return [Document(d["corpus"], d["number"], d["markdown"]) for d in data["documents"]]


def render(markdown: str) -> str:
    renderer = renderer_for(DEFAULT_MARKDOWN)
    return renderer.render(renderer.parse(markdown), article_key="a.md",
                           resolve_article_url=lambda key: None).html


def dom(html: str) -> object:
    """The document as nested tuples: names, sorted attributes, text with its whitespace
    runs collapsed; whitespace-only text between tags dropped."""
    def walk(node: Tag) -> tuple[object, ...]:
        kids: list[object] = []
        for kid in node.children:
            if isinstance(kid, Tag):
                kids.append(walk(kid))
            elif isinstance(kid, NavigableString):
                text = re.sub(r"\s+", " ", str(kid))
                if text.strip():
                    kids.append((type(kid).__name__, text))
        attrs = tuple(sorted((k, " ".join(v) if isinstance(v, list) else v)
                             for k, v in node.attrs.items()))
        return node.name, attrs, tuple(kids)
    return walk(BeautifulSoup(html, "html.parser"))


def converters() -> dict[str, Converter | None]:
    """Every converter by name; None for one that is not installed here."""
    found: dict[str, Converter | None] = {"kbsync": html_to_markdown}
    from markdownify import markdownify
    found["markdownify"] = lambda html: markdownify(html, heading_style="ATX")
    try:
        import html2text
    except ImportError:
        found["html2text"] = None
    else:
        def with_html2text(html: str) -> str:
            converter = html2text.HTML2Text()
            converter.body_width = 0
            return converter.handle(html)
        found["html2text"] = with_html2text
    found["pandoc -t gfm"] = _pandoc if shutil.which("pandoc") else None
    return found


def _pandoc(html: str) -> str:
    return subprocess.run(["pandoc", "-f", "html", "-t", "gfm"], input=html, text=True,
                          capture_output=True, check=True).stdout


def measure(convert: Converter, docs: list[Document]) -> Tally:
    tally = Tally()
    started = time.perf_counter()
    for doc in docs:
        first = render(doc.markdown)
        try:
            markdown = convert(first)
            second = render(markdown)
            again = convert(second)
        except Exception:  # a crash is a finding to count, not to stop at
            tally.crashed += 1
            tally.not_exact.append(doc.name)
            continue
        tally.exact += second == first
        tally.dom += second == first or dom(second) == dom(first)
        tally.markdown += markdown == doc.markdown
        tally.idempotent += again == markdown
        if second != first:
            tally.not_exact.append(doc.name)
        if again != markdown:
            tally.not_idempotent.append(doc.name)
    tally.seconds = time.perf_counter() - started
    return tally


def show(doc: Document, convert: Converter) -> None:
    first = render(doc.markdown)
    markdown = convert(first)
    print(f"--- {doc.name}\nsource:   {doc.markdown!r}\nhtml:     {first!r}\n"
          f"markdown: {markdown!r}\nhtml:     {render(markdown)!r}\n"
          f"again:    {convert(render(markdown))!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="measure only this converter (e.g. kbsync)")
    parser.add_argument("--show", type=int, default=0,
                        help="print source and results of the first N misses of kbsync")
    args = parser.parse_args()
    docs = documents()
    by_name = {doc.name: doc for doc in docs}
    print(f"{len(docs)} documents: Markdown -> HTML -> converter -> HTML\n")
    print("| converter | exact | DOM-equal | Markdown bytes | idempotent | crashed | time |")
    print("|---|---|---|---|---|---|---|")
    kbsync: Tally | None = None
    for name, convert in converters().items():
        if args.only and name != args.only:
            continue
        if convert is None:
            print(f"| {name} | not installed | | | | | |")
            continue
        tally = measure(convert, docs)
        kbsync = tally if name == "kbsync" else kbsync
        print(f"| {name} | {tally.exact} | {tally.dom} | {tally.markdown} | "
              f"{tally.idempotent} | {tally.crashed} | {tally.seconds:.1f} s |")
    if kbsync is not None:
        print(f"\nkbsync, not exact ({len(kbsync.not_exact)}): {', '.join(kbsync.not_exact)}")
        print(f"kbsync, not idempotent ({len(kbsync.not_idempotent)}): "
              f"{', '.join(kbsync.not_idempotent)}")
        for name in (kbsync.not_idempotent + kbsync.not_exact)[:args.show]:
            show(by_name[name], html_to_markdown)


if __name__ == "__main__":
    main()
