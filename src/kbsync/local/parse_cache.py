"""A cache of what validation needs from each file, by its content: the front matter as
read (values, key lines, problems) and the body's links and anchors.

Parsing Markdown is most of the cost of validate and plan (about 2 ms per 5 KB article
with markdown-it-py on a 2-core machine), and reading the front matter with PyYAML and
its alias guard the next largest (0.4 ms an article). Both depend only on the file's
bytes, and the body's also on the renderer (its version and the dialect: ``[content]
markdown`` and ``heading_ids``), so they are cached in ``.kbsync/cache/`` under the
file's git blob id: an unchanged tree is checked without parsing a single body or a line
of YAML, and plan parses only what it has to render. A cache written for another
version or dialect is ignored as a whole.

The problems of a front matter are kept without their path and given the path the
file is read at: the same bytes under two names (a linked article) read the same, and
each name's problems name it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from yaml import __version__ as yaml_version

from kbsync import __version__
from kbsync.local.frontmatter import SplitFile, YamlMapping, split_front_matter
from kbsync.local.writer import atomic_write
from kbsync.local.yaml_values import NotCacheable, from_json, to_json
from kbsync.markdown import DEFAULT_DIALECT, RENDER_VERSION, Dialect, Link, ParsedBody
from kbsync.markdown.render import Heading
from kbsync.problems import Problem

#: What a cached parse depends on besides the file: kbsync, the parsers, the renderer.
#: (The parsers' versions come from their metadata: importing markdown-it to read its
#: ``__version__`` would load the parser a warm check never uses.)
CACHE_VERSION = (f"5/{__version__}/{version('markdown-it-py')}/{version('mdit-py-plugins')}"
                 f"/{RENDER_VERSION}/{yaml_version}")


class ParseCache:
    def __init__(self, path: Path | None,
                 dialect: Dialect | Iterable[str] = DEFAULT_DIALECT) -> None:
        self.path = path
        self.version = f"{CACHE_VERSION}/{Dialect.of(dialect).key}"
        self._entries, self._fronts = self._load()
        self._used: set[str] = set()
        self._dirty = False

    def _load(self) -> tuple[dict[str, Any], dict[str, Any]]:
        if self.path is None or not self.path.is_file():
            return {}, {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}, {}  # a broken cache is only a slower run
        if not isinstance(data, dict) or data.get("version") != self.version:
            return {}, {}
        entries, fronts = data.get("entries"), data.get("front")
        return (entries if isinstance(entries, dict) else {},
                fronts if isinstance(fronts, dict) else {})

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
            links = tuple(Link(str(t), int(n), bool(i), None if a is None else str(a),
                               int(c), int(tc), str(w))
                          for t, n, i, a, c, tc, w in entry["l"])
            deep = entry.get("d")
            outline = tuple(Heading(str(t), int(n), int(v), None if h is None else str(h),
                                    bool(w)) for t, n, v, h, w in entry.get("o", ()))
            return ParsedBody(None, links, frozenset(str(a) for a in entry["a"]),
                              None if deep is None else int(deep), outline)
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, blob: str, parsed: ParsedBody) -> None:
        self._used.add(blob)
        if blob not in self._entries:
            self._dirty = True
        self._entries[blob] = {"l": [[k.target, k.line, k.is_image, k.alt, k.column,
                                       k.target_column, k.written] for k in parsed.links],
                               "a": sorted(parsed.anchors)}
        if parsed.too_deep is not None:
            self._entries[blob]["d"] = parsed.too_deep
        if parsed.outline:
            self._entries[blob]["o"] = [[h.text, h.line, h.level, h.id, h.written]
                                        for h in parsed.outline]

    def split(self, text: str, path: str, blob: str) -> SplitFile:
        """``split_front_matter(text, path)``, from the cache when these bytes (``blob``,
        their git blob id; ``text`` is what they decode to) were read before."""
        self._used.add(blob)
        entry = self._fronts.get(blob)
        if isinstance(entry, dict):
            try:
                return _split_from(entry, text, path)
            except (KeyError, TypeError, ValueError):
                pass  # not what this version writes: read the file again
        split = split_front_matter(text, path)
        try:
            self._fronts[blob] = _split_entry(split, len(text) - len(split.body))
        except NotCacheable:
            self._fronts.pop(blob, None)
        else:
            self._dirty = True
        return split

    def save(self) -> None:
        """Keep the entries of this pass's files only (the whole run's, unless
        :meth:`start_pass`); a write failure is not an error."""
        stale = (set(self._entries) | set(self._fronts)) - self._used
        if not self._dirty and not stale:
            return
        entries = {k: v for k, v in self._entries.items() if k in self._used}
        fronts = {k: v for k, v in self._fronts.items() if k in self._used}
        self._entries, self._fronts, self._dirty = entries, fronts, False
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(
                {"version": self.version, "entries": entries, "front": fronts},
                separators=(",", ":"), sort_keys=True))
        except OSError:
            pass

    def start_pass(self) -> None:
        """A whole read of the tree begins: the next :meth:`save` keeps only what it
        uses (a long-lived workspace would otherwise keep every version ever saved)."""
        self._used.clear()


def _split_entry(split: SplitFile, body_at: int) -> dict[str, Any]:
    """A front matter as cache data: where the body starts, values, lines, problems."""
    meta = split.meta
    return {"at": body_at, "line": split.body_line, "ok": meta.readable,
            "data": to_json(meta.data), "lines": meta.lines,
            "problems": [{k: v for k, v in asdict(p).items() if k != "path"}
                         for p in meta.problems]}


def _split_from(entry: dict[str, Any], text: str, path: str) -> SplitFile:
    """The :class:`SplitFile` an entry of :func:`_split_entry` stands for, at ``path``."""
    data = from_json(entry["data"])
    lines = entry["lines"]
    if not isinstance(data, dict) or not isinstance(lines, dict):
        raise ValueError("not a mapping")
    problems = tuple(Problem(path, **found) for found in entry["problems"])
    meta = YamlMapping(data, {str(k): int(v) for k, v in lines.items()}, problems,
                       bool(entry["ok"]))
    return SplitFile(meta, text[int(entry["at"]):], int(entry["line"]))
