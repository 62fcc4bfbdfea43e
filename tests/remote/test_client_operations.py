"""Every client operation against the emulator, in-process and over HTTP."""

from __future__ import annotations

import pytest

from kbsync.errors import NotFoundError
from kbsync.model import ArticleFields, CollectionFields, PortalSettings
from kbsync.remote.client import HelpCenterClient

from .conftest import ORG, TOKEN, MakeRemote, Remote


def article(slug: str, **fields: object) -> ArticleFields:
    values: dict[str, object] = {"title": slug.replace("-", " ").title(), "slug": slug}
    values.update(fields)
    return ArticleFields(**values)  # type: ignore[arg-type]


def test_organization_is_the_tenant(client: HelpCenterClient) -> None:
    org = client.organization()
    assert (org.id, org.public_id, org.name) == (ORG, "emulated", "Emulated Help Center")


def test_every_request_carries_the_token_and_a_trailing_slash(remote: Remote) -> None:
    seen: list[tuple[str, str, int | None]] = []
    client = remote.client(on_request=lambda method, path, status, _: seen.append(
        (method, path, status)))
    client.organization()
    client.get_portal()
    assert seen == [("GET", f"/organizations/{ORG}/", 200),
                    ("GET", f"/organizations/{ORG}/portal/", 200)]
    assert all(entry["path"].endswith("/") for entry in remote.app.requests())
    assert client.request_count == 2


def test_a_client_without_token_is_refused(remote: Remote) -> None:
    with pytest.raises(Exception, match="token rejected"):
        remote.client(token=None).organization()


def test_portal_get_put_patch(client: HelpCenterClient) -> None:
    assert client.get_portal().settings.name == "Help Center"
    settings = PortalSettings(name="Acme Help", custom_domain="help.acme.com",
                              meta_description="All about Acme", allow_robots=False,
                              primary_color="#112233")
    assert client.put_portal(settings).settings == settings
    patched = client.patch_portal({"meta_description": None, "is_active": False})
    assert patched.settings.meta_description is None
    assert patched.settings.is_active is False
    assert patched.settings.name == "Acme Help"


def test_collection_lifecycle(client: HelpCenterClient) -> None:
    top = client.create_collection(CollectionFields(name="Getting started",
                                                    slug="getting-started"))
    child = client.create_collection(CollectionFields(name="Install", slug="install",
                                                      parent_id=top.id, position=2))
    assert client.get_collection(child.id).fields.parent_id == top.id
    updated = client.update_collection(child.id, CollectionFields(
        name="Installing", slug="installing", description="How to", parent_id=top.id))
    assert (updated.fields.name, updated.fields.description) == ("Installing", "How to")
    assert client.patch_collection(child.id, {"position": 7}).fields.position == 7
    assert [c.fields.slug for c in client.list_collections(parent_id=top.id)] == ["installing"]
    assert {c.fields.slug for c in client.list_collections()} == {"getting-started",
                                                                  "installing"}
    assert client.find_collection_by_slug("installing") == client.get_collection(child.id)
    assert client.find_collection_by_slug("nope") is None
    client.delete_collection(child.id)
    with pytest.raises(NotFoundError):
        client.get_collection(child.id)


def test_collection_tree_in_one_request(remote: Remote) -> None:
    client = remote.client()
    top = client.create_collection(CollectionFields(name="Top", slug="top"))
    mid = client.create_collection(CollectionFields(name="Mid", slug="mid", parent_id=top.id))
    client.create_collection(CollectionFields(name="Leaf", slug="leaf", parent_id=mid.id))
    client.create_article(article("in-top", collection_id=top.id))
    before = client.request_count
    tree = client.collection_tree()
    assert client.request_count == before + 1
    assert [c.fields.slug for c in tree] == ["top"]
    assert tree[0].article_count == 1
    assert [c.fields.slug for c in tree[0].children] == ["mid"]
    assert [c.fields.slug for c in tree[0].children[0].children] == ["leaf"]


def test_article_lifecycle(client: HelpCenterClient) -> None:
    home = client.create_collection(CollectionFields(name="Home", slug="home"))
    created = client.create_article(article(
        "welcome", excerpt="Hi", status="published", collection_id=home.id,
        content="Welcome text", content_html="<p>Welcome text</p>"))
    assert created.fields.slug == "welcome"
    assert created.url is not None and created.url.endswith(f"/home/welcome-{created.id}")
    assert created.published_at is not None
    assert client.get_article(created.id) == created
    replaced = client.update_article(created.id, article("welcome", title="Welcome!",
                                                         collection_id=home.id))
    assert (replaced.fields.title, replaced.fields.status) == ("Welcome!", "draft")
    assert client.patch_article(created.id, {"excerpt": "New"}).fields.excerpt == "New"
    client.delete_article(created.id)
    with pytest.raises(NotFoundError):
        client.get_article(created.id)


def test_list_articles_filters(client: HelpCenterClient) -> None:
    home = client.create_collection(CollectionFields(name="Home", slug="home"))
    client.create_article(article("a", collection_id=home.id, status="published"))
    client.create_article(article("b", collection_id=home.id))
    client.create_article(article("c", status="published"))
    assert {a.fields.slug for a in client.list_articles()} == {"a", "b", "c"}
    assert {a.fields.slug for a in client.list_articles(collection_id=home.id)} == {"a", "b"}
    assert {a.fields.slug for a in client.list_articles(status="published")} == {"a", "c"}
    assert [a.fields.slug for a in client.iter_articles(home.id, "draft")] == ["b"]


def test_find_article_by_slug(client: HelpCenterClient) -> None:
    home = client.create_collection(CollectionFields(name="Home", slug="home"))
    made = client.create_article(article("needle", collection_id=home.id))
    client.create_article(article("hay"))
    assert client.find_article_by_slug("needle") == made
    assert client.find_article_by_slug("needle", collection_id=home.id) == made
    assert client.find_article_by_slug("missing") is None


def test_search_articles_best_first_and_limited(client: HelpCenterClient) -> None:
    client.create_article(article("reset-password", title="Reset your password",
                                  status="published", content="Forgot it? Reset it."))
    client.create_article(article("billing", title="Billing", status="published",
                                  content="Invoices; to change a password see settings."))
    client.create_article(article("draft-password", title="Password draft"))
    hits = client.search_articles("password")
    assert [h.article.fields.slug for h in hits] == ["reset-password", "billing"]
    assert hits[0].score > hits[1].score
    assert len(client.search_articles("password", limit=1)) == 1
    drafts = client.search_articles("password", status="draft")
    assert [h.article.fields.slug for h in drafts] == ["draft-password"]
    assert client.search_articles("password", limit=0) == []


TICKETS = [
    {"id": 1, "subject": "Old", "created_at": "2024-01-01T10:00:00Z"},
    {"id": 2, "subject": "Spam", "created_at": "2024-02-01T10:00:00Z", "is_spam": True},
    {"id": 3, "subject": "New", "created_at": "2024-03-01T10:00:00Z",
     "description": "short", "description_html": "<p>longer html</p>", "tags": ["x"]},
]


def test_tickets_newest_first_without_spam(make_remote: MakeRemote) -> None:
    client = make_remote(tickets=TICKETS).client()
    tickets = client.list_tickets()
    assert [t.subject for t in tickets] == ["New", "Old"]
    assert tickets[0].description_html == "<p>longer html</p>"
    assert tickets[0].tags == ("x",)


def test_tickets_filters_spam_and_limit(make_remote: MakeRemote) -> None:
    client = make_remote(tickets=TICKETS).client()
    assert [t.id for t in client.list_tickets(include_spam=True)] == [3, 2, 1]
    assert [t.id for t in client.list_tickets(include_spam=True, limit=2)] == [3, 2]
    assert [t.id for t in client.list_tickets(created_after="2024-01-15T00:00:00Z")] == [3]
    assert [t.id for t in client.list_tickets(created_before="2024-02-15T00:00:00Z")] == [1]
    assert client.list_tickets(limit=0) == []


def test_options_answers_field_metadata(client: HelpCenterClient) -> None:
    meta = client.options(f"/organizations/{ORG}/portal/articles/")
    assert meta is not None
    assert meta["actions"]["POST"]["title"]["required"] is True


def test_options_not_answered_is_none(client: HelpCenterClient) -> None:
    assert client.options(f"/organizations/{ORG}/no-such-endpoint/") is None


def test_get_json_is_a_raw_read(client: HelpCenterClient) -> None:
    page = client.get_json(f"/organizations/{ORG}/portal/articles/", {"page_size": "1"})
    assert page == {"count": 0, "next": None, "previous": None, "results": []}


def test_repr_shows_no_token(client: HelpCenterClient) -> None:
    assert TOKEN not in repr(client)
    assert "****" in repr(client)
