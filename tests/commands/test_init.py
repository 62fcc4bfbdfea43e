"""`kbsync init --from-remote DIR`: a Help Center made in the web editor becomes files,
and the first plan is a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.config import ContentSettings
from kbsync.local.bulk import parse_meta
from kbsync.local.parse_cache import ParseCache
from kbsync.local.tree import read_tree
from kbsync.markdown import renderer_for
from kbsync.model import ArticleFields, CollectionFields
from tests.engine.conftest import TOKEN
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb = pull_kb.pkb

WEB_HTML = [
    '<p>Welcome to <b>Parcelly</b>!&nbsp;Start <a href="{url}">here</a>.</p>',
    "<div><h2>Steps</h2><ol><li>Open <strong>Settings</strong></li><li>Pick a plan<ul>"
    "<li>Monthly</li><li>Yearly</li></ul></li></ol></div><p>Line one<br>line two</p>",
    '<table><tr><td>Plan</td><td>Price</td></tr><tr><td>Pro</td><td>$9</td></tr></table>'
    '<p><img src="https://cdn.example/box.png" alt="A box" width="200"></p>',
    "<pre><code class=\"language-bash\">curl -X POST /labels\n</code></pre>"
    "<blockquote><p>Tip: <i>press</i> <kbd>Ctrl</kbd>+<kbd>P</kbd></p></blockquote>",
]


@pytest.fixture
def web_help_center(pkb: PullKB) -> PullKB:
    """Collections and articles as the web editor makes them, positions out of name order."""
    start = pkb.create_collection(CollectionFields(name="Getting started", slug="start",
                                                   position=3))
    deep = pkb.create_collection(CollectionFields(name="Deep dives", slug="deep",
                                                  description="For experts", parent_id=start,
                                                  position=0))
    pkb.create_collection(CollectionFields(name="Empty one", slug="empty", position=1))
    first = pkb.create_remote(ArticleFields(
        title="Zebra: the first article", slug="zebra", excerpt="Read me first",
        status="published", collection_id=start, position=0, content_html="<p>Hi</p>",
        content="Hi"))
    with pkb.connect(pkb.config()) as client:
        url = client.get_article(first).url
    for index, html in enumerate(WEB_HTML):
        pkb.create_remote(ArticleFields(
            title=f"Web article {index}", slug=f"web-{index}", status="draft" if index else
            "published", collection_id=deep if index % 2 else start, position=9 - index,
            content_html=html.format(url=url), content="x"))
    pkb.create_remote(ArticleFields(title="Plain only", slug="plain", status="published",
                                    content_html="<p>x</p>",
                                    content="A longer plain-text body\nwith two lines."))
    with pkb.connect(pkb.config()) as client:
        client.patch_portal({"name": "Parcelly Help", "primary_color": "#0E7C66"})
    return pkb


def test_init_then_plan_is_a_no_op(web_help_center: PullKB, tmp_path: Path) -> None:
    target = tmp_path / "imported"
    outcome = web_help_center.init(target)
    assert outcome.code == 0, outcome.err
    assert "warning" not in outcome.err  # the positions it pins are checked, and clean
    copy = PullKB(target, web_help_center.app)
    web_help_center.reset_log()
    plan = copy.plan()
    assert plan.code == 0, plan.out + plan.err
    assert "warning" not in plan.err
    assert "No changes" in plan.out
    assert copy.pull().code == 0 and "Nothing to pull." in copy.pull().err


def test_init_writes_the_tree_settings_and_no_token(web_help_center: PullKB,
                                                   tmp_path: Path) -> None:
    target = tmp_path / "imported"
    assert web_help_center.init(target).code == 0
    assert (target / "start/_collection.yaml").read_text() == (
        "name: Getting started\n")  # after empty/ in initdesk and by name
    assert (target / "start/deep/_collection.yaml").read_text() == (
        "name: Deep dives\ndescription: For experts\n")
    # first in initdesk, last by name: the folder's files are numbered in initdesk's order
    assert (target / "start/01-zebra.md").read_text() == (
        "---\ntitle: 'Zebra: the first article'\nexcerpt: Read me first\nstatus: published\n"
        "---\n\nHi\n")
    assert sorted(p.name for p in (target / "start").glob("*.md")) == [
        "01-zebra.md", "02-web-2.md", "03-web-0.md"]
    assert "Start [here](01-zebra.md)." in (target / "start/03-web-0.md").read_text()
    assert not [p for p in target.rglob("*.md") if "position:" in p.read_text()]
    assert (target / "plain.md").read_text().endswith(
        "A longer plain-text body\\\nwith two lines.\n")
    assert "primary_color: '#0E7C66'" in (target / "portal.yaml").read_text()
    assert (target / ".gitignore").read_text() == ".kbsync/\n.*.tmp\n"
    toml = (target / "kbsync.toml").read_text()
    assert 'base_url = "http://emulator.test"' in toml and "organization_id = 1" in toml
    assert TOKEN not in "".join(p.read_text() for p in target.rglob("*") if p.is_file()
                                and ".kbsync" not in p.parts)
    # an empty collection is a folder with its _collection.yaml (first in initdesk and
    # by name too: no position needed)
    assert (target / "empty/_collection.yaml").read_text() == "name: Empty one\n"


def test_init_refuses_a_folder_that_is_not_empty(pkb: PullKB, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.md").write_text("mine\n")
    pkb.reset_log()
    outcome = pkb.init(target)
    assert outcome.code == 1 and "is not empty (notes.md)" in outcome.err
    assert pkb.requests() == [] and (target / "notes.md").read_text() == "mine\n"


def test_init_accepts_a_fresh_git_repository(pkb: PullKB, tmp_path: Path) -> None:
    target = tmp_path / "repo"
    (target / ".git").mkdir(parents=True)
    pkb.create_remote(ArticleFields(title="One", slug="one", status="published"))
    assert pkb.init(target).code == 0
    assert (target / "one.md").is_file()


def test_init_then_plan_is_a_no_op_for_links_kbsync_could_not_check(
        pkb: PullKB, tmp_path: Path) -> None:
    empty = pkb.create_collection(CollectionFields(name="Later", slug="later"))
    pkb.create_remote(ArticleFields(
        title="Links", slug="links", status="published", content="x",
        content_html='<h2>Steps</h2><p>See <a href="../other/page">other</a>, <a href="guide.md">'
                     'guide</a>, <a href="#nope">nope</a>, <a href="#steps">steps</a> and '
                     '<img src="images/a.png" alt="A">.</p>'))
    target = tmp_path / "imported"
    outcome = pkb.init(target)
    assert outcome.code == 0 and "problem" not in outcome.err, outcome.err
    text = (target / "links.md").read_text()
    assert '<a href="#nope">nope</a>' in text and "[steps](#steps)" in text
    assert (target / "later/_collection.yaml").is_file() and empty
    copy = PullKB(target, pkb.app)
    assert copy.validate_ok()
    plan = copy.plan()
    assert plan.code == 0 and "No changes" in plan.out, plan.out


def test_init_pins_positions_without_warnings(pkb: PullKB, tmp_path: Path) -> None:
    """The example's collections, numbered from 1 in an order that is not the names':
    the pins init writes sit beside siblings that keep their place by name, and that is
    no shared position (it once warned twice on a fresh import)."""
    for name, position in (("account", 5), ("billing", 3), ("getting-started", 1),
                           ("integrations", 4), ("shipping", 2), ("troubleshooting", 6)):
        pkb.create_collection(CollectionFields(name=name.title(), slug=name,
                                               position=position))
    target = tmp_path / "imported"
    outcome = pkb.init(target)
    assert outcome.code == 0, outcome.err
    assert "warning" not in outcome.err, outcome.err
    copy = PullKB(target, pkb.app)
    plan = copy.plan()
    assert "No changes" in plan.out and "warning" not in plan.err, plan.out + plan.err


def test_init_caches_each_body_as_parsing_the_written_file_would(
        web_help_center: PullKB, tmp_path: Path) -> None:
    """init parses each body as it converts it, before the front matter exists; what it
    caches for the first plan must be what parsing the written file gives, line for line."""
    web_help_center.create_remote(ArticleFields(
        title="Many lines", slug="lines", status="published", position=0, content="x",
        content_html='<h2>One</h2><p>First <a href="https://x.example/a">a</a></p><ul><li>'
                     '<a href="#one">up</a></li></ul><p><img src="https://cdn.example/b.png" '
                     'alt="b"></p><p>Line<br><a href="https://x.example/c">c</a></p>'))
    target = tmp_path / "imported"
    assert web_help_center.init(target).code == 0
    renderer = renderer_for()
    cache = ParseCache(target / ".kbsync/cache/parsed.json", renderer.dialect)
    tree = read_tree(target, ContentSettings())
    assert len(tree.articles) == 7
    for article in tree.articles:
        assert cache.get(article.source_hash) == parse_meta(renderer, article.body,
                                                            article.body_line), article.key
    lines_article = next(a for a in tree.articles if a.slug == "lines")
    lines = {link.target: link.line for link in
             cache.get(lines_article.source_hash).links}  # type: ignore[union-attr]
    assert lines["https://x.example/c"] - lines["https://x.example/a"] >= 3


def test_an_article_over_the_size_limit_raises_it_in_the_new_settings(
        pkb: PullKB, tmp_path: Path) -> None:
    big = "<p>" + "Parcels and labels. " * 60_000 + "</p>"  # 1.2 MB
    pkb.create_remote(ArticleFields(title="Huge", slug="huge", status="published",
                                    content_html=big, content="x"))
    pkb.create_remote(ArticleFields(title="Small", slug="small", status="published"))
    target = tmp_path / "imported"
    outcome = pkb.init(target)
    assert outcome.code == 0, outcome.err
    assert ("warning: 1 article bigger than max_article_bytes (1,048,576 bytes): huge.md "
            "(1.1 MiB); kbsync.toml raises the limit to 2,097,152 bytes (2 MiB)") in outcome.err
    assert "max_article_bytes = 2097152\n" in (target / "kbsync.toml").read_text()
    copy = PullKB(target, pkb.app)
    assert copy.validate_ok() and "No changes" in copy.plan().out


HOSTILE = {  # slug: (title, HTML body), as the web editor lets people save them
    "merge-help": ("Resolving merges", "<p>&lt;&lt;&lt;&lt;&lt;&lt;&lt; ours</p><p>mine</p>"
                   "<p>=======</p><p>theirs</p><p>&gt;&gt;&gt;&gt;&gt;&gt;&gt; theirs</p>"),
    "markers-alone": ("Markers", "<p>&lt;&lt;&lt;&lt;&lt;&lt;&lt;</p><p>&gt;&gt;&gt;&gt;&gt;"
                      "&gt;&gt;</p>"),
    "git-merges": ("A conflict, shown", "<p>You will see:</p><pre><code>&lt;&lt;&lt;&lt;&lt;"
                   "&lt;&lt; HEAD\nmine\n\n=======\ntheirs\n&gt;&gt;&gt;&gt;&gt;&gt;&gt; "
                   "topic\n</code></pre>"),
    "blank-title": ("   ", "<p>A title of spaces.</p>"),
    "nbsp-title": ("\u00a0Padded\u00a0", "<p>A title padded with no-break spaces.</p>"),
    "tab-title": ("Tab\tinside ", "<p>x</p>"),
}


def test_hostile_remote_bodies_and_titles_import_as_files_plan_accepts(
        pkb: PullKB, tmp_path: Path) -> None:
    for slug, (title, html) in HOSTILE.items():
        pkb.create_remote(ArticleFields(title=title, slug=slug, status="published",
                                        content_html=html, content="x"))
    target = tmp_path / "imported"
    outcome = pkb.init(target)
    assert outcome.code == 0 and "warning" not in outcome.err, outcome.err
    assert "problem" not in outcome.err, outcome.err
    copy = PullKB(target, pkb.app)
    assert copy.validate_ok()
    plan = copy.plan()
    assert plan.code == 0 and "No changes" in plan.out, plan.out + plan.err
    tree = read_tree(target, ContentSettings())
    assert {a.slug: a.title for a in tree.articles} == {
        slug: title for slug, (title, _html) in HOSTILE.items()}
