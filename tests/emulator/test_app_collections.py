"""Collections over HTTP: create rules, hierarchy, tree, delete."""

from __future__ import annotations

import httpx

from .conftest import ARTICLES, COLLECTIONS, create


def test_create_generates_slug_and_position(client: httpx.Client) -> None:
    first = create(client, COLLECTIONS, name="Getting Started")
    second = create(client, COLLECTIONS, name="Getting Started")
    assert (first["slug"], first["position"]) == ("getting-started", 0)
    assert (second["slug"], second["position"]) == ("getting-started-2", 1)
    assert first["parent_id"] is None and first["description"] is None


def test_name_is_required(client: httpx.Client) -> None:
    response = client.post(COLLECTIONS, json={"slug": "x"})
    assert response.status_code == 400
    assert response.json() == {"name": ["This field is required."]}


def test_duplicate_explicit_slug_is_400(client: httpx.Client) -> None:
    create(client, COLLECTIONS, name="A", slug="billing")
    response = client.post(COLLECTIONS, json={"name": "B", "slug": "billing"})
    assert response.status_code == 400
    assert response.json() == {"slug": ["A collection with this slug already exists."]}


def test_bad_slug_pattern_is_400(client: httpx.Client) -> None:
    response = client.post(COLLECTIONS, json={"name": "A", "slug": "Not A Slug"})
    assert response.status_code == 400
    assert list(response.json()) == ["slug"]


def test_missing_parent_is_400(client: httpx.Client) -> None:
    response = client.post(COLLECTIONS, json={"name": "A", "parent_id": 42})
    assert response.json() == {"parent_id": ['Invalid pk "42" - object does not exist.']}


def test_fourth_level_is_400(client: httpx.Client) -> None:
    parent = None
    for level in (1, 2, 3):
        parent = create(client, COLLECTIONS, name=f"level {level}", parent_id=parent)["id"]
    response = client.post(COLLECTIONS, json={"name": "level 4", "parent_id": parent})
    assert response.status_code == 400
    assert response.json() == {"parent_id": ["Collections nest at most 3 levels deep."]}


def test_cycle_is_400(client: httpx.Client) -> None:
    top = create(client, COLLECTIONS, name="top")["id"]
    child = create(client, COLLECTIONS, name="child", parent_id=top)["id"]
    response = client.patch(f"{COLLECTIONS}{top}/", json={"parent_id": child})
    assert response.status_code == 400
    assert list(response.json()) == ["parent_id"]


def test_put_keeps_omitted_optional_fields(client: httpx.Client) -> None:
    made = create(client, COLLECTIONS, name="A", description="about A")
    updated = client.put(f"{COLLECTIONS}{made['id']}/", json={"name": "B"}).json()
    assert (updated["name"], updated["slug"], updated["description"]) == ("B", "a", "about A")
    assert updated["updated_at"] > made["updated_at"]


def test_list_filters_by_parent(client: httpx.Client) -> None:
    top = create(client, COLLECTIONS, name="top")["id"]
    child = create(client, COLLECTIONS, name="child", parent_id=top)["id"]
    ids = [c["id"] for c in client.get(COLLECTIONS, params={"parent_id": top}).json()["results"]]
    roots = client.get(COLLECTIONS, params={"parent_id": "null"}).json()["results"]
    assert ids == [child] and [c["id"] for c in roots] == [top]


def test_tree_nests_orders_and_counts(client: httpx.Client) -> None:
    b = create(client, COLLECTIONS, name="b", position=5)["id"]
    a = create(client, COLLECTIONS, name="a", position=1)["id"]
    child = create(client, COLLECTIONS, name="child", parent_id=b)["id"]
    create(client, ARTICLES, title="t1", collection_id=child)
    create(client, ARTICLES, title="t2", collection_id=child)
    tree = client.get(f"{COLLECTIONS}tree/").json()
    assert [node["id"] for node in tree] == [a, b]
    assert tree[1]["children"][0]["id"] == child
    assert tree[1]["children"][0]["article_count"] == 2
    assert tree[1]["article_count"] == 0 and tree[1]["children"][0]["children"] == []


def test_delete_non_empty_is_409(client: httpx.Client) -> None:
    top = create(client, COLLECTIONS, name="top")["id"]
    create(client, COLLECTIONS, name="child", parent_id=top)
    response = client.delete(f"{COLLECTIONS}{top}/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Collection {top} is not empty (1 child collection(s), 0 article(s)); "
        "move or delete them first."
    }


def test_delete_empty_is_204_then_404(client: httpx.Client) -> None:
    made = create(client, COLLECTIONS, name="gone")["id"]
    response = client.delete(f"{COLLECTIONS}{made}/")
    assert (response.status_code, response.content) == (204, b"")
    assert client.get(f"{COLLECTIONS}{made}/").status_code == 404
