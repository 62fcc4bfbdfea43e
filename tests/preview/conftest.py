"""A knowledge base in tmp_path and the preview's site over it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbsync.config import Config, load_config
from kbsync.preview.site import Site

EXAMPLE = Path(__file__).resolve().parents[2] / "example-kb"


class KB:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def article(self, rel: str, title: str, body: str = "Some text.", **meta: Any) -> Path:
        lines = [f"title: {title}", *(f"{k}: {v}" for k, v in meta.items())]
        return self.write(rel, "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n")

    def config(self) -> Config:
        return load_config(self.root, environ={})


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    root = tmp_path / "kb"
    root.mkdir()
    return KB(root)


@pytest.fixture
def example(tmp_path: Path) -> KB:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
    return KB(root)


@pytest.fixture
def make_site() -> Iterator[Any]:
    """``make_site(kb)``: a Site over ``kb``, built once, closed after the test."""
    sites: list[Site] = []

    def make(kb: KB) -> Site:
        site = Site(kb.config)
        site.update()
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.close()
