"""portal.yaml -> the portal settings kbsync manages (only the keys the file sets).

Keys the file leaves out are not managed: a team can own the colour in git and leave the
name to the web UI.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kbsync.config import PORTAL_FILE
from kbsync.model import PORTAL_FIELDS
from kbsync.problems import Problem

_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_BOOLS = {"allow_robots", "is_active", "enable_ticket_creation_form"}
_LIMITS = {"name": 255, "custom_domain": 255, "meta_description": 500}
_NULLABLE = {"custom_domain", "meta_description"}


def read_portal(root: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The desired settings, or None when there is no portal.yaml; problems with lines."""
    path = root / PORTAL_FILE
    if not path.is_file():
        return None, []
    try:
        text = path.read_bytes().decode("utf-8-sig")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(PORTAL_FILE, f"cannot read: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return None, [Problem(PORTAL_FILE, f"invalid YAML: {getattr(exc, 'problem', exc)}",
                              line=line)]
    if data is None:
        return {}, []
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return None, [Problem(PORTAL_FILE, "must be a mapping of setting: value", line=1)]
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value
             if isinstance(k, yaml.ScalarNode)}
    problems = [p for key, value in data.items()
                if (p := _check(str(key), value, lines.get(str(key))))]
    settings = {str(k): v for k, v in data.items() if str(k) in PORTAL_FIELDS}
    return settings, problems


def _check(key: str, value: Any, line: int | None) -> Problem | None:
    def problem(message: str, hint: str | None = None) -> Problem:
        return Problem(PORTAL_FILE, message, line=line, key=key, hint=hint)

    if key not in PORTAL_FIELDS:
        return problem("unknown portal setting", "known: " + ", ".join(PORTAL_FIELDS))
    if value is None:
        return None if key in _NULLABLE else problem("must not be empty")
    if key in _BOOLS:
        return None if isinstance(value, bool) else problem(f"must be true or false, got {value!r}")
    if not isinstance(value, str):
        return problem(f"must be a string, got {value!r}")
    if key in _LIMITS and len(value) > _LIMITS[key]:
        return problem(f"is {len(value)} characters long; the limit is {_LIMITS[key]}")
    if key == "primary_color" and not _COLOR.match(value):
        return problem(f"must be a colour like \"#0E7C66\", got {value!r}")
    if key == "custom_domain" and ("/" in value or ":" in value):
        return problem("must be a host name only", "e.g. help.example.com, no scheme or path")
    if key == "name" and not value.strip():
        return problem("must not be empty")
    return None
