"""apply.executor: a hand-made plan run against the in-process emulator.

The executor runs whatever plan it is handed: step by step, the lock saved after each,
ambiguous creates looked up before a retry, links filled once their targets exist.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kbsync.apply.executor import Executor
from kbsync.config import Secret
from kbsync.emulator.app import EmulatorApp, EmulatorConfig, create_app
from kbsync.model import Lock, RemoteRef
from kbsync.plan.links import placeholder
from kbsync.plan.model import Action, Change, FieldChange, Plan
from kbsync.remote.client import HelpCenterClient

TOKEN = "tok-executor-5ecret"


@pytest.fixture
def app() -> Iterator[EmulatorApp]:
    emulator = create_app(EmulatorConfig(token=TOKEN))
    yield emulator
    emulator.close()


@pytest.fixture
def client(app: EmulatorApp) -> Iterator[HelpCenterClient]:
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e.test") as http:
        yield HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                               requests_per_minute=0, sleep=lambda s: None)


def _create(kind: str, key: str, slug: str, parent: str | None = None,
            **fields: object) -> Change:
    values = ({"name": slug.title(), "slug": slug, "description": None, "parent_id": None,
               "position": 0} if kind == "collection" else
              {"title": slug.title(), "slug": slug, "excerpt": None, "status": "published",
               "collection_id": None, "position": 0, "content_html": f"<p>{slug}</p>",
               "content": slug})
    values.update(fields)
    return Change(kind, key, Action.CREATE, slug, slug.title(), parent_key=parent,  # type: ignore[arg-type]
                  fields=tuple(FieldChange(k, None, v) for k, v in values.items()))


def _plan(*changes: Change) -> Plan:
    return Plan(RemoteRef("http://e.test", 1), changes)


def test_a_plan_runs_in_order_and_the_lock_is_saved_after_every_step(
        client: HelpCenterClient) -> None:
    saves: list[int] = []
    lock = Lock()
    executor = Executor(client, lock, lambda current: saves.append(len(current.articles)
                                                                   + len(current.collections)))
    result = executor.run(_plan(_create("collection", "g", "guides"),
                                _create("article", "g/a.md", "a", parent="g")))
    assert result.ok and [c.key for c in result.done] == ["g", "g/a.md"]
    assert saves == [1, 2]
    article = client.find_article_by_slug("a")
    assert article is not None
    assert article.fields.collection_id == lock.collections["guides"].id
    assert lock.articles["a"].path == "g/a.md"


def test_a_link_to_an_article_created_later_in_the_run_gets_its_url(
        client: HelpCenterClient) -> None:
    html = f'<p><a href="{placeholder("b.md")}#top">b</a></p>'
    linking = _create("article", "a.md", "a", content_html=html, content="b")
    executor = Executor(client, Lock(), lambda current: None)
    assert executor.run(_plan(linking, _create("article", "b.md", "b"))).ok
    target = client.find_article_by_slug("b")
    source = client.find_article_by_slug("a")
    assert target is not None and source is not None
    assert f'href="{target.url}#top"' in source.fields.content_html


class _Counted:
    """ApplyHooks that keep what the progress would show."""

    def __init__(self) -> None:
        self.total = 0
        self.done: list[str] = []

    def started(self, total: int) -> None:
        self.total = total

    def step_done(self, change: Change, note: str) -> None:
        self.done.append(change.key)


def test_progress_counts_a_link_pass_only_when_there_is_one(client: HelpCenterClient) -> None:
    alone, linked = _Counted(), _Counted()
    Executor(client, Lock(), lambda current: None, alone).run(_plan(_create("article", "a.md",
                                                                            "a")))
    html = f'<p><a href="{placeholder("c.md")}">c</a></p>'
    Executor(client, Lock(), lambda current: None, linked).run(_plan(
        _create("article", "b.md", "b", content_html=html), _create("article", "c.md", "c")))
    assert (alone.total, alone.done) == (1, ["a.md"])
    assert (linked.total, linked.done) == (3, ["b.md", "c.md", "links to new articles"])


def test_an_ambiguous_create_is_looked_up_and_never_duplicated(
        app: EmulatorApp, client: HelpCenterClient) -> None:
    app.set_faults(1.0, seed=1, kinds=["commit_then_500"])
    executor = Executor(client, Lock(), lambda current: None)
    change = _create("article", "a.md", "a")
    result = executor.run(_plan(change))
    app.set_faults(0.0)
    assert result.ok, result.error
    assert [a.fields.slug for a in client.list_articles()] == ["a"]


def test_a_stop_request_is_honoured_between_steps(client: HelpCenterClient) -> None:
    executor = Executor(client, Lock(), lambda current: None, should_stop=lambda: True)
    result = executor.run(_plan(_create("article", "a.md", "a")))
    assert result.interrupted and [c.key for c in result.not_done] == ["a.md"]
    assert client.list_articles() == []


def test_a_failing_step_is_reported_with_what_was_not_done(client: HelpCenterClient) -> None:
    executor = Executor(client, Lock(), lambda current: None)
    bad = _create("article", "b.md", "Not A Slug")
    result = executor.run(_plan(_create("article", "a.md", "a"), bad,
                                _create("article", "c.md", "c")))
    assert result.failed == bad and "slug" in str(result.error)
    assert [c.key for c in result.done] == ["a.md"]
    assert [c.key for c in result.not_done] == ["c.md"]
