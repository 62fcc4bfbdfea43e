"""A knowledge base as a Docusaurus / markdown-it-anchor site brings it (migrated-kb/):
it validates with no problem under the matching settings, and each article comes back
from its own HTML byte for byte, twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kbsync.commands.validate import run
from kbsync.config import load_config
from kbsync.problems import Problem
from tests.markdown.conftest import render, to_markdown

FIXTURE = Path(__file__).parent / "migrated-kb"
ARTICLES = sorted(p.relative_to(FIXTURE).as_posix() for p in FIXTURE.rglob("*.md"))


def test_it_validates_with_no_problem(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "kb")
    found: list[Problem] = []
    assert run(load_config(tmp_path / "kb", environ={}), strict=False, emit=found.append) == 0
    assert [str(p) for p in found] == []


def test_under_github_ids_validate_names_the_scheme(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "kb")
    toml = tmp_path / "kb" / "kbsync.toml"
    toml.write_text(toml.read_text().replace('heading_ids = "markdown-it-anchor"\n', ""))
    found: list[Problem] = []
    run(load_config(tmp_path / "kb", environ={}), strict=False, emit=found.append)
    assert str(found[0]).startswith('kbsync.toml: content.heading_ids: warning: 2 of 2 '
                                    'broken anchors resolve with heading_ids = '
                                    '"markdown-it-anchor"')


@pytest.mark.parametrize("key", ARTICLES)
def test_each_article_round_trips_byte_stable(key: str) -> None:
    text = (FIXTURE / key).read_text(encoding="utf-8")
    body = text[text.index("\n---\n", 4) + 5:].lstrip("\n")
    dialect = load_config(FIXTURE, environ={}).content.dialect
    html = render(body, key, dialect=dialect)
    back = to_markdown(html, key, dialect=dialect, like=body)
    assert back == body
    assert to_markdown(render(back, key, dialect=dialect), key, dialect=dialect,
                       like=back) == body
