"""``kbsync validate``: every problem of the tree at once, with file:line, key and a hint.

No network. The rules are ``kbsync.validate``'s, the same ones plan, apply and pull run
before their first request. Like a linter, the findings are the main output (stdout,
one per line, ``file:line: key: message``) and the count is a summary beside it
(stderr), so ``kbsync validate > findings.txt`` keeps just the findings;
``--format json`` gives them as data, ``--format github`` as annotations (the default
inside GitHub Actions).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kbsync.config import Config
from kbsync.engine import Checked
from kbsync.frontend import open_workspace
from kbsync.problems import Findings, Problem
from kbsync.render.formats import FINDINGS
from kbsync.words import plural

__all__ = ["run", "summary_line"]


def _ignore(value: Any) -> None:
    return None


def run(config: Config, *, strict: bool, emit: Callable[[Problem], None] = _ignore,
        summary: Callable[[str], None] = _ignore, fmt: str = "text",
        out: Callable[[str], None] = _ignore, prefix: str = "", unused: bool = False) -> int:
    """Check the knowledge base at ``config.root``; 1 if any error (warnings too when
    strict). ``unused``: also list the images and documents no article links to.

    The findings in ``fmt`` (``render.formats.FINDINGS``) go to ``out``, each problem to
    ``emit`` as well (GitHub's annotations beside JSON, a test's list); ``summary`` gets
    the count. ``prefix``: the folder from the repository root, for formats that need it.
    """
    checked = open_workspace(config).check(strict=strict, unused=unused)
    findings = Findings(checked.problems, len(checked.tree.articles),
                        len(checked.tree.collections), prefix)
    report = FINDINGS.renderer(fmt)(findings)
    if report:
        out(report.rstrip("\n"))
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
