"""The parse cache: what validation needs, by file content, for one renderer and dialect."""

from __future__ import annotations

from pathlib import Path

from kbsync.local.parse_cache import ParseCache
from kbsync.markdown import DEFAULT_MARKDOWN, Dialect, renderer_for

BODY = "## Title {#custom}\n\n[a](a.md)\n"


def test_a_cache_serves_its_dialect_only(tmp_path: Path) -> None:
    path = tmp_path / "parsed.json"
    cache = ParseCache(path, DEFAULT_MARKDOWN)
    cache.put("blob", renderer_for(DEFAULT_MARKDOWN).parse(BODY))
    cache.save()
    hit = ParseCache(path, DEFAULT_MARKDOWN).get("blob")
    assert hit is not None and hit.anchors == {"custom"} and hit.tokens is None
    assert ParseCache(path, ("tables",)).get("blob") is None  # {#custom} is text there
    assert renderer_for(("tables",)).parse(BODY).anchors == {"title-custom"}


def test_a_cache_counts_its_bodies(tmp_path: Path) -> None:
    """A check compares this with the files it found: the rest are parsed for sure."""
    path = tmp_path / "parsed.json"
    cache = ParseCache(path, DEFAULT_MARKDOWN)
    assert len(cache) == 0
    cache.put("one", renderer_for(DEFAULT_MARKDOWN).parse(BODY))
    cache.put("two", renderer_for(DEFAULT_MARKDOWN).parse("Text\n"))
    cache.save()
    assert len(ParseCache(path, DEFAULT_MARKDOWN)) == 2
    assert len(ParseCache(path, ("tables",))) == 0  # another dialect's entries do not count


def test_a_cache_serves_its_heading_ids_only(tmp_path: Path) -> None:
    path = tmp_path / "parsed.json"
    cache = ParseCache(path, DEFAULT_MARKDOWN)
    cache.put("blob", renderer_for(DEFAULT_MARKDOWN).parse(BODY))
    cache.save()
    assert ParseCache(path, Dialect(DEFAULT_MARKDOWN, "mkdocs")).get("blob") is None
    hit = ParseCache(path, Dialect(DEFAULT_MARKDOWN)).get("blob")
    assert hit is not None and hit.headings
