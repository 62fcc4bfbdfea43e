"""The rules of kbsync.validate, as `kbsync validate` reports them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from kbsync.commands.validate import run
from kbsync.config import AssetSettings, Config, ContentSettings
from kbsync.engine import Workspace
from kbsync.local.bulk import parse_meta
from kbsync.local.tree import read_tree
from kbsync.markdown.render import renderer_for
from kbsync.problems import Problem
from kbsync.validate import check_tree

ASSETS = "https://raw.example/kb/"


class KB:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str = "# Title\n") -> KB:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return self

    def config(self, **content: object) -> Config:
        assets = AssetSettings(base_url=content.pop("assets_base_url", None))  # type: ignore[arg-type]
        return Config(root=self.root, content=ContentSettings(**content),  # type: ignore[arg-type]
                      assets=assets)

    def validate(self, *, strict: bool = False, **content: object) -> tuple[int, list[str]]:
        found: list[Problem] = []
        code = run(self.config(**content), strict=strict, emit=found.append)
        return code, [str(p) for p in found]

    def messages(self, **content: object) -> list[str]:
        return self.validate(**content)[1]


@pytest.fixture
def kb(tmp_path: Path) -> KB:
    return KB(tmp_path)


def fm(**fields: object) -> str:
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\nBody\n"


def test_clean_tree_passes(kb: KB) -> None:
    kb.write("a/one.md").write("a/two.md", "# Two\n\n## Step\n\n[one](one.md) [s](#step)\n")
    assert kb.validate() == (0, [])


def test_a_link_to_an_article_the_walk_read_is_not_looked_up_on_disk_again(kb: KB) -> None:
    kb.write("a.md", "# A\n\n[b](b.md)\n").write("b.md")
    tree = read_tree(kb.root, ContentSettings())
    parsed = {a.key: parse_meta(renderer_for(), a.body, a.body_line) for a in tree.articles}
    (kb.root / "b.md").unlink()  # gone since the walk: the check goes by what was read
    assert check_tree(tree, parsed) == []


def test_invalid_yaml(kb: KB) -> None:
    kb.write("a.md", "---\ntitle: 'open\n---\n")
    assert kb.messages() == ["a.md:2: invalid YAML: the quote opened on this line is never "
                             "closed (while scanning a quoted scalar)"]


@pytest.mark.parametrize(("front", "line"), [
    ("title: T\nexcerpt: [a, b\nstatus: draft\n", 3),  # a bracket never closed
    ("title: T\nexcerpt\nstatus: draft\n", 3),  # a key without its colon
    ("title: T\n  bad: x\nstatus: draft\n", 3),  # found where it is
])
def test_a_yaml_error_points_at_the_line_that_holds_it(kb: KB, front: str, line: int) -> None:
    kb.write("a.md", f"---\n{front}---\nBody\n")
    assert kb.messages()[0].startswith(f"a.md:{line}: invalid YAML")


def test_front_matter_not_a_mapping(kb: KB) -> None:
    kb.write("a.md", "---\njust text\n---\n# T\n")
    assert kb.messages() == ["a.md:2: front matter must be a mapping of keys to values, "
                             "got 'just text' (write one 'key: value' per line)"]


def test_missing_title(kb: KB) -> None:
    kb.write("a.md", fm(slug="a"))
    assert kb.messages() == ["a.md:1: title: missing title (add title: to the front matter "
                             "or start the body with a '# Title' line)"]


def test_title_too_long_and_not_text(kb: KB) -> None:
    kb.write("a.md", fm(title="x" * 256)).write("b.md", fm(title=1984))
    assert kb.messages() == [
        "a.md:2: title: is 256 characters long, the limit is 255 (shorten it)",
        "b.md:2: title: must be text, got 1984 (quote it: title: \"1984\")"]


def test_bad_status(kb: KB) -> None:
    kb.write("getting-started/welcome.md", fm(slug="w", title="T", status="live"))
    assert kb.messages() == ["getting-started/welcome.md:4: status: must be draft or published,"
                             " got 'live' (draft hides the article from readers, published"
                             " shows it)"]


def test_bad_slug_suggests_the_slugified_form(kb: KB) -> None:
    kb.write("a.md", fm(title="T", slug="My Page"))
    assert kb.messages() == ["a.md:3: slug: 'My Page' is not a valid slug (a-z, 0-9 and single"
                             " dashes) (use 'my-page')"]


def test_file_name_without_a_usable_slug(kb: KB) -> None:
    kb.write("日本.md")
    assert kb.messages() == ["日本.md: slug: cannot make a slug from the name '日本' (set slug:"
                             " in the front matter, e.g. slug: my-article)"]


def test_duplicate_article_slugs_name_both_files(kb: KB) -> None:
    kb.write("a/01-intro.md").write("b/intro.md", fm(title="T", slug="intro"))
    assert kb.messages() == ["b/intro.md:3: slug: slug 'intro' is already used by a/01-intro.md"
                             " (slugs are unique in the Help Center; set another)"]


def test_duplicate_collection_slugs(kb: KB) -> None:
    kb.write("01-faq/a.md").write("faq/b.md", fm(title="T", slug="b"))
    assert kb.messages() == ["faq: slug: slug 'faq' is already used by the collection 01-faq"
                             " (slugs are unique in the Help Center; set another)"]


def test_depth_over_three(kb: KB) -> None:
    kb.write("a/b/c/d/e/x.md")
    assert kb.messages() == ["a/b/c/d: collection is 4 levels deep, the limit is 3 (move this"
                             " folder up a level)"]


def test_link_to_a_missing_file_suggests_a_close_one(kb: KB) -> None:
    kb.write("a/x.md", "# X\n\nsee [w](../install/windowz.md)\n").write("install/windows.md")
    assert kb.messages() == ["a/x.md:3: broken link: ../install/windowz.md: no such file"
                             " (did you mean ../install/windows.md?)"]


def test_link_to_a_missing_anchor(kb: KB) -> None:
    kb.write("a.md", "# A\n[o](b.md#nope)\n[s](#stepp)\n\n## Step\n").write("b.md")
    assert kb.messages() == [
        "a.md:2: broken link: b.md#nope: no heading or anchor 'nope' in b.md"
        " (b.md has no headings or anchors)",
        "a.md:3: broken link: #stepp: no heading or anchor 'stepp' in this file"
        " (did you mean #step?)"]


def test_link_outside_the_root_to_a_folder_and_to_an_ignored_file(kb: KB) -> None:
    kb.write("a.md", "# A\n[o](../x.md) [f](sub/) [r](README.md)\n")
    kb.write("sub/b.md").write("README.md")
    assert kb.messages() == [
        "a.md:2: broken link: ../x.md points outside the knowledge base"
        " (keep linked files inside the knowledge-base folder)",
        "a.md:2: broken link: sub/ is a folder (link to an article in it)",
        "a.md:2: broken link: README.md is not an article of the knowledge base"
        " (it is hidden, matched by .kbsyncignore, or the root README.md)"]


def test_excerpt_and_description_too_long(kb: KB) -> None:
    kb.write("c/a.md", fm(title="T", excerpt="e" * 501))
    kb.write("c/_collection.yaml", f"description: {'d' * 1001}\n")
    assert kb.messages() == [
        "c/_collection.yaml:1: description: is 1001 characters long, the limit is 1000"
        " (shorten it)",
        "c/a.md:3: excerpt: is 501 characters long, the limit is 500 (shorten it)"]


def test_position_must_be_a_non_negative_integer(kb: KB) -> None:
    kb.write("a.md", fm(title="T", position=-1)).write("b.md", fm(title="T", position=1.5))
    assert kb.messages() == [
        "a.md:3: position: must be a whole number >= 0, got -1"
        " (positions order siblings, lowest first)",
        "b.md:3: position: must be a whole number >= 0, got 1.5"
        " (positions order siblings, lowest first)"]


def test_a_local_image_needs_somewhere_to_be_published(kb: KB) -> None:
    kb.write("a.md", "# A\n![i](img/a.png)\n").write("img/a.png", "png")
    assert kb.messages() == [
        "a.md:2: local image img/a.png has nowhere to be published (initdesk has no upload "
        "endpoint; under [assets] set publish (an S3-compatible store kbsync uploads to) and "
        "public_url, or base_url (where the repository's files are served, e.g. its raw "
        "URL))"]
    assert kb.messages(assets_base_url=ASSETS) == []


def test_missing_image_is_an_error_even_with_assets_base_url(kb: KB) -> None:
    kb.write("a.md", "# A\n![i](img/nope.png)\n")
    assert kb.messages(assets_base_url=ASSETS) == [
        "a.md:2: broken image: img/nope.png: no such file (paths are relative to this file)"]


def test_unknown_key_is_a_warning_and_an_error_under_strict(kb: KB) -> None:
    kb.write("a.md", fm(title="T", titel="x"))
    warning = "a.md:3: titel: warning: unknown key (did you mean 'title'?)"
    assert kb.validate() == (0, [warning])
    assert kb.validate(strict=True) == (1, [warning.replace("warning: ", "")])


def test_extra_keys_pass_and_collection_unknown_keys_warn(kb: KB) -> None:
    kb.write("c/a.md", fm(title="T", owner="me"))
    kb.write("c/_collection.yaml", "nmae: C\nowner: me\n")
    assert kb.messages(extra_keys=("owner",)) == [
        "c/_collection.yaml:1: nmae: warning: unknown key (did you mean 'name'?)"]


def test_unreadable_file_is_a_problem(kb: KB) -> None:
    (kb.root / "a.md").write_bytes(b"\x80")
    assert kb.validate() == (1, ["a.md: cannot read: not UTF-8 text (byte 0x80 at offset 0)"
                                 " (save the file as UTF-8)"])


def test_checking_parses_each_article_once_for_the_renderer(kb: KB) -> None:
    kb.write("a.md").write("b/c.md")
    checked = Workspace(kb.config()).check()
    assert checked.problems == ()
    assert sorted(checked.parsed) == ["a.md", "b/c.md"]


def test_conflict_markers_left_by_pull_are_an_error(kb: KB) -> None:
    kb.write("g/a.md", "---\ntitle: A\n---\n\nText.\n\n"
                       "<<<<<<< local\nMine\n=======\nTheirs\n>>>>>>> remote\n")
    assert kb.validate() == (1, [
        "g/a.md:7: unresolved merge conflict marker "
        "(keep the lines you want, delete the markers, then apply; to show a conflict in "
        "a code block, write the block as <pre><code> HTML with &lt; for a line's first <)"])


def test_a_conflict_shown_in_html_with_entities_is_accepted(kb: KB) -> None:
    kb.write("g/a.md", "---\ntitle: A\n---\n\n<pre><code>&lt;&lt;&lt;&lt;&lt;&lt;&lt; HEAD\n"
                       "Mine\n=======\nTheirs\n&gt;&gt;&gt;&gt;&gt;&gt;&gt; topic\n</code></pre>\n")
    assert kb.validate() == (0, [])


def test_a_position_two_siblings_write_is_a_warning(kb: KB) -> None:
    kb.write("g/a.md", "---\ntitle: A\nposition: 2\n---\nx\n")
    kb.write("g/b.md", "---\ntitle: B\nposition: 2\n---\nx\n")
    assert kb.validate() == (0, [
        f"g/{me}.md:3: position: warning: position 2 is also the position of g/{other}.md "
        "(initdesk then orders them by creation; give each its own)"
        for me, other in (("a", "b"), ("b", "a"))])


def test_a_written_position_equal_to_an_earlier_siblings_place_by_name_is_a_warning(
        kb: KB) -> None:
    kb.write("g/a.md", "---\ntitle: A\n---\nx\n")  # position 0 by name
    kb.write("g/b.md", "---\ntitle: B\nposition: 0\n---\nx\n")
    assert kb.validate() == (0, [
        "g/b.md:3: position: warning: position 0 is also the position of g/a.md "
        "(initdesk then orders them by creation; give each its own)"])


def test_a_written_position_equal_to_a_later_siblings_place_by_name_is_fine(
        kb: KB) -> None:
    """What init --from-remote writes: b.md keeps its place by name (1) after a.md, which
    pins 1; plan numbers b.md after it, so nothing is left to creation order."""
    kb.write("g/a.md", "---\ntitle: A\nposition: 1\n---\nx\n")
    kb.write("g/b.md", "---\ntitle: B\n---\nx\n")  # position 1 by name
    assert kb.validate() == (0, [])


def test_portal_and_coverage_files_are_checked_as_plan_checks_them(kb: KB) -> None:
    kb.write("a/one.md")
    kb.write("portal.yaml", "name: Help\nprimary_color: red\n")
    kb.write("coverage.yaml", "questions:\n  - q: How?\n    expect: nope\n  - expect: one\n")
    code, messages = kb.validate()
    assert code == 1
    assert "portal.yaml:2: primary_color: must be a colour like \"#0E7C66\", got 'red'" in messages
    assert any(m.startswith("coverage.yaml:4: q: missing") for m in messages), messages
    kb.write("coverage.yaml", "questions:\n  - q: How?\n    expect: nope\n")
    assert any(m.startswith("coverage.yaml:3: expect: warning: expects 'nope'")
               for m in kb.validate()[1])


def test_a_published_article_linking_to_a_draft_is_a_warning(kb: KB) -> None:
    kb.write("a/draft.md", fm(title="Soon", status="draft"))
    kb.write("a/live.md", "---\ntitle: Live\n---\n\nSee [soon](draft.md) and [me](live.md).\n")
    kb.write("a/other-draft.md", "---\ntitle: D2\nstatus: draft\n---\n\n[soon](draft.md)\n")
    assert kb.validate() == (0, [
        "a/live.md:5: warning: links to the draft article a/draft.md (readers cannot open a "
        "draft: publish it (status: published) or remove the link)"])
    assert kb.validate(strict=True)[0] == 1


def test_a_question_mark_or_hash_in_a_file_name_must_be_percent_encoded(kb: KB) -> None:
    kb.write("why?/a.md").write("hash#tag/b.md", "# B\n\n## Step\n")
    kb.write("c.md", "# C\n[w](why?/a.md) [h](hash#tag/b.md)\n[ok](why%3F/a.md) "
             "[ok](hash%23tag/b.md#step)\n")
    assert kb.messages() == [
        "c.md:2: broken link: why?/a.md: no such file (a ? or # in a file name is written %3F"
        " or %23 in a link: why%3F/a.md)",
        "c.md:2: broken link: hash#tag/b.md: no such file (a ? or # in a file name is written"
        " %3F or %23 in a link: hash%23tag/b.md)"]


def test_links_find_articles_in_either_unicode_form_but_images_need_the_exact_name(
        kb: KB) -> None:
    nfd = unicodedata.normalize("NFD", "über")
    kb.write(f"{nfd}/a.md", "# A\n\n## Größe\n").write(f"{nfd}/bild.png", "png")
    kb.write("c.md", "# C\n[a](über/a.md#größe) ![b](über/bild.png)\n")
    assert kb.messages(assets_base_url=ASSETS) == [
        "c.md:2: broken image: über/bild.png: no such file (did you mean "
        f"{nfd}/bild.png? (the same name in another Unicode form: a file's URL must spell its"
        " name exactly))"]


def test_anchors_count_explicit_ids_and_raw_html_ids_as_written(kb: KB) -> None:
    kb.write("b.md", '# B\n\n## Minors {#Junior-accounts}\n\n<a name="old"></a>\n\n'
             '<div id="box">\n\nx\n\n</div>\n')
    kb.write("a.md", "# A\n[m](b.md#Junior-accounts) [o](b.md#old) [x](b.md#box)\n"
             "[bad](b.md#junior-accounts)\n")
    assert kb.messages() == [
        "a.md:3: broken link: b.md#junior-accounts: no heading or anchor 'junior-accounts' in"
        " b.md (did you mean #Junior-accounts?)"]


def test_a_link_to_a_draft_in_the_other_unicode_form_is_a_warning_too(kb: KB) -> None:
    kb.write("g/caf\u00e9.md", "---\ntitle: Cafe\nstatus: draft\n---\nx\n")
    kb.write("g/a.md", "---\ntitle: A\n---\n\n[c](cafe\u0301.md)\n")
    assert kb.validate() == (0, [
        "g/a.md:5: warning: links to the draft article g/caf\u00e9.md (readers cannot open a "
        "draft: publish it (status: published) or remove the link)"])


# -- the Markdown dialect: heading ids, nesting ---------------------------------------------

MIGRATED = "# Setup\n\n## Use the IDE (legacy)\n\n## What's new?\n"


def test_links_follow_the_heading_id_scheme(kb: KB) -> None:
    kb.write("a.md", MIGRATED).write(
        "b.md", "# B\n\n[x](a.md#use-the-ide-(legacy)) [y](a.md#what's-new%3F)\n")
    assert kb.validate(heading_ids="markdown-it-anchor") == (0, [])


def test_validate_says_once_which_scheme_the_broken_anchors_fit(kb: KB) -> None:
    kb.write("a.md", MIGRATED).write(
        "b.md", "# B\n\n[x](a.md#use-the-ide-(legacy)) [y](a.md#what's-new%3F) [z](a.md#nope)\n")
    messages = kb.messages()
    assert messages[-1] == ('kbsync.toml: content.heading_ids: warning: 2 of 3 broken anchors '
                            'resolve with heading_ids = "markdown-it-anchor" (set heading_ids = '
                            '"markdown-it-anchor" under [content] if the links were written '
                            "for it)")
    assert len(messages) == 4


def test_nesting_deeper_than_rendered_is_refused_with_its_line(kb: KB) -> None:
    deep = "".join(f"{'  ' * level}- level {level}\n" for level in range(60))
    kb.write("a.md", "# A\n\n" + deep)
    code, messages = kb.validate()
    assert (code, messages) == (1, [
        "a.md:52: nested deeper than kbsync renders (lists 49 levels, quotes 99): the text "
        "inside would not be shown (flatten the lists or quotes that start here)"])


def test_an_image_without_alt_text_is_a_warning(kb: KB) -> None:
    kb.write("a.md", "# A\n\n![](img/a.png) ![ ](img/a.png) ![Shown](img/a.png)\n")
    kb.write("img/a.png", "png")
    hint = ("(say what it shows in the brackets, ![like this](...): screen readers read it "
            "out, and it shows when the image does not load)")
    assert kb.messages(assets_base_url=ASSETS) == [
        f"a.md:3: warning: image img/a.png has no alt text {hint}"] * 2


def test_an_image_over_max_bytes_is_a_warning(kb: KB, tmp_path: Path) -> None:
    kb.write("a.md", "# A\n\n![Big](big.png) ![Small](small.png)\n")
    (tmp_path / "big.png").write_bytes(b"x" * 2_500_000)
    (tmp_path / "small.png").write_bytes(b"x" * 2_000_000)
    assert kb.messages(assets_base_url=ASSETS) == [
        "a.md:3: warning: image big.png is 2.5 MB, more than [assets] max_bytes (2.0 MB) "
        "(readers load it on every visit: save it smaller (PNG for screenshots, JPEG or "
        "WebP for photos), or raise max_bytes)"]


def test_a_link_to_a_file_that_is_neither_image_nor_document_is_a_warning(kb: KB) -> None:
    kb.write("a.md", "# A\n\n[script](tools/setup.sh) [guide](guide.pdf)\n")
    kb.write("tools/setup.sh", "#!/bin/sh\n").write("guide.pdf", "%PDF")
    assert kb.messages(assets_base_url=ASSETS) == [
        "a.md:3: warning: links to tools/setup.sh: not an image or a document, so it is "
        "neither published nor served by the preview (readers would get a broken link; link "
        "to an image, a PDF or an office document (or put the file's content in the "
        "article))"]


def test_validate_unused_lists_the_files_no_article_links_to(kb: KB) -> None:
    kb.write("g/a.md", "# A\n\n![Used](../img/used.png)\n").write("img/used.png", "png")
    kb.write("img/old.png", "png").write("docs/old.pdf", "%PDF").write("notes.sh", "x")
    kb.write(".git/x.png", "png").write("ignored/x.png", "png")
    kb.write(".kbsyncignore", "ignored/\n")
    found: list[Problem] = []
    run(kb.config(assets_base_url=ASSETS), strict=False, emit=found.append, unused=True)
    hint = "(delete it, or link to it from the article it belongs to)"
    assert [str(p) for p in found] == [
        f"docs/old.pdf: warning: not linked from any article {hint}",
        f"img/old.png: warning: not linked from any article {hint}"]
    assert kb.messages(assets_base_url=ASSETS) == []  # only when asked
