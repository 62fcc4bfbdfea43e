"""What doctor compares a live tenant with the contract by: OPTIONS metadata, JSON types.

The contract itself (paths, fields, their flags) is :mod:`kbsync.remote.wire`; this is
the other side of the comparison: how a server describes its own fields (Django REST
Framework's ``OPTIONS`` metadata, whose names are DRF's, not initdesk's), how a JSON
value is typed, and the cheapest read of a list. Only ``kbsync doctor`` uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kbsync.remote.wire import WireType, list_params, parse_datetime

__all__ = ["OPTIONS_TYPES", "FieldMetadata", "OptionsMetadata", "json_type", "options_from_wire",
           "probe_params", "value_matches"]

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


def probe_params(query: str | None = None, status: str | None = None) -> dict[str, str]:
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
    data: dict[str, Any] = meta if isinstance(meta, dict) else {}
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


#: Each JSON value's contract type name, in the order to test them (a bool is an int).
_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (type(None), "null"), (bool, "boolean"), (int, "integer"), (float, "number"),
    (str, "string"), (list, "array"), (dict, "object"))


def json_type(value: object) -> str:
    """The contract type name a JSON value has ("null" for null); datetimes are strings."""
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)),
                type(value).__name__)


def value_matches(value: object, expected: WireType) -> bool:
    """Whether a (non-null) JSON value has the contract type ``expected``."""
    actual = json_type(value)
    if expected == "datetime":
        return isinstance(value, str) and parse_datetime(value) is not None
    if expected == "number":
        return actual in ("number", "integer")
    return actual == expected
