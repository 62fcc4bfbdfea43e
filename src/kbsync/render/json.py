"""Plan <-> versioned JSON: the saved plan file and ``plan --json``.

The JSON is complete (every Change field), because ``apply PLANFILE`` executes exactly what
was saved, and :func:`plan_from_dict` is its exact inverse. Reading is strict: a file of
another format version, an unknown action or a missing field is refused with the path of
the bad value, because guessing at a plan that is about to write to a live Help Center is
worse than asking for a fresh one. ``summary`` is written for readers and ignored on read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, get_args

from kbsync.errors import PlanError
from kbsync.plan.model import Action, Change, FieldChange, Kind, Plan, RemoteRef
from kbsync.problems import clipped

#: Bumped whenever the shape below changes; equal to ``plan.model.PLAN_FORMAT_VERSION``.
JSON_FORMAT_VERSION = 2

_TOP_KEYS = {"format_version", "remote", "summary", "changes", "options", "warnings", "root"}
_REMOTE_KEYS = {"base_url", "organization_id"}
_FIELD_KEYS = {"field", "before", "after"}
_CHANGE_REQUIRED = ("kind", "key", "action", "slug", "title")
_CHANGE_KEYS = {*_CHANGE_REQUIRED, "remote_id", "reason", "parent_key", "previous_parent",
                "remote_fingerprint",
                "local_fingerprint", "link_targets", "fields", "renamed_from",
                "deleted_here"}
_KINDS: tuple[str, ...] = get_args(Kind)


def render_json(plan: Plan) -> str:
    """The plan as stable, diff-friendly JSON text (sorted keys, two-space indent)."""
    return json.dumps(plan_to_dict(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -- writing --------------------------------------------------------------------------------


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Every field of the plan as JSON values; ``summary`` is derived, for humans and CI."""
    return {
        "format_version": plan.version,
        "remote": {"base_url": plan.remote.base_url,
                   "organization_id": plan.remote.organization_id},
        "summary": {action.value: plan.count(action) for action in Action},
        "changes": [_change_to_dict(change) for change in plan.changes],
        "options": dict(plan.options),
        "warnings": list(plan.warnings),
        "root": plan.root,
    }


def _change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "key": change.key,
        "action": change.action.value,
        "slug": change.slug,
        "title": change.title,
        "remote_id": change.remote_id,
        "reason": change.reason,
        "parent_key": change.parent_key,
        "previous_parent": change.previous_parent,
        "remote_fingerprint": change.remote_fingerprint,
        "local_fingerprint": change.local_fingerprint,
        "link_targets": list(change.link_targets),
        "renamed_from": change.renamed_from,
        "deleted_here": change.deleted_here,
        "fields": [{"field": f.field, "before": f.before, "after": f.after}
                   for f in change.fields],
    }


# -- reading --------------------------------------------------------------------------------


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    """The Plan a :func:`plan_to_dict` result describes; PlanError if it is not one."""
    top = _mapping(data, "plan")
    _check_version(top)
    _only_keys(top, _TOP_KEYS, "plan")
    return Plan(
        remote=_remote(_required(top, "remote", "plan")),
        changes=tuple(_change(item, f"changes[{index}]")
                      for index, item in enumerate(_list(top.get("changes", []), "changes"))),
        version=JSON_FORMAT_VERSION,
        options=dict(_mapping(top.get("options", {}), "options")),
        warnings=tuple(_str(item, f"warnings[{index}]")
                       for index, item in enumerate(_list(top.get("warnings", []), "warnings"))),
        root=_optional_str(top.get("root"), "root"),
    )


def _check_version(top: Mapping[str, Any]) -> None:
    if "format_version" not in top:
        raise PlanError("not a kbsync plan: it has no format_version")
    version = top["format_version"]
    if version != JSON_FORMAT_VERSION or isinstance(version, bool):
        raise PlanError(
            f"plan format_version {json.dumps(version)} is not supported: this kbsync reads "
            f"format_version {JSON_FORMAT_VERSION}; make the plan again with `kbsync plan`"
        )


def _remote(value: object) -> RemoteRef:
    remote = _mapping(value, "remote")
    _only_keys(remote, _REMOTE_KEYS, "remote")
    return RemoteRef(
        base_url=_str(_required(remote, "base_url", "remote"), "remote.base_url"),
        organization_id=_int(_required(remote, "organization_id", "remote"),
                             "remote.organization_id"),
    )


def _change(value: object, where: str) -> Change:
    item = _mapping(value, where)
    _only_keys(item, _CHANGE_KEYS, where)
    kind, key, action, slug, title = (
        _str(_required(item, name, where), f"{where}.{name}") for name in _CHANGE_REQUIRED
    )
    return Change(
        kind=_kind(kind, f"{where}.kind"),
        key=key,
        action=_action(action, f"{where}.action"),
        slug=slug,
        title=title,
        remote_id=_optional_int(item.get("remote_id"), f"{where}.remote_id"),
        fields=tuple(_field(f, f"{where}.fields[{i}]")
                     for i, f in enumerate(_list(item.get("fields", []), f"{where}.fields"))),
        reason=_str(item.get("reason", ""), f"{where}.reason"),
        parent_key=_optional_str(item.get("parent_key"), f"{where}.parent_key"),
        previous_parent=_optional_str(item.get("previous_parent"), f"{where}.previous_parent"),
        remote_fingerprint=_optional_str(item.get("remote_fingerprint"),
                                         f"{where}.remote_fingerprint"),
        local_fingerprint=_optional_str(item.get("local_fingerprint"),
                                        f"{where}.local_fingerprint"),
        link_targets=tuple(
            _str(t, f"{where}.link_targets[{i}]")
            for i, t in enumerate(_list(item.get("link_targets", []), f"{where}.link_targets"))
        ),
        renamed_from=_optional_str(item.get("renamed_from"), f"{where}.renamed_from"),
        deleted_here=_bool(item.get("deleted_here", False), f"{where}.deleted_here"),
    )


def _field(value: object, where: str) -> FieldChange:
    item = _mapping(value, where)
    _only_keys(item, _FIELD_KEYS, where)
    name = _str(_required(item, "field", where), f"{where}.field")
    return FieldChange(field=name, before=item.get("before"), after=item.get("after"))


def _kind(value: str, where: str) -> Kind:
    if value not in _KINDS:
        raise _bad(where, f"unknown kind {value!r} (expected one of {', '.join(_KINDS)})")
    return value  # type: ignore[return-value]  # narrowed by the check above


def _action(value: str, where: str) -> Action:
    try:
        return Action(value)
    except ValueError:
        known = ", ".join(action.value for action in Action)
        raise _bad(where, f"unknown action {value!r} (expected one of {known})") from None


# -- shape checks, each naming the path of the bad value ------------------------------------


def _bad(where: str, problem: str) -> PlanError:
    return PlanError(f"invalid plan: {clipped(where, 120)}: {clipped(problem, 200)}")


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(where, f"expected an object, got {_type_name(value)}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _bad(where, f"expected a list, got {_type_name(value)}")
    return value


def _required(item: Mapping[str, Any], name: str, where: str) -> object:
    if name not in item:
        raise _bad(where, f"missing {name!r}")
    return item[name]


def _only_keys(item: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise _bad(where, f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")


def _str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _bad(where, f"expected a string, got {_type_name(value)}")
    return value


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(where, f"expected true or false, got {_type_name(value)}")
    return value


def _optional_str(value: object, where: str) -> str | None:
    return None if value is None else _str(value, where)


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(where, f"expected an integer, got {_type_name(value)}")
    return value


def _optional_int(value: object, where: str) -> int | None:
    return None if value is None else _int(value, where)
