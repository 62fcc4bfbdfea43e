"""The bounded walk: no recursion, no symbolic links followed, what lies deeper named."""

from __future__ import annotations

import os
from pathlib import Path

from kbsync.local.walk import deeper_than, walk
from tests.deep import Nest


def test_a_thousand_levels_are_walked_to_the_limit_and_the_rest_named(tmp_path: Path,
                                                                      nest: Nest) -> None:
    nest(tmp_path, 1_000)
    folders = list(walk(tmp_path, max_depth=3))
    assert [f.rel for f in folders] == ["", "d", "d/d", "d/d/d"]
    assert folders[-1].too_deep == ["d/d/d/d"]
    assert deeper_than(tmp_path, 3) == "d/d/d/d" and deeper_than(tmp_path, 1_000) is None


def test_links_to_folders_are_files_to_it_and_enter_decides(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    folders = {f.rel: f for f in walk(tmp_path, max_depth=5,
                                      enter=lambda rel: not rel.startswith("."))}
    assert sorted(folders) == ["", "a", "a/b"]
    assert [e.name for e in folders["a"].files] == ["loop"]
