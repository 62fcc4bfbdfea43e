"""Field rules of the emulated resources, spelled from the contract document.

One table per resource drives both input validation (``validate``) and the ``OPTIONS``
metadata the app answers, so what the emulator enforces and what it advertises to
``kbsync doctor`` cannot drift apart. Messages follow Django REST Framework's wording,
because that is what the real service is built with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
HOST_RE = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$",
    re.IGNORECASE,
)
MAX_ID = 2**63 - 1
MAX_POSITION = 2**31 - 1

REQUIRED = "This field is required."
READ_ONLY = "This field is read-only."
UNKNOWN = "Unknown field."
NOT_NULL = "This field may not be null."
NOT_BLANK = "This field may not be blank."
NOT_STRING = "Not a valid string."
NOT_INTEGER = "A valid integer is required."
NOT_BOOLEAN = "Must be a valid boolean."
BAD_SLUG = (
    'Enter a valid slug: lowercase letters, digits and single hyphens, e.g. "getting-started".'
)
BAD_COLOUR = "Enter a colour in the form #RRGGBB."
BAD_HOST = "Enter a host name only, without scheme, port or path, e.g. help.example.com."


class Invalid(Exception):
    """A request's fields broke the rules; carries every message, keyed by field."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = dict(errors)
        super().__init__(self.errors)


def _pattern(regex: re.Pattern[str], message: str) -> Callable[[str], str | None]:
    """A string rule that answers ``message`` when ``regex`` does not match."""

    def check(value: str) -> str | None:
        return None if regex.match(value) else message

    return check


@dataclass(frozen=True)
class Field:
    """One wire field: its type, flags and limits, as DRF would describe it."""

    name: str
    kind: str  # "string" | "integer" | "boolean" | "choice" | "datetime" | "field"
    label: str
    required: bool = False
    read_only: bool = False
    nullable: bool = False
    blank: bool = True
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    choices: tuple[str, ...] = ()
    check: Callable[[str], str | None] | None = None

    def metadata(self) -> dict[str, Any]:
        """The DRF ``OPTIONS`` description of this field."""
        out: dict[str, Any] = {
            "type": self.kind,
            "required": self.required,
            "read_only": self.read_only,
            "label": self.label,
        }
        if self.max_length is not None:
            out["max_length"] = self.max_length
        if self.min_value is not None:
            out["min_value"] = self.min_value
        if self.choices:
            out["choices"] = [{"value": c, "display_name": c.title()} for c in self.choices]
        return out

    def clean(self, value: Any) -> tuple[Any, str | None]:
        """Check one incoming value; answer (value, None) or (None, message)."""
        if value is None:
            return (None, None) if self.nullable else (None, NOT_NULL)
        if self.kind == "boolean":
            return (value, None) if isinstance(value, bool) else (None, NOT_BOOLEAN)
        if self.kind == "integer":
            return self._clean_integer(value)
        if self.kind == "choice":
            ok = isinstance(value, str) and value in self.choices
            return (value, None) if ok else (None, f'"{value}" is not a valid choice.')
        return self._clean_string(value)

    def _clean_integer(self, value: Any) -> tuple[Any, str | None]:
        if isinstance(value, bool) or not isinstance(value, int):
            return None, NOT_INTEGER
        if self.min_value is not None and value < self.min_value:
            return None, f"Ensure this value is greater than or equal to {self.min_value}."
        if self.max_value is not None and value > self.max_value:
            return None, f"Ensure this value is less than or equal to {self.max_value}."
        return value, None

    def _clean_string(self, value: Any) -> tuple[Any, str | None]:
        if not isinstance(value, str):
            return None, NOT_STRING
        if not value and not self.blank:
            return None, NOT_BLANK
        if self.max_length is not None and len(value) > self.max_length:
            return None, f"Ensure this field has no more than {self.max_length} characters."
        message = self.check(value) if self.check is not None and value else None
        return (None, message) if message else (value, None)


def validate(fields: tuple[Field, ...], body: Any, *, partial: bool) -> dict[str, Any]:
    """Check a request body against ``fields``; raise ``Invalid`` with every problem.

    ``partial`` (PATCH) skips the required check. Unknown and read-only fields are rejected, as
    the contract says, rather than silently dropped.
    """
    if not isinstance(body, dict):
        kind = "list" if isinstance(body, list) else type(body).__name__
        raise Invalid(
            {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
        )
    by_name = {f.name: f for f in fields}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in body.items():
        spec = by_name.get(key)
        if spec is None:
            errors[key] = [UNKNOWN]
        elif spec.read_only:
            errors[key] = [READ_ONLY]
        else:
            cleaned, message = spec.clean(value)
            if message:
                errors[key] = [message]
            else:
                clean[key] = cleaned
    if not partial:
        for spec in fields:
            if spec.required and spec.name not in body:
                errors[spec.name] = [REQUIRED]
    if errors:
        raise Invalid(errors)
    return clean


def metadata(fields: tuple[Field, ...]) -> dict[str, dict[str, Any]]:
    """Every field's DRF ``OPTIONS`` description, in wire order."""
    return {f.name: f.metadata() for f in fields}


def _timestamps() -> tuple[Field, Field]:
    return (
        Field("created_at", "datetime", "Created at", read_only=True),
        Field("updated_at", "datetime", "Updated at", read_only=True),
    )


def _slug() -> Field:
    return Field(
        "slug", "string", "Slug", max_length=255, blank=False, check=_pattern(SLUG_RE, BAD_SLUG)
    )


def _position() -> Field:
    return Field("position", "integer", "Position", min_value=0, max_value=MAX_POSITION)


def _reference(name: str, label: str) -> Field:
    return Field(name, "integer", label, nullable=True, min_value=1, max_value=MAX_ID)


# The portal is only ever replaced whole (PUT) or patched, so every writable field is
# required: a PUT that leaves one out is refused instead of resetting it to a default.
PORTAL_FIELDS: tuple[Field, ...] = (
    Field("id", "integer", "ID", read_only=True),
    Field("name", "string", "Name", required=True, max_length=255, blank=False),
    Field(
        "custom_domain",
        "string",
        "Custom domain",
        required=True,
        nullable=True,
        blank=False,
        max_length=255,
        check=_pattern(HOST_RE, BAD_HOST),
    ),
    Field(
        "meta_description",
        "string",
        "Meta description",
        required=True,
        nullable=True,
        max_length=500,
    ),
    Field("allow_robots", "boolean", "Allow robots", required=True),
    Field(
        "primary_color",
        "string",
        "Primary color",
        required=True,
        max_length=7,
        blank=False,
        check=_pattern(COLOUR_RE, BAD_COLOUR),
    ),
    Field("is_active", "boolean", "Is active", required=True),
    Field("enable_ticket_creation_form", "boolean", "Enable ticket creation form", required=True),
    Field("organization", "field", "Organization", read_only=True),
    *_timestamps(),
)

COLLECTION_FIELDS: tuple[Field, ...] = (
    Field("id", "integer", "ID", read_only=True),
    Field("name", "string", "Name", required=True, max_length=255, blank=False),
    _slug(),
    Field("description", "string", "Description", nullable=True, max_length=1000),
    _reference("parent_id", "Parent"),
    _position(),
    *_timestamps(),
)

ARTICLE_FIELDS: tuple[Field, ...] = (
    Field("id", "integer", "ID", read_only=True),
    Field("title", "string", "Title", required=True, max_length=255, blank=False),
    _slug(),
    Field("excerpt", "string", "Excerpt", nullable=True, max_length=500),
    Field("content", "string", "Content"),
    Field("content_html", "string", "Content html"),
    _reference("collection_id", "Collection"),
    Field("status", "choice", "Status", choices=("draft", "published")),
    _position(),
    Field("url", "string", "Url", read_only=True),
    Field("published_at", "datetime", "Published at", read_only=True),
    *_timestamps(),
)

ARTICLE_STATUSES = ("draft", "published")
