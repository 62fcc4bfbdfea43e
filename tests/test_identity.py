"""One identity rule: plan and pull pair the same files with the same remote items.

The same local tree, lock and remote state go to the planner and to pull's layout; every
file must be paired with the same remote article by both (or by neither).
"""

from __future__ import annotations

from pathlib import Path

from kbsync.config import ContentSettings
from kbsync.local.tree import read_tree
from kbsync.model import DesiredState, Lock
from kbsync.model.state import RemoteRef
from kbsync.plan.match import match
from kbsync.plan.planner import build_plan
from kbsync.pull.layout import plan_layout
from tests.plan.builders import actual, body, remote_article, remote_collection, synced


def _tree(root: Path) -> None:
    files = {
        "guides/_collection.yaml": "name: Guides\n",
        "guides/moved-here.md": "---\ntitle: Moved here v2\nslug: moved\n---\nx\n",
        "guides/renamed.md": "---\ntitle: Renamed v2\nslug: new-slug\n---\nx\n",
        "guides/adopted.md": "---\ntitle: Adopted v2\n---\nx\n",
        "guides/brand-new.md": "---\ntitle: Brand new\n---\nx\n",
        "guides/deleted-there.md": "---\ntitle: Deleted there v2\n---\nx\n",
        "guides/twin.md": "---\ntitle: Twin v2\nslug: moved-twin\n---\nx\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


def test_plan_and_pull_pair_every_file_with_the_same_remote_item(tmp_path: Path) -> None:
    _tree(tmp_path)
    guides = remote_collection(1, "guides")
    moved = remote_article(10, "moved", collection_id=1)  # synced at another path
    renamed = remote_article(11, "old-slug", collection_id=1)  # slug changed in the file
    adopted = remote_article(12, "adopted", collection_id=1)  # not in the lock
    deleted = remote_article(13, "deleted-there", collection_id=1)
    twin = remote_article(14, "moved-twin", collection_id=1)
    lock = Lock()
    synced(lock, guides, "guides")
    synced(lock, moved, "elsewhere/moved.md")
    synced(lock, renamed, "guides/renamed.md")
    synced(lock, deleted, "guides/deleted-there.md")
    synced(lock, twin, "guides/twin.md")
    remote = actual(guides, moved, renamed, adopted, twin)  # 13 was deleted in initdesk
    tree = read_tree(tmp_path, ContentSettings())
    state = DesiredState(collections=tree.collections, articles=tree.articles,
                         bodies={a.key: body("x") for a in tree.articles}, render_key="1|")

    plan = build_plan(desired=state, actual=remote, lock=lock,
                      remote=RemoteRef("https://api.example", 1))
    planned = {c.key: c.remote_id for c in plan.changes if c.kind == "article"}
    layout = plan_layout(tmp_path, tree, remote, lock, match(state, remote, lock))
    pulled = {p.local_key: remote_id for remote_id, p in layout.articles.items()
              if p.local_key is not None}
    pulled.update({a.key: None for a in tree.articles if a.key not in pulled})

    assert planned == pulled == {
        "guides/moved-here.md": 10, "guides/renamed.md": 11, "guides/adopted.md": 12,
        "guides/brand-new.md": None, "guides/deleted-there.md": None, "guides/twin.md": 14,
    }
