"""validate's findings in each of its formats (``render.formats.FINDINGS``). Pure.

``text`` is a linter's: one finding per line, ``file:line: key: message (hint)``, a
warning marked ``warning:`` after the key. ``json`` is versioned data for scripts (and holds
the columns and the "did you mean" fix the editor integration shows).
``github`` is one workflow command per finding, so GitHub shows each on its file and
line: the default inside GitHub Actions.
"""

from __future__ import annotations

import json

from kbsync.problems import Findings
from kbsync.render.github import problem_annotation

__all__ = ["FINDINGS_FORMAT_VERSION", "render_github", "render_json", "render_text"]

#: Bumped on an incompatible change of the JSON shape below; fields are only added
#: (``column``, ``end_column`` and ``suggestion`` came with the editor integration).
FINDINGS_FORMAT_VERSION = 1


def render_text(findings: Findings) -> str:
    return "".join(f"{problem}\n" for problem in findings.problems)


def render_github(findings: Findings) -> str:
    return "".join(problem_annotation(problem, findings.prefix) + "\n"
                   for problem in findings.problems)


def render_json(findings: Findings) -> str:
    """The versioned report: counts and every finding (paths relative to the folder)."""
    errors = findings.errors
    report = {
        "format_version": FINDINGS_FORMAT_VERSION,
        "valid": errors == 0,
        "counts": {"articles": findings.articles, "collections": findings.collections,
                   "errors": errors, "warnings": len(findings.problems) - errors},
        "findings": [{"path": p.path, "line": p.line, "column": p.column,
                      "end_column": p.end_column, "key": p.key, "severity": p.severity,
                      "message": p.message, "hint": p.hint, "suggestion": p.suggestion}
                     for p in findings.problems],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
