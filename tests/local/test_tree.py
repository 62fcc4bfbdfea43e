from __future__ import annotations

import subprocess

from kbsync.config import ContentSettings
from kbsync.local.tree import git_blob_sha1, leading_h1, natural_key, read_tree

from .conftest import KB


def test_defaults_from_file_and_folder_names(kb: KB) -> None:
    kb.write("02-getting-started/10-install.md")
    kb.write("02-getting-started/2-welcome.md")
    tree = kb.tree()
    (collection,) = tree.collections
    assert (collection.key, collection.slug, collection.name) == (
        "02-getting-started", "getting-started", "Getting started")
    assert (collection.position, collection.depth) == (0, 1)
    assert collection.source == "02-getting-started"
    welcome, install = (tree.article("02-getting-started/2-welcome.md"),
                        tree.article("02-getting-started/10-install.md"))
    assert welcome and install
    assert (welcome.slug, welcome.position, install.slug, install.position) == (
        "welcome", 0, "install", 1)
    assert (welcome.status, welcome.excerpt, welcome.collection_key) == (
        "published", None, "02-getting-started")


def test_front_matter_fields(kb: KB) -> None:
    kb.write("a.md", "---\ntitle: T\nslug: s\nexcerpt: E\nstatus: draft\nposition: 7\n"
             "owner: me\n---\nBody\n")
    article = kb.tree(extra_keys=("owner",)).articles[0]
    assert (article.title, article.slug, article.excerpt, article.status, article.position) == (
        "T", "s", "E", "draft", 7)
    assert (article.body, article.body_line, dict(article.extra)) == ("Body\n", 9, {"owner": "me"})
    assert article.collection_key is None


def test_title_from_leading_h1_is_cut_from_the_body(kb: KB) -> None:
    kb.write("a.md", "---\nslug: a\n---\n\n# Hello world #\n\nFirst line\n")
    article = kb.tree().articles[0]
    assert (article.title, article.body, article.body_line) == ("Hello world", "First line\n", 7)


def test_h1_stays_in_the_body_when_front_matter_has_a_title(kb: KB) -> None:
    kb.write("a.md", "---\ntitle: T\n---\n# H\n")
    assert kb.tree().articles[0].body == "# H\n"


def test_leading_h1_only_counts_atx_on_the_first_line() -> None:
    assert leading_h1("text\n# H\n") is None
    assert leading_h1("#NoSpace\n") is None
    assert leading_h1("# H") == ("H", 0, 1, "")


def test_bom_and_crlf(kb: KB) -> None:
    kb.write("a.md", b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\nline 1\r\nline 2\r\n")
    article = kb.tree().articles[0]
    assert (article.title, article.body, article.body_line) == ("T", "line 1\nline 2\n", 4)


def test_collection_file_and_nesting(kb: KB) -> None:
    kb.write("a/_collection.yaml", "name: Alpha\nslug: alpha-x\ndescription: D\nposition: 3\n")
    kb.write("a/b/x.md")
    kb.write("c/y.md")
    tree = kb.tree()
    assert [(c.key, c.parent_key, c.depth, c.position) for c in tree.collections] == [
        ("a", None, 1, 3), ("a/b", "a", 2, 0), ("c", None, 1, 1)]
    alpha = tree.collection("a")
    assert alpha and (alpha.name, alpha.slug, alpha.description, alpha.source) == (
        "Alpha", "alpha-x", "D", "a/_collection.yaml")


def test_a_folder_is_a_collection_with_articles_below_it_or_a_collection_file(
        kb: KB) -> None:
    kb.write("images/logo.png", b"png")
    kb.write("empty/_collection.yaml", "name: E\n")
    kb.write("docs/deep/er/x.md")
    assert [c.key for c in kb.tree().collections] == ["docs", "docs/deep", "docs/deep/er",
                                                      "empty"]


def test_not_content(kb: KB) -> None:
    for name in ("README.md", "kbsync.toml", "portal.yaml", ".kbsync/x.md", ".git/y.md",
                 "a/.hidden.md", "a/notes.txt"):
        kb.write(name)
    kb.write("a/README.md")
    assert [a.key for a in kb.tree().articles] == ["a/README.md"]


def test_source_hash_is_the_git_blob_id(kb: KB) -> None:
    path = kb.write("a.md", "# T\n")
    expected = subprocess.run(["git", "hash-object", str(path)], capture_output=True,
                              text=True, check=True).stdout.strip()
    assert kb.tree().articles[0].source_hash == expected == git_blob_sha1(b"# T\n")


def test_undecodable_file_is_a_problem_not_a_crash(kb: KB) -> None:
    kb.write("a.md", b"# T\n\xff\xfe")
    assert kb.messages() == [
        "a.md: cannot read: not UTF-8 text (byte 0xff at offset 4) (save the file as UTF-8)"]
    assert kb.tree().articles == ()


def test_natural_order() -> None:
    assert sorted(["10-a", "2-b", "b", "a"], key=natural_key) == ["2-b", "10-a", "a", "b"]


def test_missing_title_falls_back_to_the_file_name(kb: KB) -> None:
    kb.write("01-my_page.md", "text\n")
    assert kb.tree().articles[0].title == "My page"


def test_the_count_of_article_files_comes_before_any_is_read(kb: KB) -> None:
    """A cold check starts its parsing workers on this count while the files are read."""
    kb.write("a.md", "---\ntitle: Before\n---\n")
    kb.write("guides/b.md")
    kb.write("guides/deep/c.md")
    kb.write("guides/_collection.yaml", "name: Guides\n")
    kb.write("guides/notes.txt", "not an article")
    told: list[int] = []

    def scanned(count: int) -> None:
        told.append(count)
        kb.write("a.md", "---\ntitle: After\n---\n")  # still unread: the tree sees this

    tree = read_tree(kb.root, ContentSettings(), scanned=scanned)
    assert told == [3]
    assert tree.article("a.md").title == "After"  # type: ignore[union-attr]
