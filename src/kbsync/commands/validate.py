"""``kbsync validate``: every problem of the tree at once, with file:line, key and a hint.

No network. The rules are ``kbsync.validate``'s, the same ones plan, apply and pull run
before their first request. Like a linter, the findings are the main output (stdout,
one per line, ``file:line: key: message``) and the count is a summary beside it
(stderr), so ``kbsync validate > findings.txt`` keeps just the findings;
``--format json`` gives them as data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Literal

from kbsync.config import Config
from kbsync.engine import Checked, check_local
from kbsync.problems import Problem
from kbsync.words import plural

__all__ = ["FINDINGS_FORMAT_VERSION", "Format", "findings_json", "run", "summary_line"]

Format = Literal["text", "json"]
#: Bumped whenever the JSON shape below changes.
FINDINGS_FORMAT_VERSION = 1


def _ignore(value: Any) -> None:
    return None


def run(config: Config, *, strict: bool, emit: Callable[[Problem], None],
        summary: Callable[[str], None] = _ignore, fmt: Format = "text",
        out: Callable[[str], None] = _ignore,
        annotate: Callable[[Problem], None] = _ignore) -> int:
    """Check the knowledge base at ``config.root``; 1 if any error (warnings too when
    strict).

    Text: each problem goes to ``emit``. JSON: the whole report goes to ``out`` and each
    problem to ``annotate`` (GitHub's annotations, beside the data). ``summary`` gets
    the count either way.
    """
    checked = check_local(config, strict=strict)
    if fmt == "json":
        out(findings_json(checked))
        for problem in checked.problems:
            annotate(problem)
    else:
        for problem in checked.problems:
            emit(problem)
    summary(summary_line(checked))
    return 1 if checked.errors else 0


def summary_line(checked: Checked) -> str:
    """``35 articles in 9 collections: valid.`` / ``...: 2 errors, 1 warning.``"""
    tree = checked.tree
    counted = (f"{plural(len(tree.articles), 'article')} in "
               f"{plural(len(tree.collections), 'collection')}")
    errors = len(checked.errors)
    warnings = len(checked.problems) - errors
    found = [plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    if errors:
        return f"{counted}: {', '.join(found)}."
    return f"{counted}: valid" + (f", {found[0]}." if found else ".")


def findings_json(checked: Checked) -> str:
    """The versioned report: counts and every finding (paths relative to the folder)."""
    errors = len(checked.errors)
    report = {
        "format_version": FINDINGS_FORMAT_VERSION,
        "valid": errors == 0,
        "counts": {"articles": len(checked.tree.articles),
                   "collections": len(checked.tree.collections),
                   "errors": errors, "warnings": len(checked.problems) - errors},
        "findings": _findings(checked.problems),
    }
    return json.dumps(report, indent=2, ensure_ascii=False)


def _findings(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [{"path": p.path, "line": p.line, "key": p.key, "severity": p.severity,
             "message": p.message, "hint": p.hint} for p in problems]
