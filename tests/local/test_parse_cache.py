"""The parse cache: what validation needs, by file content, for one renderer and dialect."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kbsync.local.frontmatter import SplitFile, split_front_matter
from kbsync.local.parse_cache import ParseCache
from kbsync.local.tree import git_blob_sha1
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


def test_a_cached_parse_keeps_the_link_columns_and_the_outline(tmp_path: Path) -> None:
    path = tmp_path / "parsed.json"
    parsed = renderer_for(DEFAULT_MARKDOWN).parse(BODY, body_line=4)
    cache = ParseCache(path, DEFAULT_MARKDOWN)
    cache.put("blob", parsed)
    cache.save()
    assert ParseCache(path, DEFAULT_MARKDOWN).get("blob") == replace(parsed, tokens=None)


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


# -- front matter ---------------------------------------------------------------------

HOSTILE = {
    "plain": "---\ntitle: A\nslug: a\nposition: 3\n---\nBody\n",
    "typed": ("---\ntitle: A\nwhen: 2024-02-29\nat: 2024-02-29 10:30:00+02:00\nn: 1.5\n"
              "big: .inf\nnan: .nan\nyes: true\nnone: ~\ntags: [a, 1, 2.0, false]\n"
              "map: {1: one, 2024-01-01: d, null: n, true: t}\nset: !!set {a, b}\n"
              "pairs: !!omap [{a: 1}, {b: 2}]\nbin: !!binary aGVsbG8=\n---\nBody\n"),
    "invalid YAML": "---\ntitle: A\nstatus: [oops\n---\nBody\n",
    "not closed": "---\ntitle: A\nBody\n",
    "not a mapping": "---\n- a\n- b\n---\n# Title\n",
    "given twice": "---\ntitle: A\ntitle: B\n---\nBody\n",
    "impossible date": "---\ntitle: A\nwhen: 2024-02-30\n---\nBody\n",
    "control": "---\ntitle: \"A\\x1b[2J\"\nexcerpt: |\n  one\n  two\n---\nBody\x07\n",
    "raw control": "---\ntitle: A\x07\n---\nBody\n",
    "alias bomb": ("---\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, "
                   "*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                   "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n---\nBody\n"),
    "small alias": "---\na: &a [x, y]\nb: *a\ntitle: T\n---\nBody\n",
    "no front matter": "# Heading\n\nBody\n",
    "empty": "",
    "unclosed quote": "---\ntitle: \"A\nslug: a\n---\nBody\n",
}


def _strict(value: object) -> object:
    """``value`` with every type spelled out, so 1, 1.0, True and "1" all differ."""
    if isinstance(value, dict):
        return ("dict", sorted((repr(_strict(k)), repr(_strict(v))) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_strict(v) for v in value])
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(repr(_strict(v)) for v in value))
    if isinstance(value, float) and value != value:
        return ("float", "nan")
    return (type(value).__name__, value)


def _seen(split: SplitFile) -> object:
    meta = split.meta
    return (_strict(meta.data), meta.lines, meta.problems, meta.readable, split.body,
            split.body_line)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_front_matter_from_the_cache_equals_a_fresh_read(tmp_path: Path, name: str) -> None:
    text = HOSTILE[name]
    blob = git_blob_sha1(text.encode())
    cache = ParseCache(tmp_path / "parsed.json")
    assert _seen(cache.split(text, "a.md", blob)) == _seen(split_front_matter(text, "a.md"))
    cache.save()
    warm = ParseCache(tmp_path / "parsed.json").split(text, "g/b.md", blob)
    assert _seen(warm) == _seen(split_front_matter(text, "g/b.md"))  # problems name g/b.md


def test_a_warm_split_is_served_by_the_blob_id_alone(tmp_path: Path) -> None:
    """No YAML is read for a file seen before: the entry is found by its content's id."""
    cache = ParseCache(tmp_path / "parsed.json")
    cache.split("---\ntitle: Cached\n---\nBody\n", "a.md", "blob")
    cache.save()
    warm = ParseCache(tmp_path / "parsed.json").split("---\ntitle: Other\n---\nBody\n",
                                                       "a.md", "blob")
    assert warm.meta.data == {"title": "Cached"}


def test_a_cache_keeps_only_the_files_of_its_last_pass(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "parsed.json")
    cache.split("---\ntitle: Old\n---\n", "a.md", "old")
    cache.save()
    cache.start_pass()
    cache.split("---\ntitle: New\n---\n", "a.md", "new")
    cache.save()
    again = ParseCache(tmp_path / "parsed.json")
    assert again.split("x", "a.md", "old").meta.data == {}  # gone: read afresh ("x")
    assert again.split("x", "a.md", "new").meta.data == {"title": "New"}


def test_a_broken_front_matter_entry_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "parsed.json"
    cache = ParseCache(path)
    cache.split("---\ntitle: A\n---\n", "a.md", "blob")
    cache.save()
    data = json.loads(path.read_text())
    data["front"]["blob"]["data"] = {"t": "no such tag", "v": 1}
    path.write_text(json.dumps(data))
    assert ParseCache(path).split("---\ntitle: A\n---\n", "a.md", "blob").meta.data == {
        "title": "A"}
