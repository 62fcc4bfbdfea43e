"""Files written for remote items read back as those items, and templates keep their style."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbsync.config import ContentSettings
from kbsync.local.tree import LocalArticle, read_tree
from kbsync.model import ArticleFields, CollectionFields, PortalSettings
from kbsync.portal_file import read_portal
from kbsync.pull.writer import (
    article_text,
    collection_text,
    pin_collection_position,
    pin_position,
    portal_text,
    split_article,
)
from kbsync.pull.yaml_lines import YamlLines

FIELDS = ArticleFields(title="Refunds: how & when", slug="refunds", excerpt="Money back",
                       status="published", position=0)


def read_back(tmp_path: Path, name: str, text: str) -> LocalArticle:
    (tmp_path / name).write_text(text, encoding="utf-8")
    tree = read_tree(tmp_path, ContentSettings())
    assert not [p for p in tree.problems if p.is_error], tree.problems
    return tree.articles[0]


@pytest.mark.parametrize("fields", [
    FIELDS,
    ArticleFields(title="2024", slug="x-1", excerpt=None, status="draft", position=7),
    ArticleFields(title="مرحبا بالعالم 👋", slug="hello", status="published", position=3),
    ArticleFields(title="yes", slug="on", excerpt="- not a list: really #", position=0),
    ArticleFields(title="'quoted' \"both\"", slug="q", excerpt="line\\n", position=0),
    ArticleFields(title="   ", slug="spaces", excerpt=" \u00a0", position=0),
    ArticleFields(title="\u00a0Padded\u00a0", slug="nbsp", excerpt="tab\t", position=0),
    ArticleFields(title=" it's ", slug="quote", excerpt="two\nlines ", position=0),
])
def test_a_new_file_reads_back_as_the_remote_fields(tmp_path: Path, fields: ArticleFields) -> None:
    text = article_text(fields, name="refunds.md", pinned=fields.position != 0,
                        body="Body *text*.\n")
    article = read_back(tmp_path, "refunds.md", text)
    got = (article.title, article.slug, article.excerpt, article.status, article.position)
    assert got == (fields.title, fields.slug, fields.excerpt, fields.status, fields.position)
    assert article.body.strip() == "Body *text*."


def test_a_title_with_space_at_an_end_is_quoted_to_keep_it() -> None:
    fields = ArticleFields(title="\u00a0Padded ", slug="refunds", position=0)
    text = article_text(fields, name="refunds.md", pinned=False, body="B\n")
    assert text.startswith("---\ntitle: '\u00a0Padded '\n")


def test_slug_and_position_are_written_only_when_the_name_and_the_order_need_them() -> None:
    text = article_text(FIELDS, name="refunds.md", pinned=False, body="B\n")
    assert text == ("---\ntitle: 'Refunds: how & when'\nexcerpt: Money back\n"
                    "status: published\n---\n\nB\n")
    other = article_text(FIELDS, name="01-money.md", pinned=True, body="B\n")
    assert "slug: refunds\n" in other and "position: 0\n" in other


def test_a_template_keeps_comments_own_keys_and_untouched_values() -> None:
    template = ("---\n# owned by support\ntitle: \"Old\"\nowner: ana   # team\n"
                "excerpt: Money back\n---\n\nBody.\n")
    text = article_text(FIELDS, name="refunds.md", pinned=False, body=None, template=template)
    assert text == ("---\n# owned by support\ntitle: 'Refunds: how & when'\nowner: ana   # team\n"
                    "excerpt: Money back\n---\n\nBody.\n")


def test_an_unchanged_template_comes_back_byte_for_byte() -> None:
    template = "---\ntitle:   \"Refunds: how & when\"\n---\nBody.\n"
    fields = ArticleFields(title="Refunds: how & when", slug="refunds", status="published")
    assert article_text(fields, name="refunds.md", pinned=False, body=None,
                        template=template) == template
    plain = "---\ntitle: Refunds\nstatus: published\n---\n\nBody.\n"
    fields = ArticleFields(title="Refunds", slug="refunds", status="published")
    assert article_text(fields, name="refunds.md", pinned=False, body=None, template=plain) == plain


def test_an_h1_title_stays_an_h1_while_it_matches(tmp_path: Path) -> None:
    template = "# Refunds\n\nOld body.\n"
    fields = ArticleFields(title="Refunds", slug="refunds", status="published")
    assert article_text(fields, name="refunds.md", pinned=False, body=None,
                        template=template) == template
    text = article_text(fields, name="refunds.md", pinned=False, body="New body.\n",
                        template=template)
    assert text == "# Refunds\n\nNew body.\n"
    renamed = ArticleFields(title="Money back", slug="refunds", status="published")
    text = article_text(renamed, name="refunds.md", pinned=False, body=None, template=template)
    assert text == "---\ntitle: Money back\n---\n\nOld body.\n"
    assert read_back(tmp_path, "refunds.md", text).title == "Money back"


def test_dropped_excerpt_and_a_new_position_edit_only_their_lines() -> None:
    template = "---\ntitle: Refunds\nexcerpt: Old\nowner: ana\n---\n\nBody.\n"
    fields = ArticleFields(title="Refunds", slug="refunds", status="published", position=4)
    text = article_text(fields, name="refunds.md", pinned=True, body=None, template=template)
    assert text == "---\ntitle: Refunds\nposition: 4\nowner: ana\n---\n\nBody.\n"


def test_split_article_finds_the_h1_only_without_a_front_matter_title() -> None:
    assert split_article("---\ntitle: T\n---\n# H\n").h1 is None
    parts = split_article("---\nstatus: draft\n---\n\n# H\n\nText\n")
    assert parts.h1 == "H" and parts.tree_body == "Text\n"


def test_collection_text_reads_back(tmp_path: Path) -> None:
    fields = CollectionFields(name="Billing & plans", slug="billing", description="Money",
                              position=3)
    (tmp_path / "money").mkdir()
    (tmp_path / "money" / "_collection.yaml").write_text(
        collection_text(fields, name="money", pinned=True))
    (tmp_path / "money" / "a.md").write_text("# A\n")
    got = read_tree(tmp_path, ContentSettings()).collections[0]
    assert (got.name, got.slug, got.description, got.position) == (
        "Billing & plans", "billing", "Money", 3)


def test_collection_text_edits_a_template_in_place() -> None:
    template = "name: Billing  # shown in the menu\nposition: 1\n"
    fields = CollectionFields(name="Billing", slug="billing", position=2)
    assert collection_text(fields, name="billing", pinned=False,
                           template=template) == "name: Billing  # shown in the menu\nposition: 2\n"


def test_portal_text_reads_back_and_keeps_unmanaged_keys_out(tmp_path: Path) -> None:
    settings = PortalSettings(name="Help: us", custom_domain=None, primary_color="#0E7C66")
    (tmp_path / "portal.yaml").write_text(portal_text(settings))
    data, problems = read_portal(tmp_path)
    assert problems == [] and data is not None
    assert data["name"] == "Help: us" and data["primary_color"] == "#0E7C66"
    assert data["custom_domain"] is None
    partial = "# ours\nprimary_color: '#000000'\n"
    assert portal_text(settings, partial) == "# ours\nprimary_color: '#0E7C66'\n"


@pytest.mark.parametrize("fields", [
    FIELDS,
    ArticleFields(title="2024", slug="x-1", excerpt="a\nmulti-line: excerpt\n\n#not",
                  status="draft", position=7),
    ArticleFields(title="  spaced  ", slug="refunds", excerpt="", status="published", position=0),
])
@pytest.mark.parametrize("pinned", [False, True])
def test_a_new_file_has_the_entries_set_one_by_one_would_give(fields: ArticleFields,
                                                              pinned: bool) -> None:
    # A new file's front matter is written in one go; it must be what editing an empty
    # mapping key by key (the way a template is edited) writes.
    meta = YamlLines("")
    order = ("title", "slug", "excerpt", "status", "position")
    for key, keep in (("title", True), ("slug", fields.slug != "refunds"),
                      ("excerpt", bool(fields.excerpt)), ("status", True),
                      ("position", pinned)):
        if keep:
            meta.set(key, getattr(fields, key), after=order[: order.index(key)])
    text = article_text(fields, name="refunds.md", pinned=pinned, body="B\n")
    assert text == f"---\n{meta.text()}---\n\nB\n"
    folder = CollectionFields(name=fields.title, slug=fields.slug, description=fields.excerpt,
                              position=fields.position)
    meta = YamlLines("")
    order = ("name", "slug", "description", "position")
    for key, value, keep in (("name", folder.name, True),
                             ("slug", folder.slug, folder.slug != "refunds"),
                             ("description", folder.description, bool(folder.description)),
                             ("position", folder.position, pinned)):
        if keep:
            meta.set(key, value, after=order[: order.index(key)])
    assert collection_text(folder, name="refunds", pinned=pinned) == meta.text()


def test_a_pinned_position_goes_after_the_keys_before_it_in_the_written_order() -> None:
    assert pin_position("---\ntitle: A\nowner: me\n---\nBody\n", 3) == \
        "---\ntitle: A\nposition: 3\nowner: me\n---\nBody\n"
    assert pin_position("Body\n", 2) == "---\nposition: 2\n---\n\nBody\n"


def test_a_collection_position_is_pinned_unless_the_yaml_cannot_be_edited() -> None:
    assert pin_collection_position("name: Guides\nicon: book\n", 4) == \
        "name: Guides\nposition: 4\nicon: book\n"
    assert pin_collection_position("name: [unclosed\n", 4) is None
