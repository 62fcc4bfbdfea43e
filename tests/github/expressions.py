"""GitHub Actions expressions (``${{ ... }}``), evaluated the way the runner does.

The tests that run workflow steps need the conditions to be decided as GitHub decides
them (``hashFiles('coverage.yaml')`` silently false in a subfolder was a real bug), so
this is the expression language itself, not a search-and-replace: literals, contexts
with ``.name`` and ``['name']`` (case-insensitive, as GitHub's are), ``!``, comparisons
with GitHub's loose equality (strings compared ignoring case, other types as numbers),
``&&`` and ``||`` returning an operand, and the functions our workflows use. A step's
``if:`` without a status function is ``success() && (...)``, as on GitHub.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)
                    |(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\],.])|(?P<name>[A-Za-z_][\w-]*))""",
                    re.X)
_INTERPOLATION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_STATUS = re.compile(r"\b(success|failure|always|cancelled)\s*\(")


class ExpressionError(Exception):
    """An expression this evaluator (or GitHub) cannot read."""


@dataclass
class Contexts:
    """What an expression can see: the named contexts, the workspace for hashFiles, and
    whether the job has failed so far (for the status functions)."""

    values: dict[str, Any]
    workspace: Path
    failed: bool = False
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)


def evaluate(expression: str, contexts: Contexts) -> Any:
    parser = _Parser(_tokens(expression), contexts)
    value = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()!r} in {expression!r}")
    return value


def interpolate(text: str, contexts: Contexts) -> str:
    """``text`` with every ``${{ expr }}`` replaced by its value as a string."""
    return _INTERPOLATION.sub(lambda m: to_string(evaluate(m.group(1), contexts)), text)


def condition(text: str | bool | None, contexts: Contexts) -> bool:
    """A step's or job's ``if:``: absent is ``success()``; without a status function it
    is ``success() && (...)``."""
    if text is None:
        return not contexts.failed
    if isinstance(text, bool):
        return text and not contexts.failed
    stripped = text.strip()
    whole = _INTERPOLATION.fullmatch(stripped)
    expression = whole.group(1) if whole else stripped
    value = truthy(evaluate(expression, contexts))
    return value if _STATUS.search(expression) else value and not contexts.failed


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "")


def to_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, indent=2)
    return str(value)


def hash_files(workspace: Path, *patterns: str) -> str:
    """``hashFiles``: the SHA-256 of the matching files under the workspace, '' if none.

    Patterns follow @actions/glob: relative to the workspace, a leading ``./`` allowed,
    repeated slashes collapsed, ``.`` or ``..`` anywhere else refused."""
    found: set[Path] = set()
    for pattern in patterns:
        pattern = re.sub(r"/+", "/", pattern)
        pattern = pattern[2:] if pattern.startswith("./") else pattern
        if any(part in (".", "..") for part in pattern.split("/")):
            raise ExpressionError(f"hashFiles: relative pathing in {pattern!r}")
        for path in workspace.rglob("*"):
            relative = path.relative_to(workspace).as_posix()
            if path.is_file() and fnmatch.fnmatchcase(relative, pattern):
                found.add(path)
    if not found:
        return ""
    digest = hashlib.sha256()
    for path in sorted(found):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# -- the parser -------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        found = _TOKEN.match(text, position)
        if not found or found.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r}")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], contexts: Contexts) -> None:
        self.tokens, self.at, self.contexts = tokens, 0, contexts

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise ExpressionError("unexpected end of expression")
        token = self.tokens[self.at]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"expected {expected!r}, got {token[1]!r}")
        self.at += 1
        return token

    def expression(self) -> Any:
        value = self.conjunction()
        while self.peek() == "||":
            self.take()
            right = self.conjunction()
            value = value if truthy(value) else right
        return value

    def conjunction(self) -> Any:
        value = self.comparison()
        while self.peek() == "&&":
            self.take()
            right = self.comparison()
            value = right if truthy(value) else value
        return value

    def comparison(self) -> Any:
        left = self.unary()
        operator = self.peek()
        if operator not in ("==", "!=", "<", "<=", ">", ">="):
            return left
        self.take()
        right = self.unary()
        if operator in ("==", "!="):
            return _equal(left, right) == (operator == "==")
        a, b = _number(left), _number(right)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        value = self.primary()
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                value = _member(value, self.take()[1])
            else:
                value = _member(value, to_string(self.expression()))
                self.take("]")
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        if text == "(":
            value = self.expression()
            self.take(")")
            return value
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == "(":
            return self.call(text)
        return _member(self.contexts.values, text)

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.expression())
            if self.peek() == ",":
                self.take()
        self.take(")")
        return _call(name, args, self.contexts)


def _member(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        lowered = name.lower()
        return next((v for k, v in value.items() if str(k).lower() == lowered), None)
    if isinstance(value, list) and name.isdigit():
        index = int(name)
        return value[index] if index < len(value) else None
    return None


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip() or 0)
        except ValueError:
            return math.nan
    return math.nan


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return left is right
    if type(left) is type(right):
        return bool(left == right)
    return _number(left) == _number(right)


def _call(name: str, args: list[Any], contexts: Contexts) -> Any:
    lowered = name.lower()
    if lowered in contexts.functions:
        return contexts.functions[lowered](*args)
    if lowered == "success":
        return not contexts.failed
    if lowered == "failure":
        return contexts.failed
    if lowered == "always":
        return True
    if lowered == "cancelled":
        return False
    if lowered == "contains":
        haystack, needle = args
        if isinstance(haystack, list):
            return any(_equal(item, needle) for item in haystack)
        return to_string(needle).lower() in to_string(haystack).lower()
    if lowered == "startswith":
        return to_string(args[0]).lower().startswith(to_string(args[1]).lower())
    if lowered == "endswith":
        return to_string(args[0]).lower().endswith(to_string(args[1]).lower())
    if lowered == "format":
        return re.sub(r"\{(\d+)\}", lambda m: to_string(args[int(m.group(1)) + 1]),
                      to_string(args[0]).replace("{{", "\0").replace("}}", "\1")
                      ).replace("\0", "{").replace("\1", "}")
    if lowered == "join":
        items = args[0] if isinstance(args[0], list) else [args[0]]
        return (to_string(args[1]) if len(args) > 1 else ",").join(map(to_string, items))
    if lowered == "tojson":
        return json.dumps(args[0], indent=2)
    if lowered == "fromjson":
        return json.loads(to_string(args[0]))
    if lowered == "hashfiles":
        return hash_files(contexts.workspace, *map(to_string, args))
    raise ExpressionError(f"unknown function {name}()")
