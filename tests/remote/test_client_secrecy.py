"""The token never shows: not in a repr, an exception, a log line or captured output."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

import pytest

from kbsync.errors import KbsyncError
from kbsync.model import ArticleFields, CollectionFields
from kbsync.remote.client import HelpCenterClient

from .conftest import TOKEN, Remote, fake_client, wsgi_json

WRONG = "wr0ng-t0ken-value"


def texts_of(error: BaseException) -> list[str]:
    """Everything an error could print: str, repr, traceback, and its whole chain."""
    texts = ["".join(traceback.format_exception(error))]
    seen: BaseException | None = error
    while seen is not None:
        texts += [str(seen), repr(seen), repr(seen.args)]
        seen = seen.__cause__ or seen.__context__
    return texts


def failures(remote: Remote) -> list[Callable[[], object]]:
    """One call for every way a request can fail."""
    client = remote.client(max_retries=1)
    app = remote.app

    def faulted(kind: str, call: Callable[[HelpCenterClient], object]) -> Callable[[], object]:
        def run() -> object:
            app.set_faults(1.0, kinds=[kind])
            try:
                return call(client)
            finally:
                app.set_faults(0.0)
        return run

    home = client.create_collection(CollectionFields(name="Home", slug="home"))
    client.create_article(ArticleFields(title="A", slug="a", collection_id=home.id))
    return [
        lambda: client.create_article(ArticleFields(title="", slug="Bad")),  # 400
        lambda: remote.client(token=WRONG).organization(),  # 401
        lambda: remote.client(organization_id=9).organization(),  # 403
        lambda: client.get_article(404),  # 404
        lambda: client.delete_collection(home.id),  # 409
        faulted("500", lambda c: c.get_portal()),
        faulted("429", lambda c: c.get_portal()),
        faulted("drop", lambda c: c.get_portal()),
        faulted("drop", lambda c: c.create_article(ArticleFields(title="B", slug="b"))),
        faulted("commit_then_500", lambda c: c.create_article(ArticleFields(title="C",
                                                                            slug="c"))),
    ]


def test_no_failure_shows_the_token(remote: Remote, caplog: pytest.LogCaptureFixture,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    captured: list[str] = []
    for call in failures(remote):
        with pytest.raises(KbsyncError) as caught:
            call()
        captured += texts_of(caught.value)
    out = capsys.readouterr()
    everything = "\n".join([*captured, caplog.text, out.out, out.err])
    assert len(caplog.records) > 10  # the client and httpx did log at DEBUG
    assert TOKEN not in everything
    assert WRONG not in everything


def test_successful_calls_log_no_token(remote: Remote, caplog: pytest.LogCaptureFixture,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    client = remote.client()
    client.organization()
    client.create_article(ArticleFields(title="A", slug="a"))
    client.list_articles()
    out = capsys.readouterr()
    assert "GET /organizations/1/ -> 200" in caplog.text
    assert TOKEN not in caplog.text + out.out + out.err + repr(client)


def test_a_server_that_echoes_the_token_is_scrubbed() -> None:
    echo = wsgi_json(404, {"detail": f"no such token {TOKEN}"})
    with pytest.raises(KbsyncError) as caught:
        fake_client(echo).get_json("/anything/")
    assert TOKEN not in "\n".join(texts_of(caught.value))

    echo_400 = wsgi_json(400, {"token": [f"{TOKEN} is odd"]})
    with pytest.raises(KbsyncError) as caught:
        fake_client(echo_400).create_article(ArticleFields(title="A", slug="a"))
    assert str(caught.value).startswith("article 'a': rejected by the Help Center: token: ****")
