"""watch --push-drafts: saved articles go to initdesk as drafts, and nothing else does."""

from __future__ import annotations

import io
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from kbsync.assets.store import open_store
from kbsync.commands import watch as command
from kbsync.config import Secret
from kbsync.console import Console
from kbsync.emulator.app import EmulatorConfig, create_app
from kbsync.errors import ConfigError
from kbsync.model import RemoteRef
from kbsync.preview.drafts import DraftPusher, Pushed
from kbsync.remote.client import HelpCenterClient
from kbsync.runlock import hold_run_lock
from kbsync.session import Connect
from tests.engine.conftest import KB, TOKEN, write_small_kb
from tests.s3_server import S3Server


@contextmanager
def _pusher(kb: KB) -> Iterator[DraftPusher]:
    config = kb.config()
    with kb.connect(config) as client:
        yield DraftPusher(config, client, RemoteRef("http://emulator.test", 1))


@pytest.fixture
def applied(tmp_path: Path) -> Iterator[KB]:
    # A limit far away: the emulator then says nothing of limits, as initdesk does, and a
    # client keeps its own budget (an emulator without one says it has none).
    app = create_app(EmulatorConfig(token=TOKEN, org_id=1, rate_limit=10_000))
    (tmp_path / "kb").mkdir()
    kb = write_small_kb(KB(tmp_path / "kb", app))
    kb.write("kbsync.toml", "[remote]\n")
    assert kb.apply().code == 0
    kb.reset_log()
    yield kb
    app.close()


def _status(kb: KB, slug: str) -> str:
    return next(a.fields.status for a in kb.remote_articles() if a.fields.slug == slug)


def test_a_new_article_goes_as_a_draft_and_the_next_save_updates_it(applied: KB) -> None:
    applied.article("billing/refund-policy.md", "Refund policy", "Money back.")
    with _pusher(applied) as pusher:
        assert pusher.push(["billing/refund-policy.md"]) == [
            Pushed("billing/refund-policy.md", "created")]
        applied.article("billing/refund-policy.md", "Refund policy", "Money back, soon.")
        assert pusher.push(["billing/refund-policy.md"]) == [
            Pushed("billing/refund-policy.md", "updated")]
    assert [m for m, _ in applied.writes()] == ["POST", "PATCH"]
    assert _status(applied, "refund-policy") == "draft"
    outcome = applied.plan()  # the file says published: apply will publish it, no conflict
    assert "conflict" not in outcome.out and '"draft" -> "published"' in outcome.out


def test_a_renamed_draft_is_the_same_article_not_a_second_draft(applied: KB) -> None:
    applied.article("billing/refund-policy.md", "Refund policy", "Money back.")
    with _pusher(applied) as pusher:
        pusher.push(["billing/refund-policy.md"])
        (applied.root / "billing/refund-policy.md").unlink()  # renamed, and edited too
        applied.article("billing/refunds.md", "Refund policy", "Money back, soon.")
        assert pusher.push(["billing/refunds.md"]) == [Pushed("billing/refunds.md", "updated")]
    assert [m for m, _ in applied.writes()] == ["POST", "PATCH"]  # the slug follows the name
    assert _status(applied, "refunds") == "draft"


def test_an_article_published_in_initdesk_is_never_turned_into_a_draft(applied: KB) -> None:
    applied.article("billing/invoices.md", "Invoices", "Edited while writing.")
    with _pusher(applied) as pusher:
        (pushed,) = pusher.push(["billing/invoices.md"])
    assert pushed.action == "refused" and "published in initdesk" in pushed.reason
    assert applied.writes() == [] and _status(applied, "invoices") == "published"


@pytest.mark.parametrize(("path", "text", "reason"), [
    ("new/page.md", "---\ntitle: Page\n---\nx\n", "its collection new is not in initdesk yet"),
    ("billing/broken.md", "---\ntitle: [unclosed\n---\nx\n", "it has errors"),
    ("billing/linking.md", "---\ntitle: L\n---\nSee [new](../new/page.md).\n",
     "it links to an article not in initdesk yet"),
])
def test_what_cannot_be_a_draft_alone_is_refused(applied: KB, path: str, text: str,
                                                 reason: str) -> None:
    applied.write("new/page.md", "---\ntitle: Page\n---\nx\n")
    applied.write(path, text)
    with _pusher(applied) as pusher:
        pushed = {p.key: p for p in pusher.push([path])}
    assert pushed[path].action == "refused" and reason in pushed[path].reason
    assert applied.writes() == []


def test_a_draft_edited_in_initdesk_since_the_sync_is_refused(applied: KB) -> None:
    applied.article("billing/draft.md", "Draft", "v1")
    with _pusher(applied) as pusher:
        pusher.push(["billing/draft.md"])
        with applied.connect(applied.config()) as client:
            found = client.find_article_by_slug("draft")
            assert found is not None
            client.patch_article(found.id, {"title": "Edited in the web UI"})
        applied.reset_log()
        applied.article("billing/draft.md", "Draft", "v2")
        (pushed,) = pusher.push(["billing/draft.md"])
    assert pushed.action == "refused" and "edited in initdesk" in pushed.reason
    assert applied.writes() == []


@contextmanager
def _watching(kb: KB, connect: Connect) -> Iterator[io.StringIO]:
    """``watch --push-drafts`` running on ``kb`` until the block ends; its stderr."""
    err = io.StringIO()
    console = Console(color=False, stdout=io.StringIO(), stderr=err)
    ready: queue.Queue[str] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: command.run(
        kb.config, console, port=0, stop=stop, on_ready=ready.put, push_drafts=True,
        connect=connect, debounce_ms=20))
    thread.start()
    try:
        ready.get(timeout=30)
        yield err
    finally:
        stop.set()
        thread.join(10)


def _wait_for(err: io.StringIO, text: str, count: int = 1, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while err.getvalue().count(text) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return err.getvalue().count(text) >= count


def test_watch_push_drafts_sends_a_saved_article_as_a_draft(applied: KB) -> None:
    with _watching(applied, applied.connect) as err:
        applied.article("guides/while-writing.md", "While writing", "Half done.")
        _wait_for(err, "pushed as a draft")
    assert "pushed as a draft (created): guides/while-writing.md" in err.getvalue()
    assert _status(applied, "while-writing") == "draft"
    assert [m for m, _ in applied.writes()] == ["POST"]


def test_no_draft_is_pushed_while_an_apply_runs_here(applied: KB) -> None:
    applied.article("billing/refund-policy.md", "Refund policy", "Money back.")
    with hold_run_lock(applied.root / ".kbsync", "apply"), _pusher(applied) as pusher:
        (pushed,) = pusher.push(["billing/refund-policy.md"])
    assert pushed.action == "refused" and "another kbsync apply is running here" in pushed.reason
    assert applied.writes() == []


def test_a_lock_made_for_another_help_center_stops_every_push(applied: KB) -> None:
    lock = applied.root / "kbsync.lock"
    lock.write_text(lock.read_text().replace("http://emulator.test", "https://elsewhere.test"))
    applied.article("billing/refund-policy.md", "Refund policy", "Money back.")
    with _pusher(applied) as pusher, pytest.raises(ConfigError, match="another Help Center"):
        pusher.push(["billing/refund-policy.md"])
    assert applied.writes() == []


def test_the_preview_goes_on_updating_while_a_push_waits_for_the_rate_limit(
        applied: KB) -> None:
    # A budget of one request a minute: the push's second request must wait, and that
    # wait (the client's sleep) lasts until the test lets it go.
    released = threading.Event()
    waits: list[float] = []
    now = [time.time()]

    def wait(seconds: float) -> None:
        waits.append(seconds)
        released.wait(30)
        now[0] += seconds  # the client's clock: the minute passes once released

    @contextmanager
    def slow_connect(config: object) -> Iterator[HelpCenterClient]:
        transport = httpx.WSGITransport(app=applied.app)
        with httpx.Client(transport=transport, base_url="http://emulator.test") as http:
            yield HelpCenterClient(http, organization_id=1, token=Secret(TOKEN),
                                   requests_per_minute=1, sleep=wait,
                                   clock=lambda: now[0])

    try:
        with _watching(applied, slow_connect) as err:
            applied.article("guides/first.md", "First draft", "Half done.")
            assert _wait_for(err, "Updated ")
            deadline = time.monotonic() + 20
            while not waits and time.monotonic() < deadline:
                time.sleep(0.05)
            assert waits, "the push never had to wait"
            applied.article("guides/second.md", "Second draft", "Just started.")
            assert _wait_for(err, "Updated ", count=2), err.getvalue()  # while the push waits
            assert "pushed as a draft" not in err.getvalue()
            released.set()
            assert _wait_for(err, "pushed as a draft", count=2), err.getvalue()
    finally:
        released.set()  # a failed assertion must not leave the push waiting
    assert {_status(applied, "first"), _status(applied, "second")} == {"draft"}


def test_a_draft_with_a_new_image_uploads_it_first(applied: KB, s3_env: S3Server) -> None:
    bucket = s3_env.new_bucket("drafts")
    applied.write("kbsync.toml", f'[remote]\n[assets]\npublish = "s3://{bucket}/kb"\n'
                                 f'public_url = "{s3_env.url}/{bucket}/kb"\n')
    (applied.root / "billing/form.png").write_bytes(b"\x89PNG form")
    applied.article("billing/refund-policy.md", "Refund policy", "![The form](form.png)")
    config = applied.config()
    with applied.connect(config) as client:
        pusher = DraftPusher(config, client, RemoteRef("http://emulator.test", 1),
                             store=open_store(f"s3://{bucket}/kb"))
        assert pusher.push(["billing/refund-policy.md"]) == [
            Pushed("billing/refund-policy.md", "created")]
    html = next(a.fields.content_html for a in applied.remote_articles()
                if a.fields.slug == "refund-policy")
    src = html.split('src="', 1)[1].split('"', 1)[0]
    assert src.startswith(f"{s3_env.url}/{bucket}/kb/billing/form.")
    assert httpx.get(src).content == b"\x89PNG form"
