"""Malformed state files are clear errors naming the file, never "a bug in kbsync".

Every file kbsync reads besides the articles (kbsync.toml, kbsync.lock, a saved plan,
portal.yaml, _collection.yaml, .kbsyncignore, the parse cache, the merge bases) is broken
in the ways a hand edit, a bad merge or an attacker would break it, and the real
commands run on it in-process against the embedded Help Center (``base_url = "local"``).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kbsync.cli import run
from kbsync.local.tree import git_blob_sha1
from tests.local.test_hostile_files import alias_bomb

BUG = "bug in kbsync"
TOML = '[remote]\nbase_url = "local"\n'


def _cli(root: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(["--no-color", "-C", str(root), *args])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base applied to its embedded Help Center, with a saved plan."""
    root = tmp_path_factory.mktemp("state") / "kb"
    root.mkdir()
    (root / "kbsync.toml").write_text(TOML)
    (root / "portal.yaml").write_text("name: Help\n")
    (root / ".kbsyncignore").write_text("drafts/\n")
    (root / "g").mkdir()
    (root / "g/_collection.yaml").write_text("name: Guides\n")
    (root / "g/a.md").write_text("---\ntitle: A\n---\nSee [b](b.md#h).\n")
    (root / "g/b.md").write_text("---\ntitle: B\n---\n## H\n")
    assert _cli(root, "apply", "--yes")[0] == 0
    (root / "g/b.md").write_text("---\ntitle: B2\n---\n## H\n")
    assert _cli(root, "plan", "--out", str(root / "saved.json"))[0] == 0
    return root


@pytest.fixture
def work(synced: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "kb"
    shutil.copytree(synced, copy)
    return copy


def _json_edit(name: str, edit: Callable[[Any], Any]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        data = json.loads((root / name).read_text())
        (root / name).write_text(json.dumps(edit(data)))

    return apply


def _text(name: str, text: str | bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)

    return apply


def _folder(name: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / name
        if path.exists():
            path.unlink()
        path.mkdir()

    return apply


def _set(data: Any, *path_and_value: Any) -> Any:
    *path, key, value = path_and_value
    target = data
    for part in path:
        target = target[part]
    target[key] = value
    return data


def _cache(root: Path, entry: Any) -> None:
    path = root / ".kbsync/cache/parsed.json"
    data = json.loads(path.read_text())
    blob = git_blob_sha1((root / "g/a.md").read_bytes())
    data["entries"][blob] = entry
    path.write_text(json.dumps(data))


def _bases(root: Path, data: bytes | None) -> None:
    for path in (root / ".kbsync/base").iterdir():
        if data is None:  # a folder where a base should be
            path.unlink()
            path.mkdir()
        else:
            path.write_bytes(data)


LOCK = "kbsync.lock"
JOURNAL = "lock.journal"
CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "toml: remote is a string": (_text("kbsync.toml", 'remote = "x"\n'), "kbsync.toml"),
    "toml: not TOML": (_text("kbsync.toml", "x = [1,\n"), "kbsync.toml"),
    "toml: array of tables": (_text("kbsync.toml", "[[remote]]\nx = 1\n"), "kbsync.toml"),
    "toml: max_article_bytes 0": (_text("kbsync.toml", TOML + "[content]\nmax_article_bytes = 0\n"),
                                  "max_article_bytes"),
    "toml: a folder": (_folder("kbsync.toml"), "kbsync.toml"),
    "lock: articles a list": (_json_edit(LOCK, lambda d: _set(d, "articles", [1, 2])), LOCK),
    "lock: remote a string": (_json_edit(LOCK, lambda d: _set(d, "remote", "str")), LOCK),
    "lock: no version": (_json_edit(LOCK, lambda d: {k: v for k, v in d.items()
                                                     if k != "version"}), LOCK),
    "lock: entry a number": (_json_edit(LOCK, lambda d: _set(d, "articles", "a", 5)), LOCK),
    "lock: id a string": (_json_edit(LOCK, lambda d: _set(d, "articles", "a", "id", "1")), LOCK),
    "lock: one id twice": (_json_edit(LOCK, lambda d: _set(
        d, "articles", "b", "id", d["articles"]["a"]["id"])), LOCK),
    "lock: nested": (_text(LOCK, "[" * 50_000), LOCK),
    "lock: a folder": (_folder(LOCK), LOCK),
    "portal: a list": (_text("portal.yaml", "- name\n"), "portal.yaml"),
    "portal: bad YAML": (_text("portal.yaml", "name: [\n"), "portal.yaml"),
    "portal: alias bomb": (_text("portal.yaml", alias_bomb()), "portal.yaml"),
    "portal: self alias": (_text("portal.yaml", "name: &a [*a]\n"), "portal.yaml"),
    "portal: python tag": (_text("portal.yaml", "name: !!python/object/apply:os.system [id]\n"),
                           "portal.yaml"),
    "portal: not UTF-8": (_text("portal.yaml", b"name: \xff\n"), "portal.yaml"),
    "portal: bad date": (_text("portal.yaml", "name: 2024-02-30\n"), "portal.yaml"),
    "collection: a list": (_text("g/_collection.yaml", "- a\n"), "g/_collection.yaml"),
    "collection: bomb": (_text("g/_collection.yaml", alias_bomb()), "g/_collection.yaml"),
    "collection: huge number": (_text("g/_collection.yaml", "position: " + "9" * 5000 + "\n"),
                                "g/_collection.yaml"),
    "collection: complex key": (_text("g/_collection.yaml", "? [a]\n: 1\n"),
                                "g/_collection.yaml"),
    "ignore: bad pattern": (_text(".kbsyncignore", "\\\n"), ".kbsyncignore"),
    "ignore: bad range": (_text(".kbsyncignore", "[z-a]\n"), ".kbsyncignore"),
    "ignore: not UTF-8": (_text(".kbsyncignore", b"\xff\n"), ".kbsyncignore"),
    "cache: nested": (_text(".kbsync/cache/parsed.json", "[" * 50_000), ""),
    "cache: links a string": (lambda root: _cache(root, {"l": "x", "a": []}), ""),
    "cache: anchors a number": (lambda root: _cache(root, {"l": [], "a": 5}), ""),
    "journal: garbage": (_text(".kbsync/lock.journal", b"\xff garbage\n{\n"), JOURNAL),
    "journal: a folder": (_folder(".kbsync/lock.journal"), JOURNAL),
    "journal: another lock's": (_text(".kbsync/lock.journal", '{"journal": 1, "base": '
                                      '"sha256:0"}\n{"articles": {"x": null}}\n'), JOURNAL),
    "bases: garbage": (lambda root: _bases(root, b"\xff\x00garbage"), ""),
    "bases: folders": (lambda root: _bases(root, None), ""),
}
PLAN_CASES: dict[str, Callable[[Any], Any]] = {
    "unknown key": lambda d: _set(d, "surprise", 1),
    "changes a list of numbers": lambda d: _set(d, "changes", [1, 2]),
    "remote a string": lambda d: _set(d, "remote", "str"),
    "unknown field name": lambda d: _set(d, "changes", 0, "fields", 0, "field", "evil"),
    "update without id": lambda d: _set(d, "changes", 0, "remote_id", None),
    "create without slug": lambda d: _set(d, "changes", 0, "action", "create"),
    "unknown action": lambda d: _set(d, "changes", 0, "action", "x" * 500),
    "kind a number": lambda d: _set(d, "changes", 0, "kind", 7),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_state_file_is_a_clear_error(work: Path, case: str) -> None:
    breaking, named = CASES[case]
    breaking(work)
    for command in (["validate"], ["plan"], ["pull", "--dry-run"], ["apply", "--yes"]):
        code, output = _cli(work, *command)
        assert BUG not in output, (command, output)
        assert code in (0, 1, 2), (command, code, output)
        if code == 1 and named:
            assert named in output, (command, output)
        assert all(len(line) < 1000 for line in output.splitlines()), (command, output)


@pytest.mark.parametrize("case", sorted(PLAN_CASES))
def test_a_broken_plan_file_is_a_clear_error_and_sends_nothing(work: Path, case: str) -> None:
    path = work / "saved.json"
    path.write_text(json.dumps(PLAN_CASES[case](json.loads(path.read_text()))))
    before = (work / ".kbsync/local.db").read_bytes()
    code, output = _cli(work, "apply", str(path), "--yes")
    assert code == 1 and BUG not in output, output
    assert "invalid plan" in output or "not a kbsync plan" in output, output
    assert (work / ".kbsync/local.db").read_bytes() == before
