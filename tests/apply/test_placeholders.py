"""No ``kbsync://`` placeholder ever reaches a request body, however the plan came to be.

A link whose target will have no URL (a tampered parse cache hid a broken link from
validation, a hand-edited plan file) refuses the plan before its first write; a link to
an article created later in the same run is sent as ``#`` and completed afterwards.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest

from kbsync.apply.executor import Executor, refuse_placeholders
from kbsync.config import Secret
from kbsync.emulator.app import EmulatorApp
from kbsync.errors import KbsyncError
from kbsync.local.tree import git_blob_sha1
from kbsync.model import Lock
from kbsync.plan.links import placeholder
from kbsync.plan.model import Action, Change
from kbsync.remote.client import HelpCenterClient
from tests.apply import test_executor
from tests.apply.test_executor import TOKEN, _create, _plan
from tests.engine import conftest as engine
from tests.engine.conftest import KB

app, client = test_executor.app, test_executor.client
kb, small_kb = engine.kb, engine.small_kb

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _bodies_sent(app: EmulatorApp) -> list[str]:
    return [a["content_html"] for a in app.store.list_articles(limit=100)[1]]


def test_refuse_placeholders_names_the_file_and_the_link() -> None:
    change = Change("article", "g/a.md", Action.UPDATE, "a", "A")
    refuse_placeholders(change, {"content_html": "<p>fine</p>", "position": 3})
    with pytest.raises(KbsyncError, match=r"g/a\.md links to missing\.md.*"
                                          r"kbsync://article/missing\.md"):
        refuse_placeholders(change, {"content_html": f'<a href="{placeholder("missing.md")}">'})


def test_a_link_nothing_will_resolve_refuses_the_plan_before_any_write(
        app: EmulatorApp, client: HelpCenterClient) -> None:
    html = f'<p><a href="{placeholder("nowhere.md")}">x</a></p>'
    first = _create("article", "a.md", "a")
    linking = _create("article", "b.md", "b", content_html=html, content="x")
    result = Executor(client, Lock(), lambda current: None).run(_plan(first, linking))
    assert result.failed == linking and "nowhere.md" in str(result.error)
    assert result.done == [] and [c.key for c in result.not_done] == ["a.md"]
    assert [r for r in app.requests() if r["method"] in WRITES] == []


class BodyRecorder:
    """WSGI middleware in front of the emulator: keeps every request body it passes on."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.bodies: list[str] = []

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        data = environ["wsgi.input"].read(size) if size else b""
        self.bodies.append(data.decode())
        environ["wsgi.input"] = io.BytesIO(data)
        return self.app(environ, start)


def test_a_forward_link_is_never_sent_as_a_placeholder(app: EmulatorApp) -> None:
    recorder = BodyRecorder(app)
    html = (f'<p><a href="{placeholder("b.md")}#top">b</a> '
            f'<a href="{placeholder("b.md")}">c</a></p>')
    linking = _create("article", "a.md", "a", content_html=html, content="b c")
    transport = httpx.WSGITransport(app=recorder)  # type: ignore[arg-type]
    with httpx.Client(transport=transport, base_url="http://e.test") as http:
        client = HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                  requests_per_minute=0, sleep=lambda s: None)
        assert Executor(client, Lock(), lambda current: None).run(
            _plan(linking, _create("article", "b.md", "b"))).ok
    posts = [body for body in recorder.bodies if body]
    assert len(posts) == 3  # a (links as "#"), b, then a's links filled
    assert all("kbsync://" not in body for body in posts)
    assert '<a href=\\"#top\\">b</a> <a href=\\"#\\">c</a>' in posts[0]
    assert all("kbsync://" not in body for body in _bodies_sent(app))



def test_a_tampered_parse_cache_cannot_publish_a_placeholder(small_kb: KB) -> None:
    assert small_kb.apply().code == 0
    text = "---\ntitle: Invoices\n---\n\nSee [the old page](gone.md).\n"
    small_kb.write("billing/invoices.md", text)
    assert "gone.md: no such file" in small_kb.plan().err  # validation catches it ...
    cache_path = small_kb.root / ".kbsync" / "cache" / "parsed.json"
    cache = json.loads(cache_path.read_text())
    cache["entries"][git_blob_sha1(text.encode())] = {"l": [], "a": []}  # ... unless it lies
    cache_path.write_text(json.dumps(cache))
    small_kb.reset_log()
    outcome = small_kb.apply()
    assert outcome.code == 1, outcome
    assert "billing/invoices.md links to billing/gone.md" in outcome.err  # the plan's check
    assert small_kb.writes() == []
    assert all("kbsync://" not in a.fields.content_html for a in small_kb.remote_articles())


def test_a_hand_edited_plan_file_cannot_publish_a_placeholder(small_kb: KB) -> None:
    assert small_kb.apply().code == 0
    small_kb.article("billing/invoices.md", "Invoices v2", "Body.")
    planfile = small_kb.root / "p.json"
    assert small_kb.plan(out=planfile).code == 2
    data = json.loads(planfile.read_text())
    data["changes"][0]["fields"].append(
        {"field": "content_html", "before": "", "after": f'<a href="{placeholder("x.md")}">x</a>'})
    planfile.write_text(json.dumps(data))
    small_kb.reset_log()
    outcome = small_kb.apply(planfile=planfile)
    assert outcome.code == 1 and "billing/invoices.md links to x.md" in outcome.err
    assert small_kb.writes() == []


def test_a_kbsync_link_written_in_markdown_is_a_validation_error(small_kb: KB) -> None:
    small_kb.article("billing/invoices.md", "Invoices", "See [x](kbsync://article/guides/01-start.md).")
    outcome = small_kb.plan()
    assert outcome.code == 1 and "kbsync:// is kbsync's internal placeholder" in outcome.err
    assert small_kb.requests() == []


def _public_url(kb: KB, slug: str) -> str:
    return next(a.url for a in kb.remote_articles() if a.fields.slug == slug)


def test_a_link_to_an_article_moved_in_the_same_run_gets_its_new_url(small_kb: KB) -> None:
    """The link's target is written by the plan (moved): its step gives the URL. The
    lock still has the old path until then, which once made apply refuse the plan."""
    assert small_kb.apply().code == 0
    (small_kb.root / "billing/invoices.md").rename(small_kb.root / "guides/invoices.md")
    small_kb.article("guides/01-start.md", "Start here", "Read [billing](invoices.md).")
    assert "refuse" not in small_kb.plan().out
    outcome = small_kb.apply()
    assert outcome.code == 0, outcome.err
    start = next(a for a in small_kb.remote_articles() if a.fields.slug == "start")
    assert f'href="{_public_url(small_kb, "invoices")}"' in start.fields.content_html
    assert small_kb.plan().code == 0


def test_links_into_a_renamed_collection_get_the_new_urls(small_kb: KB) -> None:
    """Renaming a collection's slug changes its articles' URLs without writing them:
    they are in the Help Center, so their URLs are read once the rename is done."""
    assert small_kb.apply().code == 0
    small_kb.write("billing/_collection.yaml", "name: Billing\nslug: money\n")
    assert "refuse" not in small_kb.plan().out
    outcome = small_kb.apply()
    assert outcome.code == 0, outcome.err
    start = next(a for a in small_kb.remote_articles() if a.fields.slug == "start")
    url = _public_url(small_kb, "invoices")
    assert "/money/" in url and f'href="{url}"' in start.fields.content_html
    assert all("kbsync://" not in a.fields.content_html for a in small_kb.remote_articles())
