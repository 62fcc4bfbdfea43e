"""A saved plan file (``plan --out``, ``plan --json``), as pydantic reads it back.

The file is ``render.json``'s: every field of every ``Change``, written by
``dataclasses.asdict``, so these models are the file's shape and ``tests`` hold them to
the dataclasses field for field. Reading is strict, because guessing at a plan that is
about to write to a live Help Center is worse than asking for a fresh one: a value of
the wrong JSON type (no coercion: ``"17"`` is not an id, ``true`` is not a number), an
unknown key, a missing one, an unknown action or kind is a :class:`PlanError` naming the
path of the bad value (``changes[0].remote_id``). ``summary`` is written for readers
and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

from kbsync.errors import PlanError
from kbsync.plan.model import Action, Change, FieldChange, Kind, Plan, RemoteRef
from kbsync.problems import clipped
from kbsync.schema.base import fail

__all__ = ["JSON_FORMAT_VERSION", "ChangeFile", "FieldChangeFile", "PlanFile", "read_plan"]

#: Bumped whenever the shape changes; equal to ``plan.model.PLAN_FORMAT_VERSION``.
JSON_FORMAT_VERSION = 2

_KINDS: tuple[str, ...] = get_args(Kind)
_ACTIONS = tuple(action.value for action in Action)


def _one_of(noun: str, known: tuple[str, ...]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in known:
            raise fail(f"unknown {noun} {value!r} (expected one of {', '.join(known)})")
        return value

    return AfterValidator(check)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldChangeFile(_File):
    field: StrictStr
    before: Any = None
    after: Any = None


class ChangeFile(_File):
    kind: Annotated[StrictStr, _one_of("kind", _KINDS)]
    key: StrictStr
    action: Annotated[StrictStr, _one_of("action", _ACTIONS)]
    slug: StrictStr
    title: StrictStr
    remote_id: StrictInt | None = None
    fields: list[FieldChangeFile] = []
    reason: StrictStr = ""
    parent_key: StrictStr | None = None
    previous_parent: StrictStr | None = None
    remote_fingerprint: StrictStr | None = None
    local_fingerprint: StrictStr | None = None
    link_targets: list[StrictStr] = []
    renamed_from: StrictStr | None = None
    deleted_here: StrictBool = False

    def change(self) -> Change:
        values = dict(self)
        values.update(
            kind=self.kind, action=Action(self.action), link_targets=tuple(self.link_targets),
            fields=tuple(FieldChange(f.field, f.before, f.after) for f in self.fields))
        return Change(**values)


class RemoteFile(_File):
    base_url: StrictStr
    organization_id: StrictInt


class PlanFile(_File):
    format_version: StrictInt
    remote: RemoteFile
    summary: Any = None  # for readers; derived from the changes
    changes: list[ChangeFile] = []
    options: dict[str, Any] = {}
    warnings: list[StrictStr] = []
    root: StrictStr | None = None

    def plan(self) -> Plan:
        return Plan(remote=RemoteRef(self.remote.base_url, self.remote.organization_id),
                    changes=tuple(change.change() for change in self.changes),
                    version=JSON_FORMAT_VERSION, options=dict(self.options),
                    warnings=tuple(self.warnings), root=self.root)


def read_plan(data: Mapping[str, Any]) -> Plan:
    """The Plan that JSON ``data`` describes; PlanError saying where it is not one."""
    if not isinstance(data, Mapping):
        raise _bad((), f"expected an object, got {_type_name(data)}")
    _check_version(data)
    try:
        return PlanFile.model_validate(dict(data)).plan()
    except ValidationError as exc:
        raise _translated(exc.errors(include_url=False)[0]) from None


def _check_version(top: Mapping[str, Any]) -> None:
    """Another format version is a plan made by another kbsync: said before its shape."""
    if "format_version" not in top:
        raise PlanError("not a kbsync plan: it has no format_version")
    version = top["format_version"]
    if version != JSON_FORMAT_VERSION or isinstance(version, bool):
        raise PlanError(
            f"plan format_version {json.dumps(version)} is not supported: this kbsync reads "
            f"format_version {JSON_FORMAT_VERSION}; make the plan again with `kbsync plan`"
        )


#: The JSON type each of pydantic's type errors expected, in kbsync's words.
_EXPECTED = {"string_type": "a string", "int_type": "an integer", "bool_type": "true or false",
             "list_type": "a list", "dict_type": "an object", "model_type": "an object",
             "model_attributes_type": "an object"}


def _translated(error: Any) -> PlanError:
    """One pydantic error as kbsync says it: the path of the value, then what is wrong."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "missing":
        return _bad(loc[:-1], f"missing {loc[-1]!r}")
    if kind == "extra_forbidden":
        return _bad(loc[:-1], f"unknown key {loc[-1]}")
    if kind in _EXPECTED:
        return _bad(loc, f"expected {_EXPECTED[kind]}, got {_type_name(error['input'])}")
    message = (error.get("ctx") or {}).get("message") or error["msg"]
    return _bad(loc, str(message))


def _bad(loc: tuple[int | str, ...], problem: str) -> PlanError:
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return PlanError(f"invalid plan: {clipped(where.lstrip('.') or 'plan', 120)}: "
                     f"{clipped(problem, 200)}")


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__
