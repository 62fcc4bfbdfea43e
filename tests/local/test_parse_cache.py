"""The parse cache: what validation needs, by file content, for one renderer and dialect."""

from __future__ import annotations

from pathlib import Path

from kbsync.local.markdown import DEFAULT_MARKDOWN, renderer_for
from kbsync.local.parse_cache import ParseCache

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
