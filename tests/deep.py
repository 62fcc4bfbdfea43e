"""Folders nested a thousand levels deep, and their removal.

``shutil.rmtree`` (and so pytest's clean-up of ``tmp_path``) recurses once per level
before Python 3.12: a test that nests this deep removes what it made itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

Nest = Callable[[Path, int], Path]


def remove_nested(top: Path) -> None:
    """Remove ``top`` and everything below it, deepest folders first, without recursion."""
    order: list[Path] = []
    stack = [top]
    while stack:  # pre-order: each folder comes after its parent
        folder = stack.pop()
        order.append(folder)
        stack.extend(Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False))
    for folder in reversed(order):
        for entry in os.scandir(folder):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        os.rmdir(folder)


@pytest.fixture
def nest() -> Iterator[Nest]:
    """``nest(parent, levels)``: ``levels`` folders named ``d`` inside each other under
    ``parent``; the innermost is returned, and all of them are removed after the test."""
    made: list[Path] = []

    def make(parent: Path, levels: int) -> Path:
        folder = parent
        for _ in range(levels):
            folder = folder / "d"
            os.mkdir(folder)
        made.append(parent / "d")
        return folder

    yield make
    for top in made:
        if top.exists():
            remove_nested(top)
