"""What every front end opens: the engine's workspace, with the checks of the files the
engine does not own.

coverage.yaml belongs to coverage, a front end the engine never imports; yet validate,
plan, apply and the live preview all report its problems (and its ``expect:`` slugs
against the articles as they are). So the front ends hand that check to the workspace,
from this one place.
"""

from __future__ import annotations

from kbsync.config import Config
from kbsync.coverage.spec import coverage_file_problems
from kbsync.engine import FileCheck, Workspace

__all__ = ["FILE_CHECKS", "open_workspace"]

#: The checks of files outside the engine's own, run with every check of the tree.
FILE_CHECKS: tuple[FileCheck, ...] = (coverage_file_problems,)


def open_workspace(config: Config) -> Workspace:
    """The workspace of the knowledge base at ``config.root``, with every file check."""
    return Workspace(config, checks=FILE_CHECKS)
