"""kbsync.lock: deterministic, one item per line, round-trips, one entry per remote id."""

from __future__ import annotations

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


def test_a_missing_lock_is_empty_and_a_broken_one_says_what_to_do(tmp_path: Path) -> None:
    assert load_lock(tmp_path / "none.lock").articles == {}
    (tmp_path / "kbsync.lock").write_text("{not json")
    with pytest.raises(ConfigError, match="restore it from git, or delete it"):
        load_lock(tmp_path / "kbsync.lock")
