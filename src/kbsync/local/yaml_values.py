"""Values PyYAML's safe loader builds, as JSON and back, types and all.

The parse cache keeps each file's front matter as it was read, so a warm run parses no
YAML. JSON alone would blur what the schema tells apart: a date would come back as a
string, a set or a tuple as a list, a mapping with number keys with string keys. So
every value that JSON would change is written as a small tagged object, and a mapping
always as its list of pairs; what cannot be written faithfully raises
:class:`NotCacheable` and that file is simply read again next time.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from typing import Any

__all__ = ["NotCacheable", "from_json", "to_json"]

#: The tag key of an encoded value; a real mapping is always {"m": pairs}.
_TAG = "t"


class NotCacheable(ValueError):
    """A value outside what the safe loader builds (it is not cached)."""


def to_json(value: Any) -> Any:
    """``value`` as JSON data that :func:`from_json` turns back into an equal value of
    the same types."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if math.isfinite(value) else {_TAG: "f", "v": repr(value)}
    if kind is list:
        return [to_json(item) for item in value]
    if kind is dict:
        return {"m": [[to_json(k), to_json(v)] for k, v in value.items()]}
    if kind in _TAGGED:
        tag, encode = _TAGGED[kind]
        return {_TAG: tag, "v": encode(value)}
    raise NotCacheable(kind.__name__)


def from_json(data: Any) -> Any:
    """The value :func:`to_json` wrote; ValueError (or KeyError, TypeError) for data it
    did not write."""
    if isinstance(data, list):
        return [from_json(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "m" in data:
        return {from_json(k): from_json(v) for k, v in data["m"]}
    return _DECODE[data[_TAG]](data["v"])


def _datetime(value: dt.datetime) -> str:
    return value.isoformat()


_TAGGED: dict[type, tuple[str, Any]] = {
    dt.datetime: ("dt", _datetime),
    dt.date: ("d", dt.date.isoformat),
    bytes: ("b", lambda v: base64.b64encode(v).decode("ascii")),
    set: ("s", lambda v: [to_json(item) for item in v]),
    tuple: ("u", lambda v: [to_json(item) for item in v]),
}
_DECODE: dict[str, Any] = {
    "f": float,
    "dt": dt.datetime.fromisoformat,
    "d": dt.date.fromisoformat,
    "b": base64.b64decode,
    "s": lambda v: {from_json(item) for item in v},
    "u": lambda v: tuple(from_json(item) for item in v),
}
