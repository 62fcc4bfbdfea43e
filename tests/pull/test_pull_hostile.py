"""Remote slugs and titles can hold anything; nothing is written outside the folder."""

from __future__ import annotations

import os
from pathlib import Path

from kbsync.config import ContentSettings
from kbsync.local.bases import BaseStore
from kbsync.local.tree import LocalTree
from kbsync.model import (
    ActualState,
    ArticleFields,
    CollectionFields,
    Lock,
    Organization,
    RemoteArticle,
    RemoteCollection,
)
from kbsync.pull.files import carry_out
from kbsync.pull.puller import decide
from kbsync.pull.repo import Repo
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb = pull_kb.pkb

HOSTILE = ["../../etc/passwd", "/etc/shadow", "CON", "con.md", "NUL", "a" * 300,
           "💥" * 120, "\u202eevil\u202c.md", "مرحبا بالعالم", "..", ".", "", "dup", "dup",
           "DUP", "x\0y", "C:\\Windows\\system32", "~root", ".git", "_collection.yaml"]
RESERVED = {"con", "prn", "aux", "nul", "com1", "lpt1"}


def hostile_state() -> ActualState:
    collections = {
        1: RemoteCollection(1, CollectionFields(name="../..", slug="../..")),
        2: RemoteCollection(2, CollectionFields(name="CON", slug="CON", parent_id=1)),
        3: RemoteCollection(3, CollectionFields(name="/tmp", slug="/tmp")),
    }
    articles = {}
    for index, text in enumerate(HOSTILE, start=1):
        articles[index] = RemoteArticle(index, ArticleFields(
            title=text or "untitled", slug=text, collection_id=(index % 4) or None,
            content_html=f"<p>{index}</p>", content=str(index)),
            url=f"https://help.example/{index}")
    return ActualState(Organization(1, "o", "Org"), collections, articles)


def written(tmp_path: Path) -> list[Path]:
    return [Path(d) / f for d, _, files in os.walk(tmp_path) for f in files]


def test_hostile_names_stay_inside_the_folder_and_are_portable(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    result = decide(root=root, tree=LocalTree(root, (), (), ()), actual=hostile_state(),
                    lock=Lock(), content=ContentSettings(), bases=BaseStore(root), dirty=set())
    carry_out(root, result, Repo(root), atomic=False)
    files = written(tmp_path)
    assert len([f for f in files if f.suffix == ".md"]) == len(HOSTILE)
    for path in files:
        rel = path.relative_to(root)  # raises when outside
        for part in rel.parts:
            assert part not in ("..", ".") and not part.startswith(".")
            assert len(part.encode()) <= 255
            assert part.split(".")[0].lower() not in RESERVED
            assert "\0" not in part and "\\" not in part and "\u202e" not in part
    names = [p.relative_to(root).as_posix().casefold() for p in files]
    assert len(names) == len(set(names))  # unique even on case-insensitive file systems


def test_init_from_a_help_center_with_hostile_titles(tmp_path: Path, pkb: PullKB) -> None:
    for title in ["../../etc/passwd", "CON", "💥💥", "مرحبا بالعالم", "Same", "Same"]:
        pkb.app.store.create_article({"title": title, "status": "published",
                                      "content_html": "<p>x</p>", "content": "x"})
    target = tmp_path / "from-remote"
    outcome = pkb.init(target)
    assert outcome.code == 0, outcome.err
    # numbered in initdesk's order (all at position 0: by creation), after safe names
    assert sorted(p.name for p in target.glob("*.md")) == [
        "01-etc-passwd.md", "02-con-article.md", "03-article.md", "04-article-2.md",
        "05-same.md", "06-same-2.md"]
    assert PullKB(target, pkb.app).plan().code == 0


