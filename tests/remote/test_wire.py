"""remote.wire: reading is liberal, writing is strict, shapes the contract forbids fail."""

from __future__ import annotations

import pytest

from kbsync.errors import ContractError
from kbsync.model import ArticleFields, CollectionFields, PortalSettings
from kbsync.remote import wire

ARTICLE = {"id": 7, "title": "Refunds", "slug": "refunds", "status": "published",
           "content_html": "<p>x</p>", "content": "x", "collection_id": None, "position": 2,
           "url": "https://help.example/refunds-7", "updated_at": "2026-01-01T00:00:00Z",
           "surprise": {"ignored": True}}


def test_an_article_reads_with_unknown_fields_ignored_and_nulls_defaulted() -> None:
    article = wire.article_from_wire({**ARTICLE, "excerpt": "", "content": None})
    assert (article.id, article.fields.slug, article.fields.excerpt, article.fields.content,
            article.fields.position) == (7, "refunds", None, "", 2)


@pytest.mark.parametrize(("change", "message"), [
    ({"id": "7"}, "field 'id' should be int, got str"),
    ({"slug": None}, "field 'slug' should be str, got NoneType"),
    ({"status": "archived"}, "field 'status' has unknown value 'archived'"),
    ({"position": True}, "field 'position' should be int, got bool"),
])
def test_a_field_of_the_wrong_shape_is_a_contract_error(change: dict[str, object],
                                                        message: str) -> None:
    with pytest.raises(ContractError, match=message):
        wire.article_from_wire({**ARTICLE, **change})


def test_a_missing_required_field_is_named() -> None:
    data = dict(ARTICLE)
    del data["title"]
    with pytest.raises(ContractError, match="field 'title' is missing"):
        wire.article_from_wire(data)


def test_pages_bare_arrays_and_nothing_else() -> None:
    assert wire.page_from_wire([1, 2], "articles") == ([1, 2], None)
    page = {"count": 3, "next": "https://x/?page=2", "previous": None, "results": [1]}
    assert wire.page_from_wire(page, "articles") == ([1], "https://x/?page=2")
    assert wire.page_from_wire({**page, "next": ""}, "articles") == ([1], None)
    with pytest.raises(ContractError, match="expected a page"):
        wire.page_from_wire({"items": []}, "articles")


def test_errors_of_any_shape_are_read() -> None:
    assert wire.error_from_wire({"detail": "Not found."}) == ("Not found.", {})
    assert wire.error_from_wire({"slug": ["taken"], "position": 3}) == (
        None, {"slug": ["taken"], "position": ["3"]})
    assert wire.error_from_wire(["a", "b"]) == (None, {"non_field_errors": ["a", "b"]})
    assert wire.error_from_wire("<html>oops</html>") == ("<html>oops</html>", {})


def test_writes_carry_only_writable_fields() -> None:
    body = wire.ARTICLE.body(ArticleFields(title="T", slug="t"))
    assert set(body) == {"title", "slug", "excerpt", "status", "collection_id", "position",
                         "content_html", "content"}
    assert wire.COLLECTION.body({"position": 3}) == {"position": 3}
    with pytest.raises(ValueError, match="article: not writable fields: url"):
        wire.ARTICLE.body({"url": "x"})
    assert wire.COLLECTION.body(CollectionFields(name="N", slug="n"))["parent_id"] is None


def test_a_field_spelled_otherwise_on_the_wire_is_renamed_both_ways() -> None:
    spelled = wire.Resource("things", "thing", "/organizations/{org}/things/", (
        wire.WireField("id", "integer", writable=False),
        wire.WireField("heading", "string", writable=True, attr="title"),
        wire.WireField("slug", "string", writable=True)))
    assert spelled.body({"title": "T", "slug": "t"}) == {"heading": "T", "slug": "t"}
    assert wire._read(spelled, {"id": 1, "heading": "T", "slug": "t"}, "thing 1",
                      ArticleFields) == [{"title": "T", "slug": "t"}]


def test_every_path_is_built_from_its_table_and_ends_with_a_slash() -> None:
    paths = [resource.at(1) for resource in wire.RESOURCES]
    paths += [wire.COLLECTION.at(1, 2), wire.ARTICLE.at(1, 2)]
    assert all(path.startswith("/organizations/1/") and path.endswith("/") for path in paths)
    assert wire.COLLECTION_TREE.at(1) == "/organizations/1/portal/collections/tree/"
    assert wire.ARTICLE.at(1, 2) == "/organizations/1/portal/articles/2/"


def test_lists_ask_for_full_pages() -> None:
    assert wire.list_params(collection_id=None, status="draft") == {
        "page_size": "100", "status": "draft"}


def test_a_portal_answer_that_leaves_settings_out_reads_as_the_models_defaults() -> None:
    portal = wire.portal_from_wire({"id": 1, "name": "Help"})
    assert portal.settings == PortalSettings(name="Help")


def test_missing_or_null_reads_as_the_models_default() -> None:
    portal = wire.portal_from_wire({"name": "Help", "allow_robots": None})
    assert portal.settings == PortalSettings(name="Help") and portal.id == 0
    ticket = wire.ticket_from_wire({"id": 3, "subject": None, "tags": None, "public_id": "T-3"})
    assert (ticket.subject, ticket.tags, ticket.public_id) == ("", (), "T-3")
    assert wire.organization_from_wire({"id": 1, "public_id": 42}).public_id == "42"
    assert wire.search_hit_from_wire({**ARTICLE, "score": 2}).score == 2.0
