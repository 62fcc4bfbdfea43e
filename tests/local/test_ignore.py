from __future__ import annotations

from kbsync.local.ignore import IgnoreRules

from .conftest import KB


def test_hidden_and_root_files_are_not_content() -> None:
    rules = IgnoreRules()
    assert rules.is_ignored(".git", is_dir=True)
    assert rules.is_ignored("a/.draft.md", is_dir=False)
    assert rules.is_ignored("README.md", is_dir=False)
    assert not rules.is_ignored("guides/README.md", is_dir=False)


def test_gitignore_patterns() -> None:
    rules = IgnoreRules(["drafts/", "*.tmp.md", "!keep.tmp.md", "/top.md"])
    assert rules.is_ignored("a/drafts", is_dir=True)
    assert rules.is_ignored("x.tmp.md", is_dir=False)
    assert not rules.is_ignored("keep.tmp.md", is_dir=False)
    assert rules.is_ignored("top.md", is_dir=False)
    assert not rules.is_ignored("a/top.md", is_dir=False)


def test_tree_honours_kbsyncignore(kb: KB) -> None:
    kb.write(".kbsyncignore", "drafts/\r\nwip-*.md\n")
    kb.write("drafts/a.md")
    kb.write("guides/wip-b.md")
    kb.write("guides/c.md")
    assert [a.key for a in kb.tree().articles] == ["guides/c.md"]


def test_undecodable_ignore_file_is_a_problem(kb: KB) -> None:
    kb.write(".kbsyncignore", b"\xff\n")
    assert kb.messages() == [".kbsyncignore: cannot read: not UTF-8 text (byte 0xff at offset 0)"]
