"""kbsync.lock: deterministic, one item per line, round-trips, one entry per remote id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbsync.errors import ConfigError
from kbsync.lock import load_lock, save_lock
from kbsync.model import Lock, LockEntry


def _lock() -> Lock:
    lock = Lock("https://api.initdesk.com", 7)
    lock.put("articles", "zeta", LockEntry(2, "b/zeta.md", "sha256:2", "t2", "blob2"))
    lock.put("articles", "alpha", LockEntry(1, "a/alpha.md", "sha256:1", "t1", "blob1"))
    lock.put("collections", "a", LockEntry(5, "a", "sha256:5"))
    return lock


def test_items_are_sorted_one_per_line() -> None:
    lines = _lock().dumps().splitlines()
    rows = [line for line in lines if line.startswith('  "')]
    assert [row.split(":")[0].strip() for row in rows] == ['"alpha"', '"zeta"', '"a"']


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    lock = _lock()
    lock.render = "1|"
    save_lock(lock, tmp_path / "kbsync.lock")
    again = load_lock(tmp_path / "kbsync.lock")
    assert again.dumps() == lock.dumps()
    assert again.by_path("articles", "b/zeta.md") == ("zeta", lock.articles["zeta"])


def test_a_new_slug_for_the_same_id_replaces_the_old_entry() -> None:
    lock = _lock()
    lock.put("articles", "omega", LockEntry(2, "b/omega.md", "sha256:9"))
    assert set(lock.articles) == {"alpha", "omega"}
    assert "zeta" not in lock.dumps()


def test_an_entry_put_again_after_a_dump_is_dumped_as_it_is_now() -> None:
    lock = _lock()  # each entry's line is made at the first dump after it is put
    assert '"sha256:1"' in lock.dumps()
    lock.put("articles", "alpha", LockEntry(1, "a/alpha.md", "sha256:7", "t3", "blob3"))
    assert '"sha256:7"' in lock.dumps() and '"sha256:1"' not in lock.dumps()


def test_a_missing_lock_is_empty_and_a_broken_one_says_what_to_do(tmp_path: Path) -> None:
    assert load_lock(tmp_path / "none.lock").articles == {}
    (tmp_path / "kbsync.lock").write_text("{not json")
    with pytest.raises(ConfigError, match="restore it from git, or delete it"):
        load_lock(tmp_path / "kbsync.lock")


# -- malformed locks: a clear error naming kbsync.lock and the entry, never a crash --------


def _written(tmp_path: Path, edit: object) -> Path:
    path = tmp_path / "kbsync.lock"
    save_lock(_lock(), path)
    data = json.loads(path.read_text())
    edit(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    return path


MALFORMED = [
    (lambda d: d.update(articles=[1, 2]),
     '"articles" must be an object of slug: entry, got a list'),
    (lambda d: d.update(remote="str"), '"remote" must be an object with base_url and '
                                       "organization_id, got 'str'"),
    (lambda d: d.pop("version"), 'no "version": not a lock file kbsync wrote'),
    (lambda d: d.update(version=2), "unknown lock format version 2 (this kbsync reads version 1);"
                                    " a newer kbsync wrote it"),
    (lambda d: d["articles"].update(alpha=[1]), "articles entry 'alpha' must be an object"),
    (lambda d: d["articles"]["alpha"].update(id="7"), "articles entry 'alpha': \"id\" must be a "
                                                      "whole number >= 1, got '7'"),
    (lambda d: d["articles"]["alpha"].update(id=True), "got True"),
    (lambda d: d["articles"]["alpha"].pop("path"), "articles entry 'alpha': \"path\" must be "
                                                   "text, got None"),
    (lambda d: d["articles"]["zeta"].update(id=1), "articles 'alpha' and 'zeta' both claim "
                                                   "remote id 1"),
    (lambda d: d["remote"].update(organization_id="7"), '"remote.organization_id" must be a '
                                                        "whole number >= 1, got '7'"),
    (lambda d: d.update(portal=[1]), '"portal" must be an object with remote'),
    (lambda d: d.update(assets={"s3://b/kb": "a.png"}), '"assets" must be an object of '
                                                        "store: [names], got "),
]


@pytest.mark.parametrize(("edit", "message"), MALFORMED)
def test_a_malformed_lock_is_a_clear_error_saying_what_to_do(
        tmp_path: Path, edit: object, message: str) -> None:
    path = _written(tmp_path, edit)
    with pytest.raises(ConfigError) as caught:
        load_lock(path)
    text = str(caught.value)
    assert text.startswith("kbsync.lock: ") and message in text
    assert "git checkout -- kbsync.lock" in text or "upgrade kbsync" in text


@pytest.mark.parametrize("content", ["[" * 100_000, "\xff\xfe", "", "null", "[1, 2]"])
def test_unreadable_locks_are_clear_errors(tmp_path: Path, content: str) -> None:
    (tmp_path / "kbsync.lock").write_text(content, encoding="latin-1")
    with pytest.raises(ConfigError, match=r"^kbsync\.lock: "):
        load_lock(tmp_path / "kbsync.lock")


def test_a_lock_that_is_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "kbsync.lock").mkdir()
    with pytest.raises(ConfigError, match=r"kbsync\.lock: is not a file"):
        load_lock(tmp_path / "kbsync.lock")


def test_keys_a_newer_kbsync_added_are_ignored(tmp_path: Path) -> None:
    path = _written(tmp_path, lambda d: (d.update(extra={"x": 1}),
                                         d["articles"]["alpha"].update(note="new")))
    assert load_lock(path).dumps() == _lock().dumps()
