"""The one place that decides "are we in GitHub Actions, and where is the repository root".

GitHub names files in annotations relative to the repository root, while kbsync names
them relative to the knowledge-base folder (``-C``); the prefix between the two comes
from here: ``GITHUB_WORKSPACE`` when the folder is inside it, else git's top level,
else the folder itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["annotation_prefix", "in_github_actions", "repository_root"]


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    """True in a GitHub Actions step (the runner sets ``GITHUB_ACTIONS=true``)."""
    return (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true"


def repository_root(folder: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The root annotation paths are relative to, for a knowledge base in ``folder``."""
    folder = folder.resolve()
    workspace = (os.environ if environ is None else environ).get("GITHUB_WORKSPACE")
    if workspace:
        root = Path(workspace).resolve()
        if folder == root or root in folder.parents:
            return root
    return _git_top_level(folder) or folder


def annotation_prefix(folder: Path, environ: Mapping[str, str] | None = None) -> str:
    """``folder`` relative to the repository root, POSIX style; ``""`` at the root."""
    folder = folder.resolve()
    relative = folder.relative_to(repository_root(folder, environ)).as_posix()
    return "" if relative == "." else relative


def _git_top_level(folder: Path) -> Path | None:
    """``git rev-parse --show-toplevel`` through GitPython; None outside a repository."""
    import git  # GitPython: loaded only when a prefix is asked for

    try:
        repo = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    top = repo.working_tree_dir
    repo.close()
    return Path(top).resolve() if top else None
