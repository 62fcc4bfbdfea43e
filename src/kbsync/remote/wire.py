"""THE wire contract: every path, query parameter, header and field name of initdesk.

Most of the Help Center API is our reconstruction (see shared/initdesk-api-notes.md), so
when a live tenant proves a name wrong, this is the one module to change; ``kbsync
doctor`` compares a tenant with the tables below. Nothing else in kbsync spells a path or
a wire field name: other modules speak the frozen types of ``kbsync.model``.

The :class:`Resource` tables are the contract, and everything else here is driven by
them, so each path, field name and flag is written once: ``Resource.at`` builds the paths,
``Resource.body`` the request bodies, and the readers take each field by its table row
into the model's types. Defaults are the model's (a field missing from an answer, or
null, reads as the model's default for it; a field the model has no default for must be
there).

Reading is liberal (unknown fields ignored, optional fields defaulted); writing is strict
(only writable fields, trailing slash always).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from kbsync.errors import ContractError
from kbsync.model import (
    STATUSES,
    ArticleFields,
    CollectionFields,
    Organization,
    Portal,
    PortalSettings,
    RemoteArticle,
    RemoteCollection,
    SearchHit,
    Ticket,
)
from kbsync.problems import clipped, shown

Json = dict[str, Any]

# --- transport --------------------------------------------------------------------------

TOKEN_HEADER = "X-Initdesk-Token"
RETRY_AFTER_HEADER = "Retry-After"

# Rate-limit headers (assumed: initdesk documents only the 429, and DRF's throttles send
# none of these). Read when present, in this order; each pair is (remaining, reset), the
# limit is optional. Reset is seconds until a slot frees, or an epoch timestamp.
RATE_LIMIT_HEADER_SETS = (
    ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"),  # the common one
    ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"),  # IETF draft, up to -07
)
#: IETF draft -08 on: one structured header, e.g. ``"default";r=50;t=30``; draft -07's
#: single-header form ``limit=60, remaining=50, reset=30`` is read too.
RATE_LIMIT_COMBINED_HEADER = "RateLimit"
RATE_LIMIT_COMBINED_REMAINING = ("r", "remaining")
RATE_LIMIT_COMBINED_RESET = ("t", "reset")
RATE_LIMIT_COMBINED_LIMIT = ("limit",)
#: A server with no limit at all says so in the limit header (kbsync's emulator does,
#: unless started with --rate-limit): the client then does not pace. Without this word
#: the client keeps initdesk's budget, whatever else is missing.
RATE_LIMIT_UNLIMITED = ("X-RateLimit-Limit", "unlimited")

PAGE = "page"
PAGE_SIZE = "page_size"
MAX_PAGE_SIZE = 100
SEARCH_QUERY = "q"
#: The longest search text kbsync sends, in characters. initdesk documents no limit; a
#: URL longer than about 8 KB is refused by common servers and proxies (nginx, for one),
#: and 512 characters stay under it even when every one is percent-encoded from four
#: UTF-8 bytes (512 x 12 bytes). 512 is also the limit of hosted search APIs (Algolia).
SEARCH_QUERY_MAX = 512
#: The list filters, by our name: the wire's query parameter.
LIST_FILTERS = {
    "parent_id": "parent_id",
    "collection_id": "collection_id",
    "status": "status",
    "created_after": "created_after",
    "created_before": "created_before",
    "is_spam": "is_spam",
    "query": SEARCH_QUERY,
}

PAGE_COUNT = "count"
PAGE_NEXT = "next"
PAGE_PREVIOUS = "previous"
PAGE_RESULTS = "results"

ERROR_DETAIL = "detail"
NON_FIELD_ERRORS = "non_field_errors"


# --- the resources: paths and fields (what doctor checks) --------------------------------

WireType = Literal["integer", "string", "boolean", "datetime", "object", "array", "number"]

PyTypes = tuple[type, ...]  # (WireField has a field named "type")
#: What a value of each contract type is in Python, when read (a bool is never a number).
_PYTHON_TYPES: dict[str, PyTypes] = {
    "integer": (int,), "string": (str,), "boolean": (bool,), "datetime": (str,),
    "object": (dict,), "array": (list,), "number": (int, float),
}


@dataclass(frozen=True, slots=True)
class WireField:
    """One field of a resource: the contract's word on it, and how kbsync reads it.

    ``attr`` is kbsync's name for it (the model's attribute) where the wire spells it
    otherwise; ``also`` are more JSON types a read accepts (an id sent as text);
    ``blank_is_null`` reads ``""`` as no value (a web form may send either);
    ``choices`` are the only values a read accepts.
    """

    name: str
    type: WireType
    writable: bool
    nullable: bool = False
    required: bool = False
    max_length: int | None = None
    attr: str = ""
    also: PyTypes = ()
    blank_is_null: bool = False
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """kbsync's name for the field."""
        return self.attr or self.name

    @property
    def python_types(self) -> PyTypes:
        return _PYTHON_TYPES[self.type] + self.also


@dataclass(frozen=True, slots=True)
class Resource:
    """One endpoint of the contract and the fields its objects carry."""

    name: str
    noun: str  # one object of it, in messages
    path: str  # with {org} standing for the organization id; always a trailing slash
    fields: tuple[WireField, ...]
    paginated: bool = True

    def at(self, org: int, item: int | None = None) -> str:
        """The path for organization ``org``; with ``item``, that one object's path."""
        path = self.path.format(org=org)
        return path if item is None else f"{path}{item}/"

    def below(self, name: str, noun: str, segment: str, fields: tuple[WireField, ...],
              *, paginated: bool = True) -> Resource:
        """A resource whose path is ``segment/`` below this one's."""
        return Resource(name, noun, f"{self.path}{segment}/", fields, paginated)

    def field(self, name: str) -> WireField | None:
        return next((f for f in self.fields if f.name == name), None)

    def body(self, values: Mapping[str, Any] | Written) -> Json:
        """A request body of ``values`` (by kbsync's names): writable fields only."""
        given = values if isinstance(values, Mapping) else dataclasses.asdict(values)
        names = {f.key: f.name for f in self.fields if f.writable}
        unknown = sorted(set(given) - set(names))
        if unknown:
            raise ValueError(f"{self.noun}: not writable fields: {', '.join(unknown)}")
        return {names[key]: value for key, value in given.items()}


#: What a request body is made of: one of the model's written types, or a patch.
Written = PortalSettings | CollectionFields | ArticleFields

_TIMESTAMPS = (
    WireField("created_at", "datetime", writable=False),
    WireField("updated_at", "datetime", writable=False),
)
#: Rows that several resources share, each written once.
_ID = WireField("id", "integer", writable=False)
_NAME = WireField("name", "string", writable=True, required=True, max_length=255)
_SLUG = WireField("slug", "string", writable=True, max_length=255)
_POSITION = WireField("position", "integer", writable=True)

ORGANIZATION = Resource(
    "organization", "organization",
    "/organizations/{org}/",
    (
        _ID,
        WireField("public_id", "string", writable=False, also=(int,)),
        WireField("name", "string", writable=False),
        WireField("site_url", "string", writable=False, nullable=True),
    ),
    paginated=False,
)

PORTAL = ORGANIZATION.below(
    "portal", "portal", "portal",
    (
        _ID,
        _NAME,
        WireField("custom_domain", "string", writable=True, nullable=True, max_length=255),
        WireField("meta_description", "string", writable=True, nullable=True, max_length=500),
        WireField("allow_robots", "boolean", writable=True),
        WireField("primary_color", "string", writable=True),
        WireField("is_active", "boolean", writable=True),
        WireField("enable_ticket_creation_form", "boolean", writable=True),
        WireField("organization", "object", writable=False),
        *_TIMESTAMPS,
    ),
    paginated=False,
)

COLLECTION = PORTAL.below(
    "collections", "collection", "collections",
    (
        _ID,
        _NAME,
        _SLUG,
        WireField("description", "string", writable=True, nullable=True, max_length=1000,
                  blank_is_null=True),
        WireField("parent_id", "integer", writable=True, nullable=True),
        _POSITION,
        *_TIMESTAMPS,
    ),
)

COLLECTION_TREE = COLLECTION.below(
    "collections tree", "collection", "tree",
    (*COLLECTION.fields, WireField("children", "array", writable=False),
     WireField("article_count", "integer", writable=False)),
    paginated=False,
)

ARTICLE = PORTAL.below(
    "articles", "article", "articles",
    (
        _ID,
        WireField("title", "string", writable=True, required=True, max_length=255),
        _SLUG,
        WireField("excerpt", "string", writable=True, nullable=True, max_length=500,
                  blank_is_null=True),
        WireField("content", "string", writable=True),
        WireField("content_html", "string", writable=True),
        WireField("collection_id", "integer", writable=True, nullable=True),
        WireField("status", "string", writable=True, choices=STATUSES),
        _POSITION,
        WireField("url", "string", writable=False),
        WireField("published_at", "datetime", writable=False, nullable=True),
        *_TIMESTAMPS,
    ),
)

ARTICLE_SEARCH = ARTICLE.below(
    "article search", "search result", "search",
    (*ARTICLE.fields, WireField("score", "number", writable=False)),
)

TICKET = ORGANIZATION.below(
    "tickets", "ticket", "tickets",
    (
        _ID,
        WireField("public_id", "integer", writable=False, also=(str,)),
        WireField("subject", "string", writable=False, max_length=255),
        WireField("description", "string", writable=False),
        WireField("description_html", "string", writable=False),
        WireField("summary", "string", writable=False, nullable=True),
        WireField("tags", "array", writable=False),
        WireField("language", "string", writable=False, nullable=True),
        WireField("created_at", "datetime", writable=False),
        WireField("is_spam", "boolean", writable=False),
    ),
)

RESOURCES = (ORGANIZATION, PORTAL, COLLECTION, COLLECTION_TREE, ARTICLE, ARTICLE_SEARCH, TICKET)


# --- reading -----------------------------------------------------------------------------


def _require(obj: object, resource: str) -> Json:
    if not isinstance(obj, dict):
        raise ContractError(f"{resource}: expected a JSON object, got {type(obj).__name__}")
    return cast(Json, obj)


def _named(resource: Resource, data: Json) -> str:
    """How messages name one object: "article 7" (or "article ?" without an id)."""
    return f"{resource.noun} {data.get('id', '?')}"


def _read(resource: Resource, data: Json, what: str, *into: type) -> list[dict[str, Any]]:
    """The fields of ``data`` that the model types ``into`` hold, by kbsync's names: one
    dict of keyword arguments for each type.

    A field missing or null is left out where the model has a default for it (so the
    model's default applies); where it has none, it is a ContractError naming it.
    """
    values: list[dict[str, Any]] = [{} for _ in into]
    for name, key, owner, optional, kinds, choices, blank in _fields_read(resource, into):
        value = data.get(name)
        if value is None:
            if optional:
                continue
            if name not in data:
                raise ContractError(f"{what}: field '{name}' is missing from the answer")
        if not isinstance(value, kinds) or (value.__class__ is bool and bool not in kinds):
            expected = "/".join(kind.__name__ for kind in kinds)
            raise ContractError(f"{what}: field '{name}' should be {expected}, got "
                                f"{type(value).__name__}")
        if choices and value not in choices:
            raise ContractError(f"{what}: field '{name}' has unknown value {value!r}")
        values[owner][key] = None if blank and value == "" else value
    return values


#: How :func:`_read` takes one row: wire name, kbsync's name, the index of the type
#: that holds it, whether that type has a default for it, its Python types, its
#: choices, and whether "" reads as None.
_Row = tuple[str, str, int, bool, PyTypes, tuple[str, ...], bool]


@functools.cache
def _fields_read(resource: Resource, into: tuple[type, ...]) -> tuple[_Row, ...]:
    """The rows of ``resource`` that the types ``into`` hold, worked out once (a plan
    reads thousands of objects)."""
    owners = {f.name: (index, f.default is not dataclasses.MISSING
                       or f.default_factory is not dataclasses.MISSING)
              for index, cls in enumerate(into) for f in dataclasses.fields(cls)}
    return tuple((spec.name, spec.key, *owners[spec.key], spec.python_types, spec.choices,
                  spec.blank_is_null) for spec in resource.fields if spec.key in owners)


def organization_from_wire(obj: object) -> Organization:
    data = _require(obj, ORGANIZATION.noun)
    [values] = _read(ORGANIZATION, data, ORGANIZATION.noun, Organization)
    if "public_id" in values:
        values["public_id"] = str(values["public_id"])
    return Organization(**values)


def portal_from_wire(obj: object) -> Portal:
    data = _require(obj, PORTAL.noun)
    portal, settings = _read(PORTAL, data, PORTAL.noun, Portal, PortalSettings)
    return Portal(settings=PortalSettings(**settings), **portal)


def collection_from_wire(obj: object) -> RemoteCollection:
    data = _require(obj, COLLECTION_TREE.noun)
    remote, fields = _read(COLLECTION_TREE, data, _named(COLLECTION_TREE, data),
                           RemoteCollection, CollectionFields)
    if "children" in remote:
        remote["children"] = tuple(collection_from_wire(child) for child in remote["children"])
    return RemoteCollection(fields=CollectionFields(**fields), **remote)


def article_from_wire(obj: object) -> RemoteArticle:
    data = _require(obj, ARTICLE.noun)
    remote, fields = _read(ARTICLE, data, _named(ARTICLE, data), RemoteArticle, ArticleFields)
    return RemoteArticle(fields=ArticleFields(**fields), **remote)


def search_hit_from_wire(obj: object) -> SearchHit:
    data = _require(obj, ARTICLE_SEARCH.noun)
    [values] = _read(ARTICLE_SEARCH, data, ARTICLE_SEARCH.noun, SearchHit)
    if "score" in values:
        values["score"] = float(values["score"])
    return SearchHit(article=article_from_wire(data), **values)


def ticket_from_wire(obj: object) -> Ticket:
    data = _require(obj, TICKET.noun)
    [values] = _read(TICKET, data, _named(TICKET, data), Ticket)
    if "tags" in values:
        values["tags"] = tuple(str(tag) for tag in values["tags"])
    return Ticket(**values)


def parse_datetime(text: str) -> _dt.datetime | None:
    """An ISO 8601 time as DRF writes it (a trailing ``Z`` included); None if it is not one."""
    try:
        return _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None


def page_from_wire(obj: object, resource: str) -> tuple[list[Any], str | None]:
    """Split one list answer into (items, next URL).

    Accepts the documented ``{count, next, previous, results}`` page and a bare JSON
    array (an unpaginated server); anything else is a contract error.
    """
    if isinstance(obj, list):
        return obj, None
    if isinstance(obj, dict) and isinstance(obj.get(PAGE_RESULTS), list):
        next_url = obj.get(PAGE_NEXT)
        return obj[PAGE_RESULTS], next_url if isinstance(next_url, str) and next_url else None
    raise ContractError(
        f"{resource}: expected a page {{{PAGE_COUNT}, {PAGE_NEXT}, {PAGE_RESULTS}}} "
        "or a JSON array"
    )


#: How much of a server's error text a message quotes: a hostile or broken server must
#: not fill a terminal (or forge lines of output with escapes and newlines).
ERROR_TEXT_MAX = 300
ERROR_FIELDS_MAX = 10


def error_from_wire(obj: object) -> tuple[str | None, dict[str, list[str]]]:
    """Read an error body: (detail, field messages). Any shape is accepted; every text
    is escaped and cut to ``ERROR_TEXT_MAX`` characters, at most ``ERROR_FIELDS_MAX``
    fields and messages each."""
    if isinstance(obj, dict):
        detail = obj.get(ERROR_DETAIL)
        fields: dict[str, list[str]] = {}
        for key, value in obj.items():
            if key == ERROR_DETAIL or len(fields) >= ERROR_FIELDS_MAX:
                continue
            if isinstance(value, list):
                fields[_said(key, 60)] = [_said(v) for v in value[:ERROR_FIELDS_MAX]]
            elif isinstance(value, (str, int, float)):
                fields[_said(key, 60)] = [_said(value)]
        return (_said(detail) if detail is not None else None), fields
    if isinstance(obj, list):
        return None, {NON_FIELD_ERRORS: [_said(v) for v in obj[:ERROR_FIELDS_MAX]]}
    if isinstance(obj, str) and obj.strip():
        return _said(obj.strip()), {}
    return None, {}


def _said(value: object, limit: int = ERROR_TEXT_MAX) -> str:
    text = value if isinstance(value, str) else shown(value, limit)
    return clipped(text, limit)


# --- writing -----------------------------------------------------------------------------


def list_params(page_size: int = MAX_PAGE_SIZE, **filters: Any) -> dict[str, str]:
    """Query parameters for the first page of a list, filters given by our names
    (:data:`LIST_FILTERS`); a filter that is None is left out."""
    params = {PAGE_SIZE: str(page_size)}
    for key, value in filters.items():
        if value is None:
            continue
        params[LIST_FILTERS[key]] = _query_value(value)
    return params


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
