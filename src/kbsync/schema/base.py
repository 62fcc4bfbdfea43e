"""Running a model over parsed data and mapping its errors back to file:line:key."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from kbsync.problems import Problem, Severity, sort_key

__all__ = ["FieldProblem", "LineOf", "check", "did_you_mean", "fail", "unknown_keys"]

M = TypeVar("M", bound=BaseModel)
#: The file line of a key, given its location (``("remote", "base_url")``), if known.
LineOf = Callable[[tuple[str, ...]], int | None]
ERROR_TYPE = "kbsync"


#: Raised by validators: kbsync's message and hint for one bad value (pydantic's own
#: custom error, which older pydantic versions do not let us subclass).
FieldProblem = PydanticCustomError


_NOTHING = object()


def fail(message: str, hint: str | None = None, *, keep: object = _NOTHING,
         identity: bool = False) -> FieldProblem:
    """The error a validator raises. ``keep``: a value that stays in the model all the
    same (a title too long, a slug not valid: the item is still shown with it)."""
    context: dict[str, object] = {"message": message, "hint": hint, "identity": identity}
    if keep is not _NOTHING:
        context["keep"] = True
        context["value"] = keep
    return PydanticCustomError(ERROR_TYPE, "{message}", context)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice, for hints; None when nothing is close."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


#: What to say of a key the model does not know, by its location: (message, hint).
Unknown = Callable[[tuple[str, ...]], tuple[str, str | None]]


def check(model: type[M], data: Mapping[str, Any], *, path: str, line_of: LineOf,
          unknown: Unknown | None = None) -> tuple[M, list[Problem]]:
    """``model`` of ``data`` and the problems found, one per bad value.

    A bad value is left out (its default applies), unless its validator asked to keep
    it. ``unknown`` words the problem of a key the model does not know.
    """
    try:
        return model.model_validate(dict(data)), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    problems = sorted((_problem(error, path, line_of, unknown) for error in errors),
                      key=sort_key)
    cleaned: dict[str, Any] = _without(dict(data), [tuple(str(p) for p in e["loc"])
                                                    for e in errors])
    result = model.model_validate(cleaned)
    kept = {str(e["loc"][0]): e["ctx"]["value"] for e in errors
            if len(e["loc"]) == 1 and (e.get("ctx") or {}).get("keep")}
    return (result.model_copy(update=kept) if kept else result), problems


def _without(data: dict[str, Any], locations: list[tuple[str, ...]]) -> dict[str, Any]:
    out = dict(data)
    for loc in locations:
        if not loc:
            continue
        head, rest = loc[0], loc[1:]
        if rest and isinstance(out.get(head), dict):
            out[head] = _without(out[head], [rest])
        else:
            out.pop(head, None)
    return out


def _problem(error: Any, path: str, line_of: LineOf, unknown: Unknown | None) -> Problem:
    loc = tuple(str(part) for part in error["loc"])
    key = ".".join(loc) or None
    ctx = error.get("ctx") or {}
    line = line_of(loc)
    if error["type"] == ERROR_TYPE:
        return Problem(path, str(ctx["message"]), line=line, key=key, hint=ctx.get("hint"),
                       identity=bool(ctx.get("identity")))
    if error["type"] == "extra_forbidden":
        message, hint = unknown(loc) if unknown is not None else ("unknown key", None)
        return Problem(path, message, line=line, key=key, hint=hint)
    if error["type"] in ("model_type", "dict_type", "model_attributes_type"):
        return Problem(path, "must be a table of settings", line=line, key=key,
                       hint=f"write it as [{key}] with one setting per line")
    return Problem(path, str(error["msg"]).lower(), line=line, key=key)  # not expected


def unknown_keys(data: Mapping[str, Any], known: Iterable[str], extra: Iterable[str], *,
                 path: str, lines: Mapping[str, int],
                 severity: Severity = "warning") -> list[Problem]:
    """Keys neither the model nor the team (``extra_keys``) knows, with a did-you-mean."""
    known = tuple(known)
    allowed = set(known) | set(extra)
    out = []
    for key in data:
        if key in allowed:
            continue
        guess = did_you_mean(key, known)
        hint = (f"did you mean {guess!r}?" if guess else f"known keys: {', '.join(known)};"
                " list your own keys in extra_keys under [content]")
        out.append(Problem(path, "unknown key", line=lines.get(key), key=key, hint=hint,
                           severity=severity, suggestion=guess))
    return out
