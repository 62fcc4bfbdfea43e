"""HTTP failures become kbsync errors whose messages name the object and say what to do."""

from __future__ import annotations

import pytest

from kbsync.errors import (
    AuthError,
    ConflictError,
    ContractError,
    ForbiddenError,
    NotFoundError,
    RejectedError,
    RemoteError,
)
from kbsync.model import ArticleFields, CollectionFields
from kbsync.remote.client import HelpCenterClient

from .conftest import Remote, fake_client, wsgi_json


def test_400_lists_the_field_messages(client: HelpCenterClient) -> None:
    with pytest.raises(RejectedError) as caught:
        client.create_article(ArticleFields(title="", slug="Not A Slug"))
    error = caught.value
    assert str(error) == (
        "article 'Not A Slug': rejected by the Help Center: title: This field may not be "
        'blank.; slug: Enter a valid slug: lowercase letters, digits and single hyphens, '
        'e.g. "getting-started". (fix these fields and retry)'
    )
    assert set(error.fields) == {"title", "slug"}
    assert error.status == 400


def test_400_on_update_names_id_and_slug(client: HelpCenterClient) -> None:
    made = client.create_article(ArticleFields(title="A", slug="a"))
    client.create_article(ArticleFields(title="B", slug="b"))
    with pytest.raises(RejectedError) as caught:
        client.update_article(made.id, ArticleFields(title="A", slug="b"))
    assert str(caught.value) == (
        f"article {made.id} ('b'): rejected by the Help Center: slug: An article with this "
        "slug already exists. (fix these fields and retry)"
    )


def test_401_says_check_the_token(remote: Remote) -> None:
    with pytest.raises(AuthError) as caught:
        remote.client(token="wrong").get_portal()
    assert str(caught.value) == (
        "token rejected: check INITDESK_TOKEN (401 from GET /organizations/1/portal/)"
    )
    assert caught.value.status == 401


def test_403_says_check_the_organization(remote: Remote) -> None:
    with pytest.raises(ForbiddenError) as caught:
        remote.client(organization_id=2).organization()
    assert str(caught.value) == (
        "forbidden: the token is not allowed for organization 2 (403 from GET "
        "/organizations/2/); a token is scoped to one organization: check organization_id "
        "in kbsync.toml (or INITDESK_ORG_ID / --org), and that the token is active"
    )


def test_404_names_the_object(client: HelpCenterClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get_article(42)
    assert str(caught.value) == (
        "article 42 not found (404 from GET /organizations/1/portal/articles/42/); it may "
        "have been deleted in initdesk: run `kbsync plan` to see the current state"
    )


def test_409_carries_the_server_detail(client: HelpCenterClient) -> None:
    home = client.create_collection(CollectionFields(name="Home", slug="home"))
    client.create_article(ArticleFields(title="A", slug="a", collection_id=home.id))
    with pytest.raises(ConflictError) as caught:
        client.delete_collection(home.id)
    assert str(caught.value) == (
        f"collection {home.id}: conflict (409 from DELETE /organizations/1/portal/collections/"
        f"{home.id}/): Collection {home.id} is not empty (0 child collection(s), 1 "
        "article(s)); move or delete them first."
    )


def test_another_status_is_a_remote_error() -> None:
    client = fake_client(wsgi_json(418, {"detail": "I brew tea"}))
    with pytest.raises(RemoteError) as caught:
        client.get_article(3)
    assert type(caught.value) is RemoteError
    assert str(caught.value) == (
        "article 3: unexpected HTTP 418 from GET /organizations/1/portal/articles/3/: "
        "I brew tea"
    )
    assert caught.value.status == 418


def test_an_answer_that_is_not_json_is_a_contract_error() -> None:
    client = fake_client(wsgi_json(200, None, raw=b"<html>login</html>"))
    with pytest.raises(ContractError) as caught:
        client.get_portal()
    assert str(caught.value) == (
        "portal: the answer to GET /organizations/1/portal/ is not JSON (HTTP 200, "
        "text/html); check base_url points at the initdesk API"
    )


def test_404_of_an_endpoint_points_at_doctor(client: HelpCenterClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get_json("/organizations/1/portal/nothing/")
    assert str(caught.value) == (
        "GET /organizations/1/portal/nothing/ not found (404 from GET "
        "/organizations/1/portal/nothing/); this endpoint may not exist on this tenant: run "
        "`kbsync doctor` to compare it with the contract"
    )


def test_a_redirect_is_not_followed() -> None:
    moved = wsgi_json(301, {}, {"Location": "https://user:pw@api.example.com/organizations/1/"})
    client = fake_client(moved)
    with pytest.raises(RemoteError) as caught:
        client.organization()
    assert str(caught.value) == (
        "organization 1: GET /organizations/1/ was redirected (301) to "
        "https://api.example.com/organizations/1/; not followed, so the token stays put: set "
        "base_url to the final address (https? trailing slash?)"
    )
    assert client.request_count == 1
