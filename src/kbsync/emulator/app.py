"""The emulated initdesk Help Center as a WSGI app: the far side of the wire.

Written from ``initdesk-contract.md``, not from the client's ``remote/wire.py``, so that the
client's tests check the client against the contract instead of against itself. This
module is the HTTP half only: routing, auth, pagination, the rate limit, injected faults
and the request log; the data rules live in ``store.py`` and ``fields.py``.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from kbsync.emulator.fields import (
    ARTICLE_FIELDS,
    ARTICLE_STATUSES,
    COLLECTION_FIELDS,
    PORTAL_FIELDS,
    Field,
    Invalid,
)
from kbsync.emulator.fields import metadata as field_metadata
from kbsync.emulator.store import (
    UNSET,
    Conflict,
    NotFound,
    Store,
    Unset,
    normalize_tickets,
    parse_datetime,
)
from kbsync.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ALL_FAULT_KINDS: tuple[str, ...] = (
    "500",
    "503",
    "429",
    "drop",
    "slow",
    "commit_then_500",
    "commit_then_drop",
)
WRITE_ONLY_KINDS = frozenset({"commit_then_500", "commit_then_drop"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOKEN_HEADER = "X-Initdesk-Token"
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
CONTROL_PREFIX = "/_emulator/"

Reply = tuple[int, Any]  # status and JSON body (None: empty body)
Handler = Callable[[Request, dict[str, int]], Reply]


@dataclass
class EmulatorConfig:
    """Everything that shapes one emulated Help Center; tests shrink the windows."""

    db: str = ":memory:"
    token: str | None = "emulator-token"
    org_id: int = 1
    org_name: str = "Emulated Help Center"
    public_id: str = "emulated"
    rate_limit: int = 0
    rate_window: float = 60.0
    faults: float = 0.0
    seed: int = 0
    fault_kinds: tuple[str, ...] = ALL_FAULT_KINDS
    slow_seconds: float = 0.3
    tickets: list[dict[str, Any]] = field(default_factory=list)


class ApiError(Exception):
    """An answer of the ``{"detail": ...}`` kind (401, 403, 404, 405, 429, parse errors)."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        super().__init__(detail)


class RateLimiter:
    """At most ``limit`` requests per rolling ``window`` seconds per token."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str, now: float) -> int | None:
        """Record a request and answer None, or answer whole seconds until a slot frees."""
        if self.limit <= 0:
            return None
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, int(hits[0] + self.window - now + 0.999))
            hits.append(now)
            return None


class Faults:
    """Seeded, thread-safe choice of the fault (if any) a request suffers."""

    def __init__(self, rate: float, seed: int, kinds: Sequence[str]) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {rate}")
        unknown = [kind for kind in kinds if kind not in ALL_FAULT_KINDS]
        if unknown:
            raise ValueError(
                f"unknown fault kind(s) {', '.join(unknown)}; known: {', '.join(ALL_FAULT_KINDS)}"
            )
        self.rate = rate
        self.seed = seed
        self.kinds = tuple(kinds)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def pick(self, method: str) -> str | None:
        """Roll once per request; a read never gets a commit_then_* kind."""
        if self.rate <= 0.0:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            usable = [k for k in self.kinds if method in WRITE_METHODS or k not in WRITE_ONLY_KINDS]
            return self._rng.choice(usable) if usable else None

    def describe(self) -> dict[str, Any]:
        return {"rate": self.rate, "seed": self.seed, "kinds": list(self.kinds)}


@dataclass(frozen=True)
class Endpoint:
    """A routed resource: its handlers by method and what ``OPTIONS`` says about it."""

    name: str
    handlers: dict[str, Handler]
    write_method: str | None = None
    fields: tuple[Field, ...] = ()


_ROUTES = (
    ("/organizations/<int(max=2147483647):org>/", "organization"),
    ("/organizations/<int(max=2147483647):org>/portal/", "portal"),
    ("/organizations/<int(max=2147483647):org>/portal/collections/", "collections"),
    ("/organizations/<int(max=2147483647):org>/portal/collections/tree/", "collection_tree"),
    (
        "/organizations/<int(max=2147483647):org>/portal/collections/<int(max=9223372036854775807):item>/",
        "collection",
    ),
    ("/organizations/<int(max=2147483647):org>/portal/articles/", "articles"),
    ("/organizations/<int(max=2147483647):org>/portal/articles/search/", "article_search"),
    (
        "/organizations/<int(max=2147483647):org>/portal/articles/<int(max=9223372036854775807):item>/",
        "article",
    ),
    ("/organizations/<int(max=2147483647):org>/tickets/", "tickets"),
)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer; ``None`` gives an empty body (204)."""
    if body is None:
        return Response(status=status, headers=headers)
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(data, status=status, headers=headers, content_type="application/json")


def drop_connection(environ: WSGIEnvironment) -> None:
    """Drop the connection without an answer: close the socket when there is one, then raise.

    Over HTTP the client sees the peer vanish mid-request; werkzeug's dev server treats
    the ConnectionResetError as "connection dropped" and moves on. In-process (httpx's
    WSGITransport) there is no socket, so the exception itself reaches the caller.
    """
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
    raise ConnectionResetError("emulator: connection dropped")


def _fault_response(kind: str) -> Response:
    if kind == "503":
        return json_response(503, {"detail": "Service temporarily unavailable (emulated fault)."})
    if kind == "429":  # deliberately without Retry-After: the client's backoff path
        return json_response(429, {"detail": "Request was throttled (emulated fault)."})
    return json_response(500, {"detail": "Internal server error (emulated fault)."})


def _page_size(raw: str | None) -> int:
    """DRF's rule: missing or bad means the default; over the maximum is clamped."""
    try:
        size = int(raw) if raw is not None else DEFAULT_PAGE_SIZE
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE) if size > 0 else DEFAULT_PAGE_SIZE


def _page_number(raw: str | None) -> int:
    try:
        page = int(raw) if raw is not None else 1
    except ValueError:
        raise ApiError(404, "Invalid page.") from None
    if page < 1:
        raise ApiError(404, "Invalid page.")
    return page


def _page_url(request: Request, page: int) -> str:
    """The same request for another page; page 1 drops the parameter, as DRF does."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    if page > 1:
        pairs.append(("page", str(page)))
    return f"{request.base_url}?{urlencode(pairs)}" if pairs else request.base_url


def paginate(request: Request, fetch: Callable[[int, int], tuple[int, list[Any]]]) -> Reply:
    """Answer one ``{count, next, previous, results}`` page of whatever ``fetch`` lists."""
    size = _page_size(request.args.get("page_size"))
    page = _page_number(request.args.get("page"))
    count, results = fetch((page - 1) * size, size)
    if page > 1 and (page - 1) * size >= count:
        raise ApiError(404, "Invalid page.")
    return 200, {
        "count": count,
        "next": _page_url(request, page + 1) if page * size < count else None,
        "previous": _page_url(request, page - 1) if page > 1 else None,
        "results": results,
    }


def _id_filter(request: Request, name: str) -> int | Unset | None:
    """An id filter: absent or empty = no filter, ``null`` = items without one."""
    raw = request.args.get(name, "")
    if raw == "":
        return UNSET
    if raw.lower() in ("null", "none"):
        return None
    if raw.isdigit() and len(raw) < 19:
        return int(raw)
    raise Invalid({name: ["Enter a number."]})


def _status_filter(request: Request, default: str | None) -> str | None:
    raw = request.args.get("status", "") or default
    if raw is not None and raw not in ARTICLE_STATUSES:
        raise Invalid(
            {"status": [f"Select a valid choice. {raw} is not one of the available choices."]}
        )
    return raw


def _datetime_filter(request: Request, name: str) -> datetime | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        raise Invalid({name: ["Enter a valid date/time."]}) from None


def _bool_filter(request: Request, name: str) -> bool:
    raw = request.args.get(name, "").lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise Invalid({name: ["Enter a valid boolean: true or false."]})


def _detail_handlers(
    get: Callable[[int], dict[str, Any]],
    update: Callable[..., dict[str, Any]],
    delete: Callable[[int], None],
) -> dict[str, Handler]:
    """GET / PUT / PATCH / DELETE of one stored object addressed by ``item``."""

    def remove(request: Request, args: dict[str, int]) -> Reply:
        delete(args["item"])
        return 204, None

    return {
        "GET": lambda request, args: (200, get(args["item"])),
        "PUT": lambda request, args: (200, update(args["item"], _body(request), partial=False)),
        "PATCH": lambda request, args: (200, update(args["item"], _body(request), partial=True)),
        "DELETE": remove,
    }


def _body(request: Request) -> Any:
    """The JSON request body; an empty body is an empty object (DRF's behaviour)."""
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"JSON parse error - {exc}") from None


class EmulatorApp:
    """A WSGI callable serving the whole contract from one ``Store``."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.store = Store(config.db, public_id=config.public_id, tickets=config.tickets)
        self._faults = Faults(config.faults, config.seed, config.fault_kinds)
        self._limiter = RateLimiter(config.rate_limit, config.rate_window)
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._map = Map(
            [Rule(path, endpoint=name) for path, name in _ROUTES],
            strict_slashes=True,
            merge_slashes=False,
            redirect_defaults=False,
        )
        self._endpoints = self._build_endpoints()

    # -- public controls ----------------------------------------------------------------

    def requests(self) -> list[dict[str, Any]]:
        """A copy of the request log, oldest first."""
        with self._log_lock:
            return [dict(entry) for entry in self._log]

    def reset_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def set_faults(self, rate: float, seed: int = 0, kinds: Sequence[str] | None = None) -> None:
        """Change the fault rate at runtime; raises ValueError on a bad rate or kind."""
        self._faults = Faults(rate, seed, ALL_FAULT_KINDS if kinds is None else tuple(kinds))

    def close(self) -> None:
        self.store.close()

    # -- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        else:
            response = self._logged(request)
        return response(environ, start_response)

    def _logged(self, request: Request) -> Response:
        """Serve an API request and log it, whatever happens (a drop logs status None)."""
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": request.args.to_dict(),
            "status": None,
            "at": time.time(),
            "fault": None,
        }
        try:
            response = self._api(request, entry)
            entry["status"] = response.status_code
            return response
        finally:
            with self._log_lock:
                self._log.append(entry)

    def _api(self, request: Request, entry: dict[str, Any]) -> Response:
        """Gateway first (rate limit, faults), then the service itself."""
        # Read the whole request first, as a real gateway does: an answer sent before the
        # body is read leaves the body on a keep-alive connection, where the dev server
        # would parse it as the next request line.
        request.get_data(cache=True)
        wait = self._limiter.wait(request.headers.get(TOKEN_HEADER, ""), time.monotonic())
        if wait is not None:
            detail = f"Request was throttled. Expected available in {wait} seconds."
            return json_response(429, {"detail": detail}, {"Retry-After": str(wait)})
        fault = self._faults.pick(request.method)
        entry["fault"] = fault
        if fault in ("500", "503", "429"):
            return _fault_response(fault)
        if fault == "drop":
            drop_connection(request.environ)
        if fault == "slow":
            time.sleep(self.config.slow_seconds)
        response = self._handle(request)
        if fault == "commit_then_500":
            return _fault_response("500")
        if fault == "commit_then_drop":
            drop_connection(request.environ)
        return response

    def _handle(self, request: Request) -> Response:
        """Route, authenticate, dispatch; map every expected failure to its status."""
        try:
            status, body = self._dispatch(request)
        except ApiError as exc:
            return json_response(exc.status, {"detail": exc.detail}, exc.headers)
        except Invalid as exc:
            return json_response(400, exc.errors)
        except NotFound:
            return json_response(404, {"detail": "Not found."})
        except Conflict as exc:
            return json_response(409, {"detail": str(exc)})
        return json_response(status, body)

    def _dispatch(self, request: Request) -> Reply:
        try:
            name, args = self._map.bind_to_environ(request.environ).match()
        except HTTPException:  # unknown path, or a missing trailing slash
            raise ApiError(404, "Not found.") from None
        self._authenticate(request, args["org"])
        endpoint = self._endpoints[name]
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS":
            return 200, self._options(endpoint)
        handler = endpoint.handlers.get(method)
        if handler is None:
            allow = ", ".join([*endpoint.handlers, "OPTIONS"])
            raise ApiError(405, f'Method "{request.method}" not allowed.', {"Allow": allow})
        return handler(request, dict(args))

    def _authenticate(self, request: Request, org: int) -> None:
        expected = self.config.token
        if expected is not None:
            given = request.headers.get(TOKEN_HEADER)
            if not given:
                raise ApiError(401, "Authentication credentials were not provided.")
            if given != expected:
                raise ApiError(401, "Invalid token.")
        if org != self.config.org_id:
            raise ApiError(403, f"This token is not allowed to access organization {org}.")

    def _options(self, endpoint: Endpoint) -> dict[str, Any]:
        """DRF-style metadata: what ``kbsync doctor`` compares with the contract."""
        answer: dict[str, Any] = {
            "name": endpoint.name,
            "renders": ["application/json"],
            "parses": ["application/json"],
        }
        if endpoint.write_method is not None:
            answer["actions"] = {endpoint.write_method: field_metadata(endpoint.fields)}
        return answer

    # -- control paths (no auth, no log, no faults) -------------------------------------

    def _control(self, request: Request) -> Response:
        action = request.path[len(CONTROL_PREFIX) :].rstrip("/")
        if action == "requests" and request.method == "GET":
            return json_response(200, self.requests())
        if action == "reset" and request.method == "POST":
            self.reset_log()
            return json_response(204, None)
        if action == "faults" and request.method in ("GET", "POST"):
            return self._control_faults(request)
        return json_response(404, {"detail": "Not found."})

    def _control_faults(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                body = _body(request)
                if not isinstance(body, dict):
                    raise ValueError("expected a JSON object")
                self.set_faults(
                    float(body.get("rate", 0.0)), int(body.get("seed", 0)), body.get("kinds")
                )
            except (ApiError, ValueError, TypeError) as exc:
                return json_response(400, {"detail": str(exc)})
        return json_response(200, self._faults.describe())

    # -- resources ----------------------------------------------------------------------

    def _build_endpoints(self) -> dict[str, Endpoint]:
        return {
            "organization": Endpoint("Organization", {"GET": self._get_organization}),
            "portal": Endpoint(
                "Portal",
                {"GET": self._get_portal, "PUT": self._put_portal, "PATCH": self._patch_portal},
                "PUT",
                PORTAL_FIELDS,
            ),
            "collections": Endpoint(
                "Collection List",
                {"GET": self._list_collections, "POST": self._create_collection},
                "POST",
                COLLECTION_FIELDS,
            ),
            "collection_tree": Endpoint("Collection Tree", {"GET": self._collection_tree}),
            "collection": Endpoint(
                "Collection Instance",
                _detail_handlers(
                    self.store.get_collection,
                    self.store.update_collection,
                    self.store.delete_collection,
                ),
                "PUT",
                COLLECTION_FIELDS,
            ),
            "articles": Endpoint(
                "Article List",
                {"GET": self._list_articles, "POST": self._create_article},
                "POST",
                ARTICLE_FIELDS,
            ),
            "article_search": Endpoint("Article Search", {"GET": self._search_articles}),
            "article": Endpoint(
                "Article Instance",
                _detail_handlers(
                    self.store.get_article, self.store.update_article, self.store.delete_article
                ),
                "PUT",
                ARTICLE_FIELDS,
            ),
            "tickets": Endpoint("Ticket List", {"GET": self._list_tickets}),
        }

    def _organization(self) -> dict[str, Any]:
        portal = self.store.get_portal()
        return {
            "id": self.config.org_id,
            "public_id": self.config.public_id,
            "name": self.config.org_name,
            "site_url": f"https://{self.config.public_id}.kb.center",
            "created_at": portal["created_at"],
            "updated_at": portal["created_at"],
        }

    def _get_organization(self, request: Request, args: dict[str, int]) -> Reply:
        return 200, self._organization()

    def _portal(self, portal: dict[str, Any]) -> dict[str, Any]:
        return {**portal, "organization": self._organization()}

    def _get_portal(self, request: Request, args: dict[str, int]) -> Reply:
        return 200, self._portal(self.store.get_portal())

    def _put_portal(self, request: Request, args: dict[str, int]) -> Reply:
        return 200, self._portal(self.store.update_portal(_body(request), partial=False))

    def _patch_portal(self, request: Request, args: dict[str, int]) -> Reply:
        return 200, self._portal(self.store.update_portal(_body(request), partial=True))

    def _list_collections(self, request: Request, args: dict[str, int]) -> Reply:
        parent_id = _id_filter(request, "parent_id")
        return paginate(
            request,
            lambda offset, limit: self.store.list_collections(
                parent_id=parent_id, offset=offset, limit=limit
            ),
        )

    def _create_collection(self, request: Request, args: dict[str, int]) -> Reply:
        return 201, self.store.create_collection(_body(request))

    def _collection_tree(self, request: Request, args: dict[str, int]) -> Reply:
        return 200, self.store.collection_tree()

    def _list_articles(self, request: Request, args: dict[str, int]) -> Reply:
        collection_id = _id_filter(request, "collection_id")
        status = _status_filter(request, None)
        return paginate(
            request,
            lambda offset, limit: self.store.list_articles(
                collection_id=collection_id, status=status, offset=offset, limit=limit
            ),
        )

    def _create_article(self, request: Request, args: dict[str, int]) -> Reply:
        return 201, self.store.create_article(_body(request))

    def _search_articles(self, request: Request, args: dict[str, int]) -> Reply:
        text = request.args.get("q", "")
        status = _status_filter(request, "published") or "published"
        return paginate(
            request,
            lambda offset, limit: self.store.search_articles(
                text, status=status, offset=offset, limit=limit
            ),
        )

    def _list_tickets(self, request: Request, args: dict[str, int]) -> Reply:
        after = _datetime_filter(request, "created_after")
        before = _datetime_filter(request, "created_before")
        spam = _bool_filter(request, "is_spam")
        return paginate(
            request,
            lambda offset, limit: self.store.list_tickets(
                created_after=after, created_before=before, is_spam=spam, offset=offset, limit=limit
            ),
        )


def create_app(config: EmulatorConfig | None = None) -> EmulatorApp:
    """An emulator with ``config`` (default: in-memory, token ``emulator-token``)."""
    return EmulatorApp(config or EmulatorConfig())


def load_tickets(path: str | Path) -> list[dict[str, Any]]:
    """Read the ``--tickets`` file: a JSON array of ticket objects (fields may be omitted)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the tickets file ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a JSON array of ticket objects")
    try:
        normalize_tickets(data, "1970-01-01T00:00:00Z")
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return [dict(ticket) for ticket in data]
