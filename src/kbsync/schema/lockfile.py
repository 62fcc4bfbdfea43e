"""``kbsync.lock`` as pydantic reads it: the shape of each part, and what to say of a bad one.

The lock decides which remote item a file overwrites, so a lock hand-edited into another
shape (a list where entries belong, an id that is not a number) is refused with the
entry named, never guessed at. Values are strict (``"7"`` is not an id, ``true`` not a
number); keys kbsync does not know are ignored, so a lock written by a newer kbsync of
the same format version still reads. The version itself, and two entries claiming one
id, are ``kbsync.lock``'s checks (before and after these).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from kbsync.problems import shown

__all__ = ["EntryFile", "JournalHeader", "JournalRecord", "LockFile", "PortalFile",
           "RemoteFile", "kind_of", "lock_problem", "remote_problem"]

WholeId = Annotated[StrictInt, Field(ge=1)]
Text = Annotated[StrictStr, Field(min_length=1)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class EntryFile(_Part):
    id: WholeId
    path: Text
    remote: Text
    updated_at: StrictStr | None = None
    local: StrictStr | None = None


class PortalFile(_Part):
    remote: StrictStr
    updated_at: StrictStr | None = None


class RemoteFile(_Part):
    """Both, or neither (a lock never used): ``kbsync.lock`` checks that."""

    base_url: StrictStr | None = None
    organization_id: WholeId | None = None


class JournalHeader(_Part):
    """The first line of ``.kbsync/lock.journal``: which kbsync.lock its records follow
    (a hash of its bytes; None: there was no kbsync.lock)."""

    journal: Literal[1]
    base: StrictStr | None


class JournalRecord(_Part):
    """One line of the journal: what one apply step changed. An entry of None was
    removed; ``portal``, ``render`` and ``remote`` are there only when they changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    collections: dict[str, EntryFile | None] = {}
    articles: dict[str, EntryFile | None] = {}
    portal: PortalFile | None = None
    render: StrictStr | None = None
    remote: RemoteFile | None = None
    assets: dict[StrictStr, list[StrictStr]] = {}  # names published by this step


class LockFile(_Part):
    remote: RemoteFile | None = None
    render: Any = None  # the render key; anything but text reads as none
    portal: PortalFile | None = None
    collections: dict[str, EntryFile] | None = None
    articles: dict[str, EntryFile] | None = None
    #: store location ("s3://bucket/prefix") -> the content-addressed names published there
    assets: dict[StrictStr, list[StrictStr]] | None = None


#: What an entry's values must be, by key.
_ENTRY_VALUES = {"id": "a whole number >= 1", "path": "text", "remote": "text",
                 "updated_at": "text or null", "local": "text or null"}
_REMOTE_VALUES = {"base_url": "a URL", "organization_id": "a whole number >= 1"}


def lock_problem(exc: ValidationError, data: dict[str, Any]) -> str:
    """The first problem pydantic found in ``data``, said as kbsync says it."""
    loc = tuple(str(part) for part in exc.errors(include_url=False)[0]["loc"])
    head = loc[0]
    raw: Any = data[head]  # every top-level part is optional: a problem is one given
    if head == "portal":
        return f'"portal" must be an object with remote (and updated_at), got {shown(raw)}'
    if head == "assets":
        return f'"assets" must be an object of store: [names], got {shown(raw)}'
    if head == "remote":
        if len(loc) == 1:
            return ('"remote" must be an object with base_url and organization_id, got '
                    f"{shown(raw)}")
        return remote_problem(loc[1], raw.get(loc[1]))
    if len(loc) == 1:
        return f'"{head}" must be an object of slug: entry, got {kind_of(raw)}'
    where, entry = f"{head} entry {shown(loc[1])}", raw[loc[1]]
    if len(loc) == 2:
        return f"{where} must be an object with id, path and remote, got {kind_of(entry)}"
    name = loc[2]
    return f'{where}: "{name}" must be {_ENTRY_VALUES[name]}, got {shown(entry.get(name))}'


def remote_problem(name: str, value: Any) -> str:
    """What is wrong with ``remote.<name>`` (``base_url`` or ``organization_id``)."""
    return f'"remote.{name}" must be {_REMOTE_VALUES[name]}, got {shown(value)}'


def kind_of(value: Any) -> str:
    """A JSON value's kind, in words: "a list", "text", "null"."""
    names = {list: "a list", str: "text", int: "a number", float: "a number",
             bool: "true/false", type(None): "null"}
    return names.get(type(value), "something else")
