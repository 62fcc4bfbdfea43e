"""Folders nested a thousand levels deep, and their removal.

``shutil.rmtree`` (and so pytest's clean-up of ``tmp_path``) recurses once per level
before Python 3.12: a test that nests this deep removes what it made itself, with the
reliability bench's own helpers (``nest``, ``remove_tree``), which do neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.bench import load

Nest = Callable[[Path, int], Path]


@pytest.fixture
def nest() -> Iterator[Nest]:
    """``nest(parent, levels)``: ``levels`` folders named ``d`` inside each other under
    ``parent``; the innermost is returned, and all of them are removed after the test."""
    bench = load("reliability")
    made: list[Path] = []

    def make(parent: Path, levels: int) -> Path:
        made.append(parent / "d")
        innermost: Path = bench.nest(parent, levels)
        return innermost

    yield make
    for top in made:
        if top.exists():
            bench.remove_tree(top)
