"""read_article: one file re-read alone gives exactly the tree's entry (watch relies on it)."""

from __future__ import annotations

from kbsync.config import ContentSettings
from kbsync.local.tree import read_article

from .conftest import KB


def test_equals_the_entry_of_a_whole_read(kb: KB) -> None:
    kb.write("g/_collection.yaml", "name: G\n")
    kb.write("g/10-late.md", "---\ntitle: Late\nowner: me\n---\nBody\n")
    kb.write("g/2-early.md", "# Early\n")
    kb.write("g/sub/x.md", "# X\n")
    kb.write("top.md", "# Top\n")
    tree = kb.tree(extra_keys=("owner",))
    for article in tree.articles:
        again, problems = read_article(kb.root, article.key, ContentSettings(("owner",)))
        assert again == article and problems == ()


def test_problems_come_with_the_article(kb: KB) -> None:
    kb.write("g/a.md", "---\ntitle: A\nstatus: live\n---\n")
    article, problems = read_article(kb.root, "g/a.md", ContentSettings())
    assert article is not None and article.status == "published"
    assert [str(p) for p in problems] == [str(p) for p in kb.tree().problems]


def test_none_for_what_is_not_an_article(kb: KB) -> None:
    kb.write(".kbsyncignore", "notes/\n")
    kb.write("notes/idea.md", "# Idea\n")
    kb.write(".hidden/a.md", "# A\n")
    kb.write("README.md", "# Readme\n")
    kb.write("g/bad.md", b"\xff\xfe")
    for key in ("notes/idea.md", ".hidden/a.md", "README.md", "g/missing.md", "nowhere/a.md"):
        assert read_article(kb.root, key, ContentSettings()) == (None, ()), key
    article, problems = read_article(kb.root, "g/bad.md", ContentSettings())
    assert article is None and [p.message for p in problems] == [
        "cannot read: not UTF-8 text (byte 0xff at offset 0)"]
