"""``kbsync validate``: every problem of the tree at once, with file:line, key and a hint.

No network. The rules are ``kbsync.validate``'s, the same ones plan, apply and pull run
before their first request.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kbsync.config import Config
from kbsync.engine import check_local
from kbsync.problems import Problem

__all__ = ["run"]


def run(root: Path, config: Config, *, strict: bool, emit: Callable[[Problem], None],
        summary: Callable[[str], None] = lambda line: None) -> int:
    """Check the tree under ``root``; 1 if any error (warnings too when strict)."""
    checked = check_local(config, strict=strict)
    for problem in checked.problems:
        emit(problem)
    tree = checked.tree
    errors = len(checked.errors)
    warnings = len(checked.problems) - errors
    counted = (f"{len(tree.articles)} article{'s' if len(tree.articles) != 1 else ''} in "
               f"{len(tree.collections)} collection{'s' if len(tree.collections) != 1 else ''}")
    if errors:
        summary(f"{counted}: {errors} error(s), {warnings} warning(s). Nothing was sent.")
        return 1
    summary(f"{counted}: valid" + (f", {warnings} warning(s)." if warnings else "."))
    return 0
