"""A small local stand-in for GitHub's REST endpoints for issue comments.

Only what the sticky comment uses, with GitHub's shapes and answers:

* ``GET /user``: the token's user; for an installation token (``GITHUB_TOKEN``, whose
  comments are by ``github-actions[bot]``) 403 "Resource not accessible by integration",
  as GitHub answers;
* list (paged, ``Link`` header), create (authored by the token's identity), update;
* a token without write access gets 403 on create and update, as a workflow without
  ``pull-requests: write`` does; any token with write access may update any comment,
  whoever wrote it (the worst case: GitHub lets maintainers edit others' comments).

It records every request (method, path, and the login behind the token) so tests can
check which comment was written and by whom, and serves on 127.0.0.1 through the
emulator's ``running_server``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.exceptions import Forbidden, HTTPException, NotFound, Unauthorized
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

ACTIONS_BOT = "github-actions[bot]"
NOT_ACCESSIBLE = "Resource not accessible by integration"


@dataclass
class GitHubAPI:
    tokens: dict[str, str]  # token -> login ("name[bot]" for an installation token)
    read_only: set[str] = field(default_factory=set)  # tokens that may read, not write
    repository: str = "acme/help"
    per_page_max: int = 100
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # PR -> list
    log: list[tuple[str, str]] = field(default_factory=list)
    writers: list[str] = field(default_factory=list)  # the login behind each write
    _next_id: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.urls = Map([
            Rule("/user", endpoint="user", methods=["GET"]),
            Rule("/repos/<owner>/<repo>/issues/<int:number>/comments", endpoint="comments",
                 methods=["GET", "POST"]),
            Rule("/repos/<owner>/<repo>/issues/comments/<int:comment_id>", endpoint="comment",
                 methods=["PATCH"]),
        ])

    def add(self, number: int, body: str, user: str = "someone") -> int:
        with self._lock:
            self._next_id += 1
            self.comments.setdefault(number, []).append(
                {"id": self._next_id, "body": body,
                 "user": {"login": user, "type": "Bot" if user.endswith("[bot]") else "User"},
                 "html_url": f"https://github.test/{self.repository}/pull/{number}"
                             f"#issuecomment-{self._next_id}"})
            return self._next_id

    def writes(self) -> list[tuple[str, str]]:
        """The requests that changed something, query strings left off."""
        return [(method, path.split("?")[0]) for method, path in self.log if method != "GET"]

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.log.append((request.method, request.full_path.rstrip("?")))
        try:
            response = self._dispatch(request)
        except HTTPException as exc:
            response = Response(json.dumps({"message": exc.description}), exc.code,
                                content_type="application/json")
        return response(environ, start_response)

    def _dispatch(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        login = self.tokens.get(header.removeprefix("Bearer ")) if header.startswith(
            "Bearer ") else None
        if login is None:
            raise Unauthorized("Bad credentials")
        endpoint, args = self.urls.bind_to_environ(request.environ).match()
        if endpoint == "user":
            if login.endswith("[bot]"):
                raise Forbidden(NOT_ACCESSIBLE)
            return _json({"login": login, "type": "User"}, 200)
        if f"{args['owner']}/{args['repo']}" != self.repository:
            raise NotFound("Not Found")
        if endpoint == "comments" and request.method == "GET":
            return self._list(request, args["number"])
        if header.removeprefix("Bearer ") in self.read_only:
            raise Forbidden(NOT_ACCESSIBLE)
        self.writers.append(login)
        if endpoint == "comments":
            comment_id = self.add(args["number"], request.get_json()["body"], user=login)
            return _json(self._find(comment_id), 201)
        comment = self._find(args["comment_id"])
        comment["body"] = request.get_json()["body"]
        return _json(comment, 200)

    def _list(self, request: Request, number: int) -> Response:
        per_page = min(int(request.args.get("per_page", 30)), self.per_page_max)
        page = int(request.args.get("page", 1))
        items = self.comments.get(number, [])
        chunk = items[(page - 1) * per_page: page * per_page]
        response = _json(chunk, 200)
        if page * per_page < len(items):
            url = (f"{request.host_url.rstrip('/')}{request.path}?per_page={per_page}"
                   f"&page={page + 1}")
            response.headers["Link"] = f'<{url}>; rel="next"'
        return response

    def _find(self, comment_id: int) -> dict[str, Any]:
        for comments in self.comments.values():
            for comment in comments:
                if comment["id"] == comment_id:
                    return comment
        raise NotFound("Not Found")


def _json(data: Any, status: int) -> Response:
    return Response(json.dumps(data), status, content_type="application/json")
