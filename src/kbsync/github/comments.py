"""One sticky pull-request comment: the plan, found again by a hidden marker and updated.

A plan comment that is re-posted on every push buries the conversation; this module
keeps exactly one per knowledge base. It speaks GitHub's REST API for issue comments
(a pull request is an issue there) through httpx:

* ``GET  /user``: who the token writes as (see :meth:`Comments.identity`)
* ``GET  /repos/{owner}/{repo}/issues/{number}/comments`` (paged by ``Link: rel="next"``)
* ``POST /repos/{owner}/{repo}/issues/{number}/comments``
* ``PATCH /repos/{owner}/{repo}/issues/comments/{id}``

The comment updated is one that this token's identity wrote *and* that starts with the
marker: anyone can paste the marker into a comment, and a plan written into a comment
someone else owns (and can edit afterwards) would be a plan they can forge.

The base URL is ``GITHUB_API_URL`` (GitHub Enterprise has its own). A comment holds at
most 65,536 characters; a longer plan is cut at a line, its open code fence and
``<details>`` blocks closed, and a link to the run (whose summary has it all) added.
The token is sent in the ``Authorization`` header and appears in no message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

__all__ = ["ACTIONS_BOT", "COMMENT_LIMIT", "CommentError", "Comments", "Posted", "comment_body",
           "marker", "pull_request_number", "truncate"]

#: GitHub refuses a comment body longer than this many characters.
COMMENT_LIMIT = 65_536
#: The author of what a workflow's GITHUB_TOKEN writes.
ACTIONS_BOT = "github-actions[bot]"
PERMISSION = "pull-requests: write"
API_VERSION = "2022-11-28"
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class CommentError(Exception):
    """The comment could not be read or written (permissions, network, API)."""


@dataclass(frozen=True)
class Posted:
    comment_id: int
    created: bool  # False: an existing comment was updated
    url: str


def marker(kind: str, directory: str = ".") -> str:
    """The hidden line that finds the comment again: one per kind and folder."""
    folder = directory.strip("/")
    suffix = "" if folder in ("", ".") else f":{folder}"
    return f"<!-- kbsync-{kind}{suffix} -->"


def pull_request_number(event_path: str | None) -> int | None:
    """The pull request of the event payload at ``GITHUB_EVENT_PATH``, if it is one."""
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(event, dict):
        return None
    pull = event.get("pull_request")
    if isinstance(pull, dict) and isinstance(pull.get("number"), int):
        return int(pull["number"])
    issue = event.get("issue")  # issue_comment on a pull request
    if isinstance(issue, dict) and issue.get("pull_request") and isinstance(
            issue.get("number"), int):
        return int(issue["number"])
    return None


def comment_body(markdown: str, mark: str, *, run_url: str | None = None,
                 limit: int = COMMENT_LIMIT) -> str:
    """The marker, then the Markdown (cut to ``limit`` with a link to the run)."""
    body = f"{mark}\n{markdown.rstrip()}\n"
    if run_url:
        body += f"\n<sub>[Workflow run]({run_url})</sub>\n"
    if len(body) <= limit:
        return body
    return truncate(body, limit, run_url)


def truncate(body: str, limit: int, run_url: str | None) -> str:
    """``body`` cut at a line so that, with the closing lines and the note, it fits."""
    where = f"the [workflow run's summary]({run_url})" if run_url else "the workflow run's summary"
    note = (f"\n\n**Cut: too long for a comment** ({len(body):,} characters); "
            f"the rest is in {where}.\n")
    blocks = _Blocks()
    kept: list[str] = []
    size = 0
    for line in body.split("\n"):
        after = blocks.copy()
        after.feed(line)
        if size + len(line) + 1 + len(after.closing()) + len(note) > limit:
            break
        blocks = after
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) + blocks.closing() + note


@dataclass
class _Blocks:
    """The code fence and ``<details>`` blocks open after the lines fed so far."""

    fence: str | None = None
    details: int = 0

    def copy(self) -> _Blocks:
        return _Blocks(self.fence, self.details)

    def feed(self, line: str) -> None:
        found = _FENCE.match(line)
        if found:
            mark = found.group(1)
            rest = line.strip()[len(mark):].strip()
            if self.fence is None:
                self.fence = mark
            elif mark[0] == self.fence[0] and len(mark) >= len(self.fence) and not rest:
                self.fence = None
        elif self.fence is None:
            self.details += line.count("<details>") - line.count("</details>")

    def closing(self) -> str:
        return (f"\n{self.fence}" if self.fence else "") + "\n</details>" * max(0, self.details)


class Comments:
    """Issue comments of one repository, through an ``httpx.Client`` the caller owns."""

    def __init__(self, http: httpx.Client, repository: str) -> None:
        self._http = http
        self._repository = repository

    @classmethod
    def connect(cls, api_url: str, repository: str, token: str,
                transport: httpx.BaseTransport | None = None) -> Comments:
        headers = {"Accept": "application/vnd.github+json", "Authorization": f"Bearer {token}",
                   "X-GitHub-Api-Version": API_VERSION, "User-Agent": "kbsync-action"}
        http = httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=30.0,
                            transport=transport)
        return cls(http, repository)

    def close(self) -> None:
        self._http.close()

    def upsert(self, number: int, body: str, mark: str) -> Posted:
        """Update our own comment that starts with ``mark``, or create one."""
        existing = self.find(number, mark, self.identity())
        if existing is None:
            data = self._call("POST", f"/repos/{self._repository}/issues/{number}/comments",
                              {"body": body})
            return Posted(int(data["id"]), True, str(data.get("html_url", "")))
        data = self._call("PATCH", f"/repos/{self._repository}/issues/comments/{existing}",
                          {"body": body})
        return Posted(int(data["id"]), False, str(data.get("html_url", "")))

    def identity(self) -> str:
        """The login this token's comments are written as.

        ``GET /user`` names a user's token (a personal access token). An installation
        token, which is what a workflow's ``GITHUB_TOKEN`` is, has no user: GitHub answers
        403 "Resource not accessible by integration", and its comments are by
        ``github-actions[bot]``. (Another GitHub App's token answers the same but writes
        as ``<app>[bot]``, which no endpoint it may call tells: its comments are then not
        found again, and each run posts a new one rather than edit a stranger's.)
        """
        response = self._send("GET", "/user", None, refused_ok=True)
        if response.status_code == 403:
            return ACTIONS_BOT
        data = _json(response, "GET", "/user")
        login = data.get("login") if isinstance(data, dict) else None
        if not isinstance(login, str) or not login:
            raise CommentError("GET /user: the answer names no login")
        return login

    def find(self, number: int, mark: str, author: str) -> int | None:
        """The id of the first comment by ``author`` whose body starts with ``mark``."""
        for comment in self._comments(number):
            user = comment.get("user")
            login = user.get("login") if isinstance(user, dict) else None
            if login == author and str(comment.get("body") or "").startswith(mark):
                return int(comment["id"])
        return None

    def _comments(self, number: int) -> Iterator[Mapping[str, Any]]:
        url: str | None = f"/repos/{self._repository}/issues/{number}/comments?per_page=100"
        while url is not None:
            response = self._send("GET", url, None)
            page = _json(response, "GET", url)
            if not isinstance(page, list):
                raise CommentError(f"GET {_path(url)}: expected a list of comments")
            yield from (c for c in page if isinstance(c, dict))
            found = _NEXT.search(response.headers.get("link", ""))
            url = found.group(1) if found else None

    def _call(self, method: str, url: str, body: Mapping[str, Any]) -> Mapping[str, Any]:
        data = _json(self._send(method, url, body), method, url)
        if not isinstance(data, dict) or "id" not in data:
            raise CommentError(f"{method} {_path(url)}: the answer holds no comment id")
        return data

    def _send(self, method: str, url: str, body: Mapping[str, Any] | None, *,
              refused_ok: bool = False) -> httpx.Response:
        try:
            response = self._http.request(method, url, json=body)
        except httpx.HTTPError as exc:
            raise CommentError(f"{method} {_path(url)} failed: {type(exc).__name__}") from None
        if response.status_code >= 400 and not (refused_ok and response.status_code == 403):
            raise CommentError(f"{method} {_path(url)} answered HTTP {response.status_code}"
                               f"{_why(response)}")
        return response


def _json(response: httpx.Response, method: str, url: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise CommentError(f"{method} {_path(url)}: the answer is not JSON") from None


def _why(response: httpx.Response) -> str:
    """GitHub's own reason, and what to do about the usual ones."""
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    advice = ""
    if response.status_code == 401:
        advice = " (the github-token input is not a valid token)"
    elif response.status_code in (403, 404):
        advice = (f" (add `{PERMISSION}` to the workflow's or the job's `permissions:`; "
                  "a pull request from a fork gets a read-only token)")
    return (f": {message}" if isinstance(message, str) else "") + advice


def _path(url: str) -> str:
    return httpx.URL(url).path
