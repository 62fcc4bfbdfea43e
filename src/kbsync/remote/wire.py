"""THE wire contract: every path, query parameter, header and field name of initdesk.

Most of the Help Center API is our reconstruction (see shared/initdesk-api-notes.md), so
when a live tenant proves a name wrong, this is the one module to change; ``kbsync
doctor`` compares a tenant with the tables below. Nothing else in kbsync spells a path or
a wire field name: other modules speak the frozen types of ``kbsync.model``.

Reading is liberal (unknown fields ignored, optional fields defaulted); writing is strict
(only writable fields, trailing slash always).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from kbsync.errors import ContractError
from kbsync.model import (
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
PARENT_FILTER = "parent_id"
COLLECTION_FILTER = "collection_id"
STATUS_FILTER = "status"
CREATED_AFTER = "created_after"
CREATED_BEFORE = "created_before"
SPAM_FILTER = "is_spam"

PAGE_COUNT = "count"
PAGE_NEXT = "next"
PAGE_PREVIOUS = "previous"
PAGE_RESULTS = "results"

ERROR_DETAIL = "detail"
NON_FIELD_ERRORS = "non_field_errors"


# --- paths (always with the trailing slash) ----------------------------------------------


def organization_path(org: int) -> str:
    return f"/organizations/{org}/"


def portal_path(org: int) -> str:
    return f"/organizations/{org}/portal/"


def collections_path(org: int) -> str:
    return f"/organizations/{org}/portal/collections/"


def collections_tree_path(org: int) -> str:
    return f"/organizations/{org}/portal/collections/tree/"


def collection_path(org: int, collection_id: int) -> str:
    return f"/organizations/{org}/portal/collections/{collection_id}/"


def articles_path(org: int) -> str:
    return f"/organizations/{org}/portal/articles/"


def article_path(org: int, article_id: int) -> str:
    return f"/organizations/{org}/portal/articles/{article_id}/"


def article_search_path(org: int) -> str:
    return f"/organizations/{org}/portal/articles/search/"


def tickets_path(org: int) -> str:
    return f"/organizations/{org}/tickets/"


# --- the field tables (what doctor checks) -----------------------------------------------

WireType = Literal["integer", "string", "boolean", "datetime", "object", "array", "number"]


@dataclass(frozen=True, slots=True)
class WireField:
    name: str
    type: WireType
    writable: bool
    nullable: bool = False
    required: bool = False
    max_length: int | None = None


@dataclass(frozen=True, slots=True)
class Resource:
    """One endpoint of the contract and the fields its objects carry."""

    name: str
    path: str  # with {org} standing for the organization id
    fields: tuple[WireField, ...]
    paginated: bool = True

    def field(self, name: str) -> WireField | None:
        return next((f for f in self.fields if f.name == name), None)


_TIMESTAMPS = (
    WireField("created_at", "datetime", writable=False),
    WireField("updated_at", "datetime", writable=False),
)

ORGANIZATION = Resource(
    "organization",
    "/organizations/{org}/",
    (
        WireField("id", "integer", writable=False),
        WireField("public_id", "string", writable=False),
        WireField("name", "string", writable=False),
        WireField("site_url", "string", writable=False, nullable=True),
    ),
    paginated=False,
)

PORTAL = Resource(
    "portal",
    "/organizations/{org}/portal/",
    (
        WireField("id", "integer", writable=False),
        WireField("name", "string", writable=True, required=True, max_length=255),
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

COLLECTION = Resource(
    "collections",
    "/organizations/{org}/portal/collections/",
    (
        WireField("id", "integer", writable=False),
        WireField("name", "string", writable=True, required=True, max_length=255),
        WireField("slug", "string", writable=True, max_length=255),
        WireField("description", "string", writable=True, nullable=True, max_length=1000),
        WireField("parent_id", "integer", writable=True, nullable=True),
        WireField("position", "integer", writable=True),
        *_TIMESTAMPS,
    ),
)

COLLECTION_TREE = Resource(
    "collections tree",
    "/organizations/{org}/portal/collections/tree/",
    (*COLLECTION.fields, WireField("children", "array", writable=False),
     WireField("article_count", "integer", writable=False)),
    paginated=False,
)

ARTICLE = Resource(
    "articles",
    "/organizations/{org}/portal/articles/",
    (
        WireField("id", "integer", writable=False),
        WireField("title", "string", writable=True, required=True, max_length=255),
        WireField("slug", "string", writable=True, max_length=255),
        WireField("excerpt", "string", writable=True, nullable=True, max_length=500),
        WireField("content", "string", writable=True),
        WireField("content_html", "string", writable=True),
        WireField("collection_id", "integer", writable=True, nullable=True),
        WireField("status", "string", writable=True),
        WireField("position", "integer", writable=True),
        WireField("url", "string", writable=False),
        WireField("published_at", "datetime", writable=False, nullable=True),
        *_TIMESTAMPS,
    ),
)

ARTICLE_SEARCH = Resource(
    "article search",
    "/organizations/{org}/portal/articles/search/",
    (*ARTICLE.fields, WireField("score", "number", writable=False)),
)

TICKET = Resource(
    "tickets",
    "/organizations/{org}/tickets/",
    (
        WireField("id", "integer", writable=False),
        WireField("public_id", "integer", writable=False),
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

# Our domain attribute name -> wire field name, per writable resource. They coincide
# today; the mapping is what changes if a live tenant spells a field differently.
PORTAL_WIRE_NAMES = {f.name: f.name for f in PORTAL.fields if f.writable}
COLLECTION_WIRE_NAMES = {f.name: f.name for f in COLLECTION.fields if f.writable}
ARTICLE_WIRE_NAMES = {f.name: f.name for f in ARTICLE.fields if f.writable}


# --- reading -----------------------------------------------------------------------------


def _require(obj: object, resource: str) -> Json:
    if not isinstance(obj, dict):
        raise ContractError(f"{resource}: expected a JSON object, got {type(obj).__name__}")
    return cast(Json, obj)


def _get(data: Json, name: str, kind: type | tuple[type, ...], resource: str,
         *, default: Any = ..., nullable: bool = False) -> Any:
    if name not in data:
        if default is ...:
            raise ContractError(f"{resource}: field '{name}' is missing from the answer")
        return default
    value = data[name]
    if value is None and nullable:
        return None
    if isinstance(value, bool) and kind is int:
        raise ContractError(f"{resource}: field '{name}' should be {kind.__name__}, got bool")
    if not isinstance(value, kind):
        expected = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ContractError(
            f"{resource}: field '{name}' should be {expected}, got {type(value).__name__}"
        )
    return value


def organization_from_wire(obj: object) -> Organization:
    data = _require(obj, "organization")
    return Organization(
        id=_get(data, "id", int, "organization"),
        public_id=str(_get(data, "public_id", (str, int), "organization", default="")),
        name=_get(data, "name", str, "organization", default=""),
        site_url=_get(data, "site_url", str, "organization", default=None, nullable=True),
    )


#: What a portal setting left out of an answer is taken to be: the model's defaults.
_PORTAL_DEFAULTS = PortalSettings(name="")


def portal_from_wire(obj: object) -> Portal:
    data = _require(obj, "portal")
    r = "portal"
    d = _PORTAL_DEFAULTS
    settings = PortalSettings(
        name=_get(data, "name", str, r),
        custom_domain=_get(data, "custom_domain", str, r, default=d.custom_domain,
                           nullable=True),
        meta_description=_get(data, "meta_description", str, r, default=d.meta_description,
                              nullable=True),
        allow_robots=_get(data, "allow_robots", bool, r, default=d.allow_robots),
        primary_color=_get(data, "primary_color", str, r, default=d.primary_color),
        is_active=_get(data, "is_active", bool, r, default=d.is_active),
        enable_ticket_creation_form=_get(
            data, "enable_ticket_creation_form", bool, r,
            default=d.enable_ticket_creation_form),
    )
    return Portal(
        id=_get(data, "id", int, r, default=0),
        settings=settings,
        updated_at=_get(data, "updated_at", str, r, default=None, nullable=True),
    )


def collection_from_wire(obj: object) -> RemoteCollection:
    data = _require(obj, "collection")
    r = f"collection {data.get('id', '?')}"
    children_raw = _get(data, "children", list, r, default=[])
    return RemoteCollection(
        id=_get(data, "id", int, r),
        fields=CollectionFields(
            name=_get(data, "name", str, r),
            slug=_get(data, "slug", str, r),
            # "" and null both mean "no description" (a web form may send either)
            description=_get(data, "description", str, r, default=None, nullable=True) or None,
            parent_id=_get(data, "parent_id", int, r, default=None, nullable=True),
            position=_get(data, "position", int, r, default=0),
        ),
        updated_at=_get(data, "updated_at", str, r, default=None, nullable=True),
        article_count=_get(data, "article_count", int, r, default=None, nullable=True),
        children=tuple(collection_from_wire(child) for child in children_raw),
    )


def article_from_wire(obj: object) -> RemoteArticle:
    data = _require(obj, "article")
    r = f"article {data.get('id', '?')}"
    status = _get(data, "status", str, r, default="draft")
    if status not in ("draft", "published"):
        raise ContractError(f"{r}: field 'status' has unknown value {status!r}")
    return RemoteArticle(
        id=_get(data, "id", int, r),
        fields=ArticleFields(
            title=_get(data, "title", str, r),
            slug=_get(data, "slug", str, r),
            excerpt=_get(data, "excerpt", str, r, default=None, nullable=True) or None,
            status=status,
            collection_id=_get(data, "collection_id", int, r, default=None, nullable=True),
            position=_get(data, "position", int, r, default=0),
            content_html=_get(data, "content_html", str, r, default="", nullable=True) or "",
            content=_get(data, "content", str, r, default="", nullable=True) or "",
        ),
        url=_get(data, "url", str, r, default=None, nullable=True),
        published_at=_get(data, "published_at", str, r, default=None, nullable=True),
        updated_at=_get(data, "updated_at", str, r, default=None, nullable=True),
    )


def search_hit_from_wire(obj: object) -> SearchHit:
    data = _require(obj, "search result")
    score = _get(data, "score", (int, float), "search result", default=0.0)
    return SearchHit(article=article_from_wire(data), score=float(score))


def ticket_from_wire(obj: object) -> Ticket:
    data = _require(obj, "ticket")
    r = f"ticket {data.get('id', '?')}"
    tags = _get(data, "tags", list, r, default=[], nullable=True) or []
    return Ticket(
        id=_get(data, "id", int, r),
        subject=_get(data, "subject", str, r, default="", nullable=True) or "",
        description=_get(data, "description", str, r, default="", nullable=True) or "",
        description_html=_get(data, "description_html", str, r, default="", nullable=True)
        or "",
        public_id=_get(data, "public_id", (int, str), r, default=None, nullable=True),
        summary=_get(data, "summary", str, r, default=None, nullable=True),
        tags=tuple(str(tag) for tag in tags),
        language=_get(data, "language", str, r, default=None, nullable=True),
        created_at=_get(data, "created_at", str, r, default=None, nullable=True),
        is_spam=_get(data, "is_spam", bool, r, default=False),
    )


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


def _rename(values: Mapping[str, Any], names: Mapping[str, str], resource: str) -> Json:
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ValueError(f"{resource}: not writable fields: {', '.join(unknown)}")
    return {names[key]: value for key, value in values.items()}


def portal_to_wire(settings: PortalSettings) -> Json:
    return _rename(dataclasses.asdict(settings), PORTAL_WIRE_NAMES, "portal")


def portal_patch_to_wire(changes: Mapping[str, Any]) -> Json:
    return _rename(changes, PORTAL_WIRE_NAMES, "portal")


def collection_to_wire(fields: CollectionFields) -> Json:
    return _rename(dataclasses.asdict(fields), COLLECTION_WIRE_NAMES, "collection")


def collection_patch_to_wire(changes: Mapping[str, Any]) -> Json:
    return _rename(changes, COLLECTION_WIRE_NAMES, "collection")


def article_to_wire(fields: ArticleFields) -> Json:
    return _rename(dataclasses.asdict(fields), ARTICLE_WIRE_NAMES, "article")


def article_patch_to_wire(changes: Mapping[str, Any]) -> Json:
    return _rename(changes, ARTICLE_WIRE_NAMES, "article")


def list_params(page_size: int = MAX_PAGE_SIZE, **filters: Any) -> dict[str, str]:
    """Query parameters for the first page of a list, filters given by our names."""
    names = {
        "parent_id": PARENT_FILTER,
        "collection_id": COLLECTION_FILTER,
        "status": STATUS_FILTER,
        "created_after": CREATED_AFTER,
        "created_before": CREATED_BEFORE,
        "is_spam": SPAM_FILTER,
        "query": SEARCH_QUERY,
    }
    params = {PAGE_SIZE: str(page_size)}
    for key, value in filters.items():
        if value is None:
            continue
        params[names[key]] = _query_value(value)
    return params


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)



# --- doctor: endpoints, OPTIONS metadata and value types ---------------------------------
# (added for ``kbsync doctor``; the metadata names are Django REST Framework's)

OPTIONS_ACTIONS = "actions"
#: The write actions whose field metadata doctor reads, in order of preference: POST
#: (create) says what a new object needs; PUT is what a singleton like the portal offers.
OPTIONS_WRITE_METHODS = ("POST", "PUT")
OPTIONS_TYPE = "type"
OPTIONS_REQUIRED = "required"
OPTIONS_READ_ONLY = "read_only"
OPTIONS_MAX_LENGTH = "max_length"

#: The DRF metadata type names that satisfy each contract type. DRF renders related
#: fields (foreign keys) and nested serializers as "field", choices as "choice".
OPTIONS_TYPES: dict[str, frozenset[str]] = {
    "integer": frozenset({"integer", "field"}),
    "string": frozenset({"string", "choice", "slug", "email", "url", "regex"}),
    "boolean": frozenset({"boolean"}),
    "datetime": frozenset({"datetime"}),
    "object": frozenset({"nested object", "field"}),
    "array": frozenset({"list", "multiple choice", "field"}),
    "number": frozenset({"float", "decimal", "integer"}),
}


@dataclass(frozen=True, slots=True)
class FieldMetadata:
    """What an ``OPTIONS`` answer says about one field; None where it says nothing."""

    name: str
    type: str | None
    required: bool | None
    read_only: bool | None
    max_length: int | None


@dataclass(frozen=True, slots=True)
class OptionsMetadata:
    """The field metadata of one write action (``method``) of an ``OPTIONS`` answer."""

    method: str
    fields: dict[str, FieldMetadata]


def resource_path(resource: Resource, org: int) -> str:
    """The path of a contract resource for organization ``org``."""
    return resource.path.format(org=org)


def doctor_list_params(query: str | None = None, status: str | None = None) -> dict[str, str]:
    """The cheapest list read: the first page holding one object."""
    return list_params(page_size=1, query=query, status=status)


def options_from_wire(obj: object) -> OptionsMetadata | None:
    """The first write action's field metadata, or None when none is advertised."""
    if not isinstance(obj, dict):
        return None
    actions = obj.get(OPTIONS_ACTIONS)
    if not isinstance(actions, dict):
        return None
    for method in OPTIONS_WRITE_METHODS:
        fields = actions.get(method)
        if isinstance(fields, dict):
            return OptionsMetadata(method, {
                str(name): _field_metadata(str(name), meta) for name, meta in fields.items()
            })
    return None


def _field_metadata(name: str, meta: object) -> FieldMetadata:
    data = meta if isinstance(meta, dict) else {}
    kind = data.get(OPTIONS_TYPE)
    required = data.get(OPTIONS_REQUIRED)
    read_only = data.get(OPTIONS_READ_ONLY)
    max_length = data.get(OPTIONS_MAX_LENGTH)
    return FieldMetadata(
        name=name,
        type=kind if isinstance(kind, str) else None,
        required=required if isinstance(required, bool) else None,
        read_only=read_only if isinstance(read_only, bool) else None,
        max_length=max_length if isinstance(max_length, int)
        and not isinstance(max_length, bool) else None,
    )


def json_type(value: object) -> str:
    """The contract type name a JSON value has ("null" for null); datetimes are strings."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def value_matches(value: object, expected: WireType) -> bool:
    """Whether a (non-null) JSON value has the contract type ``expected``."""
    actual = json_type(value)
    if expected == "datetime":
        return isinstance(value, str) and is_datetime(value)
    if expected == "number":
        return actual in ("number", "integer")
    return actual == expected


def is_datetime(text: str) -> bool:
    """ISO 8601 as DRF writes it (a trailing ``Z`` included)."""
    try:
        _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return False
    return True
