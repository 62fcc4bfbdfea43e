"""The transport of the Help Center API: paging, pacing, retries and error mapping.

The operations (:mod:`kbsync.remote.client`) say what to send; this says how it travels,
over an injected ``httpx.Client``:

* paging: every list is read to the end, following ``next`` verbatim, never to a page
  read before nor to another host;
* pacing by the token's per-minute budget (:class:`~kbsync.remote.budget.RequestBudget`):
  the whole budget at once while it is unspent, waits only when it is spent, shared with
  the other kbsync processes of the token through a record in the user's cache folder;
* bounded retries: 429 always (nothing was done), 5xx and broken connections only for
  idempotent verbs; a create that fails ambiguously raises :class:`AmbiguousWriteError`
  at once so the caller can look the object up by slug before trying again;
* one translation of HTTP failures into :mod:`kbsync.errors`, with messages that name the
  remote object and say what to do.

The token is revealed in exactly one place (the request headers) and every message built
here is scrubbed of it, so neither a repr, an exception nor a log line shows it.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from kbsync.config import Secret
from kbsync.defaults import DEFAULT_RPM
from kbsync.errors import (
    AmbiguousWriteError,
    AuthError,
    ConflictError,
    ContractError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    RemoteError,
    ServerError,
    TransportError,
)
from kbsync.remote import wire
from kbsync.remote.budget import RequestBudget
from kbsync.remote.spend_record import SpendRecord

__all__ = ["ENDPOINT_HINT", "GONE_HINT", "IDEMPOTENT", "ORGANIZATION_HINT", "UNREACHABLE",
           "UNREACHABLE_WAITS", "Call", "RequestObserver", "Transport", "WaitObserver",
           "convert", "convert_page"]

log = logging.getLogger("kbsync.remote")

T = TypeVar("T")
#: The reason a wait gives when no server answered the connection.
UNREACHABLE = "unreachable"
#: Observers given to the constructor or attached with :meth:`Transport.observe`.
RequestObserver = Callable[[str, str, int | None, float], None]  # method, path, status, s
WaitObserver = Callable[[float, str], None]  # seconds, reason ("429", "HTTP 503", ...)

#: Verbs that may be repeated after an unknown outcome: doing them twice is doing them once.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
#: Failures that happen before a request leaves: retrying them is safe for any verb.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: The Help Center not there at all (connection refused, no route, a name that does not
#: resolve yet): a server being restarted or a network coming up. These waits, about
#: 15 s in all, ride that out before the Help Center is called unreachable.
UNREACHABLE_WAITS = (0.5, 1.0, 2.0, 3.0, 4.0, 4.5)
_UNREACHABLE = (httpx.ConnectError, httpx.ConnectTimeout)
#: Failures that retrying cannot cure (bad URL, unsupported scheme).
_PERMANENT = (httpx.UnsupportedProtocol, httpx.InvalidURL)


#: What to do about a 404, by what was asked for.
GONE_HINT = "it may have been deleted in initdesk: run `kbsync plan` to see the current state"
ENDPOINT_HINT = ("this endpoint may not exist on this tenant: run `kbsync doctor` to compare "
                 "it with the contract")
ORGANIZATION_HINT = "check organization_id in kbsync.toml (or INITDESK_ORG_ID / --org)"


@dataclass(frozen=True, slots=True)
class Call:
    """One logical request: what to send and how to name it in messages."""

    method: str
    url: str
    what: str
    params: Mapping[str, str] | None = None
    body: Any = None
    missing: str = ENDPOINT_HINT  # what a 404 means for this call


class Transport:
    """Requests to the Help Center, paced, retried, paged, with errors that say what to do.

    ``organization_id`` names the tenant in a 403's message. ``clock`` is the wall clock:
    the budget's record is shared with other processes. ``record`` is that shared record
    (None: this process's memory only); ``on_wait`` is told of every wait for the rate
    limit (pacing, or a 429), with its seconds and reason.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        organization_id: int,
        token: Secret | None,
        requests_per_minute: int = DEFAULT_RPM,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_request: RequestObserver | None = None,
        on_wait: WaitObserver | None = None,
        record: SpendRecord | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._http = http
        self.organization_id = organization_id
        self._token = token
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._request_observers: list[RequestObserver] = [on_request] if on_request else []
        self._wait_observers: list[WaitObserver] = [on_wait] if on_wait is not None else []
        self.budget = RequestBudget(requests_per_minute, clock=clock, sleep=sleep,
                                    record=record, on_wait=self._waiting)
        self.request_count = 0

    def observe(self, *, on_request: RequestObserver | None = None,
                on_wait: WaitObserver | None = None) -> None:
        """Attach more observers after construction (the console's ``-v`` lines and
        waits), beside those given to the constructor.

        ``on_request(method, path, status, seconds)`` follows every attempt (status None
        when no answer came); ``on_wait(seconds, reason)`` precedes every pause before a
        retry. They get the path, never the headers: nothing an observer sees holds the
        token.
        """
        if on_request is not None:
            self._request_observers.append(on_request)
        if on_wait is not None:
            self._wait_observers.append(on_wait)

    def describe(self) -> str:
        """base URL and whether a token is set, for reprs (never the token)."""
        return f"base_url={str(self._http.base_url)!r}, token={'****' if self._token else None}"

    # --- sending ------------------------------------------------------------------------

    def json(self, call: Call) -> Any:
        return self.decode(self.send(call), call)

    def decode(self, response: httpx.Response, call: Call) -> Any:
        """The JSON body, or a ContractError saying what came instead."""
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content type")
            raise ContractError(self._scrub(
                f"{call.what}: the answer to {call.method} {_path_of(call.url)} is not JSON "
                f"(HTTP {response.status_code}, {kind}); check base_url points at the "
                "initdesk API"
            )) from None

    def send(self, call: Call) -> httpx.Response:
        """Send within the budget, with bounded retries; answer the response or raise."""
        attempt = 0
        unreachable = 0  # attempts in a row that found no server at all
        maybe_done = False  # an earlier attempt may have taken effect, answer lost
        while True:
            final = attempt >= self.max_retries
            try:
                response = self._attempt(call)
            except _PERMANENT as exc:
                raise TransportError(self._scrub(
                    f"{call.what}: cannot send {call.method} {_path_of(call.url)}: {exc} "
                    "(check base_url)"
                )) from None
            except _UNREACHABLE as exc:
                self._unreachable(call, exc, unreachable)
                unreachable += 1
                continue
            except (httpx.TransportError, OSError) as exc:
                self._failed_without_answer(call, exc, final=final, attempt=attempt)
                maybe_done = maybe_done or not isinstance(exc, _NOT_SENT)
                attempt += 1
                continue
            status = response.status_code
            if status == 429:
                self._rate_limited(call, response, final=final, attempt=attempt)
            elif status >= 500:
                self._server_failed(call, response, final=final, attempt=attempt)
                maybe_done = True
            elif status == 404 and call.method == "DELETE" and maybe_done:
                # An earlier attempt was done but its answer was lost: the goal is reached.
                log.debug("%s %s: 404 on retry, taken as already deleted", call.method,
                          _path_of(call.url))
                return response
            elif status >= 400:
                raise self._error(call, response)
            elif status >= 300:
                raise self._redirected(call, response)
            else:
                return response
            attempt += 1

    def _attempt(self, call: Call) -> httpx.Response:
        """One request within the budget; every attempt is counted and reported."""
        stamp = self.budget.before_send()
        self.request_count += 1
        path = _path_of(call.url)
        started = time.perf_counter()
        try:
            response = self._http.request(call.method, call.url, params=call.params,
                                          json=call.body, headers=self._headers())
        except Exception as exc:
            self.budget.after_answer(stamp, None)
            log.debug("%s %s -> %s", call.method, path, type(exc).__name__)
            self._report(call.method, path, None, started)
            raise
        except BaseException:  # Ctrl-C mid-request: it was sent all the same
            self.budget.after_answer(stamp, None)
            raise
        self.budget.after_answer(stamp, response.headers)
        log.debug("%s %s -> %d (%.0f ms)", call.method, path, response.status_code,
                  (time.perf_counter() - started) * 1000)
        self._report(call.method, path, response.status_code, started)
        return response

    def _report(self, method: str, path: str, status: int | None, started: float) -> None:
        seconds = time.perf_counter() - started
        for observer in self._request_observers:
            observer(method, path, status, seconds)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token is not None:
            headers[wire.TOKEN_HEADER] = self._token.reveal()
        return headers

    # --- retry decisions ----------------------------------------------------------------

    def _failed_without_answer(
        self, call: Call, exc: BaseException, *, final: bool, attempt: int
    ) -> None:
        """A timeout or broken connection: retry if safe, else raise the right error."""
        reason = _describe(exc)
        if call.method not in IDEMPOTENT and not isinstance(exc, _NOT_SENT):
            raise AmbiguousWriteError(self._scrub(
                f"{call.what}: {call.method} {_path_of(call.url)} failed with {reason}; it may "
                "or may not have been created: look it up by slug before trying again"
            )) from None
        if final:
            raise TransportError(self._scrub(
                f"{call.what}: {call.method} {_path_of(call.url)} failed {attempt + 1} times, "
                f"last with {reason}; check the network and base_url, then retry"
            )) from None
        self._pause(self._backoff(attempt), call, reason)

    def _unreachable(self, call: Call, exc: BaseException, failures: int) -> None:
        """No server answered the connection: wait by :data:`UNREACHABLE_WAITS`, then say
        the Help Center is unreachable. Nothing was sent, so any verb may try again."""
        if failures >= len(UNREACHABLE_WAITS):
            seconds = sum(UNREACHABLE_WAITS)
            raise TransportError(self._scrub(
                f"{call.what}: the Help Center at {self._http.base_url} is unreachable: "
                f"{call.method} {_path_of(call.url)} found no server {failures + 1} times "
                f"over {seconds:.0f} s, last with {_describe(exc)}; check base_url, the "
                "network, and that the Help Center is up"
            )) from None
        self._pause(UNREACHABLE_WAITS[failures], call, UNREACHABLE)

    def _rate_limited(
        self, call: Call, response: httpx.Response, *, final: bool, attempt: int
    ) -> None:
        """429: nothing was done, so any verb may wait and try again, a bounded number.

        The budget learns from it (the window is fuller than it knew) so the requests
        that follow are paced; it also holds back the part of a long Retry-After beyond
        ``backoff_cap``, which the retry alone would cut short.
        """
        if final:
            raise RateLimitedError(self._scrub(
                f"{call.what}: rate limited (429) {attempt + 1} times on {call.method} "
                f"{_path_of(call.url)}; wait a minute and retry, or lower requests_per_minute "
                "under [remote] in kbsync.toml (or INITDESK_RPM)"
            ), status=429)
        delay = _retry_after(response)
        if delay is None:
            delay = self._backoff(attempt)
        self.budget.rate_limited(delay, response.headers)
        self._pause(min(delay, self.backoff_cap), call, "429")

    def _server_failed(
        self, call: Call, response: httpx.Response, *, final: bool, attempt: int
    ) -> None:
        """5xx: a create may have happened, so only idempotent verbs are repeated."""
        status = response.status_code
        if call.method not in IDEMPOTENT:
            raise AmbiguousWriteError(self._scrub(
                f"{call.what}: {call.method} {_path_of(call.url)} answered HTTP {status}; it "
                "may or may not have been created: look it up by slug before trying again"
            ), status=status)
        if final:
            raise ServerError(self._scrub(
                f"{call.what}: the Help Center answered HTTP {status} {attempt + 1} times to "
                f"{call.method} {_path_of(call.url)}; it may be down, try again later"
                f"{_detail_suffix(response)}"
            ), status=status)
        self._pause(self._backoff(attempt), call, f"HTTP {status}")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^n)]."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        return self._rng.uniform(0.0, ceiling)

    def _pause(self, seconds: float, call: Call, reason: str) -> None:
        log.debug("%s %s: %s, retrying in %.2f s", call.method, _path_of(call.url), reason,
                  seconds)
        self._waiting(seconds, reason)
        self._sleep(seconds)

    def _waiting(self, seconds: float, reason: str) -> None:
        """Tell the observers about a pause: the budget's ("budget", "server") or a
        retry's ("429", "HTTP 503", ...)."""
        for observer in self._wait_observers:
            observer(seconds, reason)

    # --- error mapping ------------------------------------------------------------------

    def _error(self, call: Call, response: httpx.Response) -> RemoteError:
        """The exception for a 4xx answer (429 excluded), with a message saying what to do."""
        status = response.status_code
        detail, fields = wire.error_from_wire(_body(response))
        where = f"{call.method} {_path_of(call.url)}"
        org = self.organization_id
        error: RemoteError
        if status == 400:
            messages = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
            text = messages or detail or "no reason given"
            error = RejectedError(self._scrub(
                f"{call.what}: rejected by the Help Center: {text} (fix these fields and retry)"
            ), fields=fields)
        elif status == 401:
            error = AuthError(
                f"token rejected: check INITDESK_TOKEN (401 from {where})", status=401
            )
        elif status == 403:
            error = ForbiddenError(
                f"forbidden: the token is not allowed for organization {org} (403 from "
                f"{where}); a token is scoped to one organization: check organization_id "
                "in kbsync.toml (or INITDESK_ORG_ID / --org), and that the token is active",
                status=403,
            )
        elif status == 404:
            error = NotFoundError(self._scrub(
                f"{call.what} not found (404 from {where}); {call.missing}"
            ), status=404)
        elif status == 409:
            error = ConflictError(self._scrub(
                f"{call.what}: conflict (409 from {where}): {detail or 'no detail given'}"
            ), status=409)
        else:
            error = RemoteError(self._scrub(
                f"{call.what}: unexpected HTTP {status} from {where}{_detail_suffix(response)}"
            ), status=status)
        return error

    def _redirected(self, call: Call, response: httpx.Response) -> RemoteError:
        """A redirect is not followed: the token header would travel with it."""
        target = response.headers.get("location", "")
        shown = _origin_and_path(target) if target else "nowhere"
        return RemoteError(self._scrub(
            f"{call.what}: {call.method} {_path_of(call.url)} was redirected "
            f"({response.status_code}) to {shown}; not followed, so the token stays put: set "
            "base_url to the final address (https? trailing slash?)"
        ), status=response.status_code)

    def _scrub(self, text: str) -> str:
        """Mask the token should a server ever echo it into text we pass on."""
        return self._token.scrub(text) if self._token is not None else text

    # --- paging -------------------------------------------------------------------------

    def iter_items(
        self, path: str, params: Mapping[str, str] | None, what: str
    ) -> Iterator[Any]:
        """Items of every page: ``next`` is followed verbatim, a bare array is one page."""
        call = Call("GET", path, what, params=params)
        seen = {self.page_key(call)}
        while True:
            items, next_url = convert_page(self.json(call), what)
            yield from items
            if next_url is None:
                return
            self.check_next(next_url, seen, what)
            call = Call("GET", next_url, what)

    def check_next(self, next_url: str, seen: set[tuple[object, ...]], what: str) -> None:
        """The one rule for following a ``next`` link: never a page read before (a loop),
        never another host or port (the token would go there). ``seen`` grows by it."""
        key = self.page_key(Call("GET", next_url, what))
        if key in seen:
            raise ContractError(f"{what}: the 'next' link repeats {_path_of(next_url)}; "
                                "stopping instead of looping (run `kbsync doctor`)")
        seen.add(key)
        self._check_same_origin(next_url, what)

    def page_key(self, call: Call) -> tuple[object, ...]:
        """Which page a request reads, however its URL is spelled (relative or absolute,
        parameters in any order)."""
        url = self._http.build_request(call.method, call.url, params=call.params).url
        return (url.scheme, url.host, url.port, url.path, tuple(sorted(url.params.multi_items())))

    def _check_same_origin(self, url: str, what: str) -> None:
        """Refuse a ``next`` link to another host: the token would be sent there."""
        target = httpx.URL(url)
        if not target.is_absolute_url:
            return
        base = self._http.base_url
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise ContractError(
                f"{what}: the 'next' link points to {target.scheme}://{target.host}"
                f"{':' + str(target.port) if target.port else ''}, not to the base URL "
                f"{base.scheme}://{base.host}{':' + str(base.port) if base.port else ''}; "
                "refusing to send the token there (check base_url, or the server's proxy "
                "settings)"
            )


# --- helpers -------------------------------------------------------------------------------


def convert(reader: Callable[[Any], T], data: Any) -> T:
    """Run a wire reader, pointing a shape error at ``kbsync doctor``."""
    try:
        return reader(data)
    except ContractError as exc:
        raise ContractError(f"{exc} (run `kbsync doctor` to compare the tenant with the "
                            "contract)") from None


def convert_page(data: Any, what: str) -> tuple[list[Any], str | None]:
    return convert(lambda obj: wire.page_from_wire(obj, what), data)


def _path_of(url: str) -> str:
    """The path (and query) of a URL, for messages: never the host's credentials."""
    parsed = httpx.URL(url)
    query = parsed.query.decode("ascii", "replace")
    return parsed.path + (f"?{query}" if query else "")


def _origin_and_path(url: str) -> str:
    """scheme://host[:port]/path of a URL, without user info or query."""
    parsed = httpx.URL(url)
    if not parsed.is_absolute_url:
        return parsed.path
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _detail_suffix(response: httpx.Response) -> str:
    detail, _ = wire.error_from_wire(_body(response))
    return f": {detail}" if detail else ""


def _describe(exc: BaseException) -> str:
    """A short reason: the exception's class, and its text when that says something."""
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name} ({text[:200]})" if text else name


def _retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (a number or an HTTP date), None when absent or bad."""
    raw = response.headers.get(wire.RETRY_AFTER_HEADER)
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
