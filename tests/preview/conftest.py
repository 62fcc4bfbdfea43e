"""A knowledge base in tmp_path and the preview's site over it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kbsync.config import Config, load_config
from kbsync.preview.site import Site
from tests.kb_files import KBFiles

EXAMPLE = Path(__file__).resolve().parents[2] / "example-kb"


class KB(KBFiles):
    def __init__(self, root: Path) -> None:
        self.root = root

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
