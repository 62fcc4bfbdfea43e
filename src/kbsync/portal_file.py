"""portal.yaml -> the portal settings kbsync manages (only the keys the file sets).

Keys the file leaves out are not managed: a team can own the colour in git and leave the
name to the web UI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kbsync.config import PORTAL_FILE
from kbsync.problems import Problem
from kbsync.schema import check
from kbsync.schema.portal import PortalFile, unknown

__all__ = ["read_portal"]


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
    portal, problems = check(PortalFile, {str(k): v for k, v in data.items()},
                             path=PORTAL_FILE, line_of=lambda loc: lines.get(loc[0]),
                             unknown=unknown)
    return portal.settings(), problems
