"""The sticky comment's pieces: marker, pull request number, the 65,536-character cut."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbsync.emulator.server import running_server
from kbsync.github.comments import (
    COMMENT_LIMIT,
    CommentError,
    Comments,
    comment_body,
    marker,
    pull_request_number,
)
from kbsync.plan.model import Action, Change, FieldChange, Plan, RemoteRef
from kbsync.render.markdown import render_markdown
from tests.github.github_api import ACTIONS_BOT, GitHubAPI

RUN = "https://github.test/acme/help/actions/runs/1"


def test_one_marker_per_kind_and_folder() -> None:
    assert marker("plan") == marker("plan", ".") == marker("plan", "./") == "<!-- kbsync-plan -->"
    assert marker("plan", "docs/kb/") == "<!-- kbsync-plan:docs/kb -->"
    assert marker("coverage") == "<!-- kbsync-coverage -->"


def test_the_pull_request_comes_from_the_event_payload(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}))
    assert pull_request_number(str(event)) == 12
    event.write_text(json.dumps({"issue": {"number": 5, "pull_request": {"url": "x"}}}))
    assert pull_request_number(str(event)) == 5
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    assert pull_request_number(str(event)) is None
    assert pull_request_number(str(tmp_path / "missing.json")) is None
    assert pull_request_number(None) is None


def test_a_short_plan_is_kept_whole_after_the_marker() -> None:
    body = comment_body("### kbsync plan\n\nNo changes.\n", "<!-- m -->", run_url=RUN)
    assert body == ("<!-- m -->\n### kbsync plan\n\nNo changes.\n\n"
                    f"<sub>[Workflow run]({RUN})</sub>\n")


def big_plan(changes: int) -> str:
    remote = RemoteRef("https://api.initdesk.com", 1)
    items = tuple(
        Change("article", f"guides/article-{i:04}.md", Action.UPDATE, f"a{i}", f"Article {i}",
               remote_id=i, fields=(FieldChange("content_html", "<p>old</p>\n" * 30,
                                                "<p>new</p>\n" * 30),))
        for i in range(changes))
    return render_markdown(Plan(remote, items))


def test_a_long_plan_is_cut_at_the_limit_with_its_blocks_closed_and_a_link() -> None:
    markdown = big_plan(600)
    assert len(markdown) > COMMENT_LIMIT
    body = comment_body(markdown, "<!-- kbsync-plan -->", run_url=RUN)
    assert len(body) <= COMMENT_LIMIT
    assert body.startswith("<!-- kbsync-plan -->\n### kbsync plan")
    assert body.rstrip().endswith(f"the rest is in the [workflow run's summary]({RUN}).")
    fences = [line for line in body.splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0  # every code block closed
    assert body.count("<details>") == body.count("</details>") == 1


def test_the_cut_holds_for_any_limit() -> None:
    markdown = big_plan(40)
    for limit in (2_000, 5_000, 9_999):
        body = comment_body(markdown, "<!-- m -->", run_url=RUN, limit=limit)
        assert len(body) <= limit and "too long for a comment" in body


@pytest.fixture
def api() -> Iterator[tuple[GitHubAPI, str]]:
    github = GitHubAPI(tokens={"t0k": ACTIONS_BOT})
    with running_server(github) as url:
        yield github, url


def test_upsert_creates_then_updates_the_marked_comment(api: tuple[GitHubAPI, str]) -> None:
    github, url = api
    github.add(3, "<!-- kbsync-plan:other --> another folder's plan", user=ACTIONS_BOT)
    comments = Comments.connect(url, "acme/help", "t0k")
    try:
        first = comments.upsert(3, "<!-- kbsync-plan -->\none", "<!-- kbsync-plan -->")
        second = comments.upsert(3, "<!-- kbsync-plan -->\ntwo", "<!-- kbsync-plan -->")
    finally:
        comments.close()
    assert first.created and not second.created and first.comment_id == second.comment_id
    assert [c["body"] for c in github.comments[3]] == [
        "<!-- kbsync-plan:other --> another folder's plan", "<!-- kbsync-plan -->\ntwo"]


def test_a_refused_token_is_a_comment_error_without_the_token(
        api: tuple[GitHubAPI, str]) -> None:
    _, url = api
    comments = Comments.connect(url, "acme/help", "wrong-token-value")
    with pytest.raises(CommentError) as raised:
        comments.upsert(3, "body", "<!-- m -->")
    comments.close()
    message = str(raised.value)
    assert message == ("GET /user answered HTTP 401: Bad credentials (the github-token input "
                       "is not a valid token)")


def test_the_identity_is_the_users_login_or_the_actions_bot(api: tuple[GitHubAPI, str]) -> None:
    github, url = api
    github.tokens["ghp_user"] = "docs-bot"
    for token, login in (("t0k", "github-actions[bot]"), ("ghp_user", "docs-bot")):
        comments = Comments.connect(url, "acme/help", token)
        assert comments.identity() == login
        comments.close()


def test_only_our_own_comment_that_starts_with_the_marker_is_found(
        api: tuple[GitHubAPI, str]) -> None:
    github, url = api
    github.add(3, "<!-- kbsync-plan -->\nspoofed", user="mallory")
    github.add(3, "quoting <!-- kbsync-plan --> in passing", user=ACTIONS_BOT)
    ours = github.add(3, "<!-- kbsync-plan -->\nours", user=ACTIONS_BOT)
    comments = Comments.connect(url, "acme/help", "t0k")
    assert comments.find(3, "<!-- kbsync-plan -->", ACTIONS_BOT) == ours
    assert comments.find(3, "<!-- kbsync-plan -->", "someone-else") is None
    comments.close()
