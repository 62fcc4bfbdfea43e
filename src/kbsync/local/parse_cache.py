"""A cache of what validation needs from each body (links, anchors), by file content.

Parsing Markdown is most of the cost of validate and plan (about 2 ms per 5 KB article
with markdown-it-py on a 2-core machine). Links and anchors depend only on the file's
bytes and the renderer (its version and the dialect: ``[content] markdown`` and
``heading_ids``), so they
are cached in ``.kbsync/cache/`` under the file's git blob id: an unchanged tree is
checked without parsing a single body, and plan parses only what it has to render.
A cache written for another version or dialect is ignored as a whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from markdown_it import __version__ as markdown_it_version
from mdit_py_plugins import __version__ as plugins_version

from kbsync import __version__
from kbsync.local.writer import atomic_write
from kbsync.markdown import DEFAULT_DIALECT, RENDER_VERSION, Dialect, Link, ParsedBody

CACHE_VERSION = f"3/{__version__}/{markdown_it_version}/{plugins_version}/{RENDER_VERSION}"


class ParseCache:
    def __init__(self, path: Path | None,
                 dialect: Dialect | Iterable[str] = DEFAULT_DIALECT) -> None:
        self.path = path
        self.version = f"{CACHE_VERSION}/{Dialect.of(dialect).key}"
        self._entries: dict[str, Any] = self._load()
        self._used: set[str] = set()
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}  # a broken cache is only a slower run
        if not isinstance(data, dict) or data.get("version") != self.version:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def __len__(self) -> int:
        """How many bodies are cached (at most this many of a tree's files are hits)."""
        return len(self._entries)

    def get(self, blob: str) -> ParsedBody | None:
        """Links and anchors of a body (no tokens), or None when not cached."""
        entry = self._entries.get(blob)
        if not isinstance(entry, dict):
            return None
        self._used.add(blob)
        try:
            links = tuple(Link(str(t), int(n), bool(i)) for t, n, i in entry["l"])
            deep = entry.get("d")
            return ParsedBody(None, links, frozenset(str(a) for a in entry["a"]),
                              None if deep is None else int(deep),
                              tuple(str(h) for h in entry.get("h", ())))
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, blob: str, parsed: ParsedBody) -> None:
        self._used.add(blob)
        if blob not in self._entries:
            self._dirty = True
        self._entries[blob] = {"l": [[k.target, k.line, k.is_image] for k in parsed.links],
                               "a": sorted(parsed.anchors)}
        if parsed.too_deep is not None:
            self._entries[blob]["d"] = parsed.too_deep
        if parsed.headings:
            self._entries[blob]["h"] = list(parsed.headings)

    def save(self) -> None:
        """Keep the entries of this run's files only; a write failure is not an error."""
        if self.path is None:
            return
        stale = set(self._entries) - self._used
        if not self._dirty and not stale:
            return
        entries = {k: v for k, v in self._entries.items() if k in self._used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps({"version": self.version, "entries": entries},
                                               separators=(",", ":"), sort_keys=True))
        except OSError:
            pass
