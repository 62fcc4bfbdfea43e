"""A tiny knowledge base in tmp_path: write files, read the tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.config import ContentSettings
from kbsync.local.tree import LocalTree, read_tree


class KB:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, data: str | bytes = "# Title\n") -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8", newline="")
        else:
            path.write_bytes(data)
        return path

    def tree(self, extra_keys: tuple[str, ...] = ()) -> LocalTree:
        return read_tree(self.root, ContentSettings(extra_keys=extra_keys))

    def messages(self, extra_keys: tuple[str, ...] = ()) -> list[str]:
        return [str(p) for p in self.tree(extra_keys).problems]


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    return KB(tmp_path)
