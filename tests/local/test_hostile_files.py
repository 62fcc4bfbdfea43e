"""Hostile files in a knowledge base: bounded work, nothing read that should not be.

Alias bombs, oversized files, symbolic links out of the folder, pipes and sockets,
dates that do not exist. Each is one problem at the file (and line); none costs more
than the size of the file, none blocks, none is read from outside the folder.
"""

from __future__ import annotations

import os
import socket
import threading
import tracemalloc
from pathlib import Path

import pytest
import yaml

from kbsync.config import ContentSettings
from kbsync.local.frontmatter import MAX_EXPANDED, expanded_size, load_mapping
from kbsync.local.tree import LocalTree, read_capped, read_tree
from kbsync.portal_file import read_portal

from .conftest import KB

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")


def alias_bomb(levels: int = 9) -> str:
    """The classic 'billion laughs': ~400 bytes that stand for 9**9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    return "\n".join(lines) + f"\nstatus: *{previous}\n"


# -- alias bombs -------------------------------------------------------------------------


def test_an_alias_bomb_in_front_matter_is_one_short_problem_in_bounded_memory(kb: KB) -> None:
    bomb = alias_bomb()
    assert len(bomb) < 450
    kb.write("g/bomb.md", "---\ntitle: Bomb\n" + bomb + "---\nbody\n")
    tracemalloc.start()
    try:
        messages = kb.messages()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert messages == [
        "g/bomb.md:2: front matter YAML aliases expand to more than 10,000 values "
        "(anchors (&name) and aliases (*name) are for small repeats; write the values out "
        "instead)"]
    assert peak < 20_000_000  # the expansion would be gigabytes


@pytest.mark.parametrize("name", ["_collection.yaml", "portal.yaml"])
def test_alias_bombs_are_refused_in_every_yaml_file(kb: KB, name: str) -> None:
    if name == "portal.yaml":
        kb.write("portal.yaml", alias_bomb())
        _settings, problems = read_portal(kb.root)
    else:
        kb.write("g/_collection.yaml", alias_bomb())
        kb.write("g/a.md")
        problems = list(kb.tree().problems)
    assert len(problems) == 1 and "aliases expand to more than 10,000" in str(problems[0])


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    found = load_mapping("title: x\nself: &s [1, *s]\n", "a.md", first_line=2)
    assert not found.readable and found.data == {}
    assert "alias inside its own anchor" in str(found.problems[0])


def test_small_repeats_with_aliases_are_fine() -> None:
    found = load_mapping("tags: &t [a, b]\nalso: *t\n", "a.md", first_line=2)
    assert found.problems == () and found.data == {"tags": ["a", "b"], "also": ["a", "b"]}


def test_expanded_size_counts_shared_nodes_once_per_use_and_saturates() -> None:
    node = yaml.compose("a: &a [1, 2]\nb: [*a, *a]\n")
    # mapping 1 + key a 1 + [1,2] 3 + key b 1 + [*a,*a] (1 + 3 + 3)
    assert expanded_size(node, 1000) == 13
    assert expanded_size(yaml.compose(alias_bomb()), MAX_EXPANDED) == MAX_EXPANDED + 1


def test_many_keys_without_aliases_are_not_an_alias_problem() -> None:
    text = "title: T\n" + "".join(f"k{i}: {i}\n" for i in range(12_000))
    assert expanded_size(yaml.compose(text), MAX_EXPANDED) == 0
    found = load_mapping(text, "a.md", first_line=2)
    assert found.problems == () and len(found.data) == 12_001


# -- sizes -------------------------------------------------------------------------------


def test_a_file_over_max_article_bytes_is_an_error_naming_the_setting(kb: KB) -> None:
    kb.write("a.md", "# Big\n\n" + "x" * 200)
    kb.write("b.md", "# Small\n")
    tree = read_tree(kb.root, ContentSettings(max_article_bytes=100))
    assert [str(p) for p in tree.problems] == [
        "a.md: is larger than 100 bytes (max_article_bytes): not read (split it into smaller "
        "articles, or raise max_article_bytes under [content] in kbsync.toml)"]
    assert [a.key for a in tree.articles] == ["b.md"]


def test_never_more_than_the_cap_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.md"
    with huge.open("wb") as handle:  # a sparse gigabyte: costs no disk
        handle.truncate(1 << 30)
    tracemalloc.start()
    try:
        assert read_capped(huge, 1000) is None
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    (tmp_path / "small.md").write_bytes(b"12345")
    assert read_capped(tmp_path / "small.md", 5) == b"12345"


def test_quoted_values_are_capped_in_messages(kb: KB) -> None:
    kb.write("a.md", "---\ntitle: T\nstatus: " + "z" * 5000 + "\nslug: " + "Q" * 300
             + "\n---\nx\n")
    for message in kb.messages():
        assert len(message) < 400, message
        assert "zzzzz" not in message or "…" in message


# -- symbolic links and special files ------------------------------------------------------


@needs_symlinks
def test_a_symlinked_article_outside_the_folder_is_an_error_and_never_read(
        kb: KB, tmp_path_factory: pytest.TempPathFactory) -> None:
    secret = tmp_path_factory.mktemp("outside") / "secret.md"
    secret.write_text("# Secret\n\nthe private key\n")
    kb.write("g/a.md")
    (kb.root / "g" / "leak.md").symlink_to(secret)
    tree = kb.tree()
    assert [a.key for a in tree.articles] == ["g/a.md"]
    (problem,) = tree.problems
    assert problem.is_error and problem.path == "g/leak.md"
    assert "outside the knowledge base: not read" in str(problem)
    assert all("private key" not in a.body for a in tree.articles)


@needs_symlinks
def test_a_symlinked_article_inside_the_folder_is_read(kb: KB) -> None:
    kb.write("shared/faq.md", "---\ntitle: FAQ\nslug: faq\n---\nBody\n")
    kb.write("g/x.md")
    (kb.root / "g" / "faq-link.md").symlink_to(kb.root / "shared" / "faq.md")
    tree = kb.tree()
    assert {a.key for a in tree.articles} == {"shared/faq.md", "g/x.md", "g/faq-link.md"}
    assert tree.problems == ()


@needs_symlinks
def test_a_link_into_a_hidden_folder_is_refused(kb: KB) -> None:
    kb.write(".git/config", "[remote]\nurl = https://user:token@example/\n")
    kb.write("a.md")
    (kb.root / "config.md").symlink_to(kb.root / ".git" / "config")
    (problem,) = kb.tree().problems
    assert problem.path == "config.md" and "hidden folder" in problem.message


@needs_symlinks
def test_symlinked_folders_are_reported_not_followed(
        kb: KB, tmp_path_factory: pytest.TempPathFactory) -> None:
    kb.write("real/a.md")
    (kb.root / "alias").symlink_to(kb.root / "real")
    (kb.root / "loop").symlink_to(kb.root)
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "b.md").write_text("# B\n")
    (kb.root / "external").symlink_to(outside)
    tree = kb.tree()
    assert [a.key for a in tree.articles] == ["real/a.md"]
    found = {p.path: p for p in tree.problems}
    assert set(found) == {"alias", "loop", "external"}
    assert found["alias"].severity == "warning" and "not followed" in found["alias"].message
    assert found["external"].is_error and "outside the knowledge base" in found["external"].message


@needs_symlinks
def test_dangling_links_are_reported(kb: KB) -> None:
    kb.write("a.md")
    (kb.root / "gone.md").symlink_to(kb.root / "nowhere.md")
    (kb.root / "logo.png").symlink_to(kb.root / "nowhere.png")
    found = {p.path: p for p in kb.tree().problems}
    assert found["gone.md"].is_error and "leads nowhere" in found["gone.md"].message
    assert found["logo.png"].severity == "warning"


def _read_tree_with_deadline(root: Path, seconds: float = 20.0) -> LocalTree:
    """read_tree in a thread: a test that opens a pipe must fail, not hang the suite."""
    box: list[LocalTree] = []
    worker = threading.Thread(target=lambda: box.append(read_tree(root, ContentSettings())),
                              daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "read_tree blocked (it opened a pipe?)"
    return box[0]


@needs_fifo
def test_pipes_and_sockets_are_reported_and_never_opened(kb: KB) -> None:
    kb.write("a.md")
    os.mkfifo(kb.root / "pipe.md")
    os.mkfifo(kb.root / "notes.txt")
    os.mkfifo(kb.root / "real-pipe")
    (kb.root / "linked.md").symlink_to(kb.root / "real-pipe")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(kb.root / "sock.md"))
        tree = _read_tree_with_deadline(kb.root)
    finally:
        server.close()
    found = {p.path: p for p in tree.problems}
    assert [a.key for a in tree.articles] == ["a.md"]
    assert found["pipe.md"].is_error and "named pipe (FIFO): not read" in found["pipe.md"].message
    assert found["linked.md"].is_error and found["sock.md"].is_error
    assert found["notes.txt"].severity == "warning"


def test_a_device_named_like_an_article_is_reported_and_never_read(kb: KB) -> None:
    import stat

    kb.write("a.md")
    try:
        os.mknod(kb.root / "zero.md", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero
    except (OSError, AttributeError):
        pytest.skip("cannot make a device node here (needs CAP_MKNOD)")
    tree = _read_tree_with_deadline(kb.root)
    (problem,) = tree.problems
    assert problem.path == "zero.md" and problem.is_error
    assert problem.message == "is a device: not read"


@needs_fifo
def test_read_capped_refuses_a_pipe_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p.md")
    with pytest.raises(OSError, match="not a regular file"):
        read_capped(tmp_path / "p.md", 10)


def test_a_thousand_nested_folders_cost_nothing(kb: KB) -> None:
    kb.write("/".join(["d"] * 40) + "/deep.md")
    kb.write("top.md")
    tree = kb.tree()
    assert [a.key for a in tree.articles] == ["top.md"]
    assert any("nested more than 16 levels" in p.message for p in tree.problems)


# -- values ------------------------------------------------------------------------------


def test_an_impossible_date_is_one_problem_at_its_line_and_the_rest_is_read(kb: KB) -> None:
    kb.write("a.md", "---\ntitle: T\npublished: 2024-02-30\nslug: Not A Slug\n---\nx\n")
    assert kb.messages(extra_keys=("published",)) == [
        "a.md:3: published: not a valid date: '2024-02-30' (day is out of range for month) "
        "(quote the value to keep it as text)",
        "a.md:4: slug: 'Not A Slug' is not a valid slug (a-z, 0-9 and single dashes) "
        "(use 'not-a-slug')"]


def test_file_names_with_control_characters_are_escaped_in_problems(kb: KB) -> None:
    kb.write("a\x1b[2Jb\nc.md", "---\nstatus: live\n---\n# T\n")
    (message,) = kb.messages()
    assert "\x1b" not in message and "\n" not in message
    assert message.startswith("a\\x1b[2Jb\\nc.md:2: status:")


def test_ten_thousand_problems_in_one_file_print_fifty_and_a_count(kb: KB) -> None:
    from kbsync.config import Config
    from kbsync.engine import Workspace

    kb.write("a.md", "---\ntitle: T\n" + "".join(f"k{i}: {i}\n" for i in range(10_000))
             + "---\n" + "".join(f"[x](missing-{i}.md)\n" for i in range(300)))
    problems = Workspace(Config(root=kb.root)).check().problems
    assert len(problems) == 51
    assert str(problems[-1]).startswith("a.md:53: 10250 more problems in this file not "
                                        "shown (300 errors, 9950 warnings)")
    assert problems[-1].is_error
