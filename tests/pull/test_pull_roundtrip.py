"""Round trips: apply then pull changes no byte; pull after 10 web edits rewrites 10 files."""

from __future__ import annotations

import shutil
from pathlib import Path

from kbsync.model import ArticleFields
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb, synced = pull_kb.pkb, pull_kb.synced
EXAMPLE = Path(__file__).resolve().parents[2] / "example-kb"


def test_example_kb_apply_then_pull_changes_no_byte(pkb: PullKB) -> None:
    shutil.rmtree(pkb.root)
    shutil.copytree(EXAMPLE, pkb.root, ignore=shutil.ignore_patterns(".kbsync", "kbsync.lock"))
    assert pkb.apply().code == 0
    before = pkb.snapshot()
    outcome = pkb.pull()
    assert outcome.code == 0, outcome.err
    assert "Nothing to pull." in outcome.err
    assert pkb.snapshot() == before


def test_pull_right_after_apply_sends_the_plans_reads_and_writes_nothing(synced: PullKB) -> None:
    synced.reset_log()
    synced.plan()
    plan_requests = [(r["method"], r["path"]) for r in synced.requests()]
    synced.reset_log()
    before = synced.snapshot()
    assert synced.pull().code == 0
    assert [(r["method"], r["path"]) for r in synced.requests()] == plan_requests
    assert synced.snapshot() == before


def test_ten_web_edits_among_fifty_articles_rewrite_exactly_ten_files(pkb: PullKB) -> None:
    for n in range(50):
        pkb.article(f"topic-{n // 10}/article-{n:02}.md", f"Article {n}",
                    f"Body of article {n}.\n\n- one\n- two", position=n % 10)
    assert pkb.apply().code == 0
    pkb.reset_log()
    pkb.plan()
    plan_requests = [(r["method"], r["path"], r.get("query")) for r in pkb.requests()]
    edited = [f"topic-{n // 10}/article-{n:02}.md" for n in range(0, 50, 5)]
    for n in range(0, 50, 5):
        pkb.edit_remote(f"article-{n:02}", content_html=f"<p>Edited <em>{n}</em> on the web</p>",
                        content=f"Edited {n} on the web")
    before = pkb.snapshot()
    mtimes = {p: (pkb.root / p).stat().st_mtime_ns for p in before}
    pkb.reset_log()
    outcome = pkb.pull()
    assert outcome.code == 0, outcome.err
    assert [(r["method"], r["path"], r.get("query")) for r in pkb.requests()] == plan_requests
    after = pkb.snapshot()
    changed = {p for p in after if before.get(p) != after[p]}
    assert {p for p in changed if not p.startswith(".kbsync/")} == {*edited, "kbsync.lock"}
    untouched = [p for p in before if p not in changed and not p.startswith(".kbsync/")]
    assert all((pkb.root / p).stat().st_mtime_ns == mtimes[p] for p in untouched)
    assert "Edited *0* on the web" in pkb.read(edited[0])
    assert pkb.plan().code == 0


def test_a_new_remote_article_with_hand_written_html_reads_back(synced: PullKB) -> None:
    html = ('<div><h2>Steps</h2><ol><li>Open <b>Settings</b></li><li>Click&nbsp;<i>Save</i>'
            '</li></ol><p>Line one<br>line two</p><table><tr><td>a</td><td>b</td></tr></table>'
            '<p><kbd>Ctrl</kbd>+<kbd>S</kbd></p></div>')
    synced.create_remote(ArticleFields(title="Web article", slug="web", status="published",
                                       content_html=html, content="Steps ..."))
    assert synced.pull().code == 0
    assert synced.plan().code == 0
    synced.reset_log()
    assert synced.pull().code == 0 and "Nothing to pull." in synced.pull().err


def test_folders_moved_locally_into_a_new_folder_are_left_to_apply(pkb: PullKB) -> None:
    """A local move not applied yet is plan's business: pull must not pin the folders'
    old top-level order into their _collection.yaml (it once reversed the new order)."""
    pkb.write("alpha/_collection.yaml", "name: Alpha\nslug: alpha\n")
    pkb.article("alpha/one.md", "One", "Text.")
    pkb.write("beta/_collection.yaml", "name: Beta\nslug: beta\n")
    pkb.article("beta/two.md", "Two", "Text.")
    assert pkb.apply().code == 0
    (pkb.root / "group").mkdir()
    (pkb.root / "alpha").rename(pkb.root / "group/zeta")
    (pkb.root / "beta").rename(pkb.root / "group/eta")
    before = pkb.snapshot()
    outcome = pkb.pull()
    assert outcome.code == 0, outcome.err
    assert pkb.snapshot() == before
