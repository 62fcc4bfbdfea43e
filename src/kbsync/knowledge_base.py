"""Where a knowledge base is (the folder of its kbsync.toml, found as git finds
``.git``), the names of the files kbsync keeps in it, and the settings a command line
gives.

Nothing here loads the settings' schema (pydantic): the editor's server finds the
knowledge base of each document it is sent before it loads the engine, and the command
line settles its options before a command needs more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CONFIG_FILE", "COVERAGE_FILE", "LOCK_FILE", "PORTAL_FILE", "STATE_DIR",
           "Overrides", "enclosing_knowledge_base", "find_knowledge_base", "key_in"]

CONFIG_FILE = "kbsync.toml"
LOCK_FILE = "kbsync.lock"
PORTAL_FILE = "portal.yaml"
COVERAGE_FILE = "coverage.yaml"
STATE_DIR = ".kbsync"


@dataclass(frozen=True)
class Overrides:
    """Remote settings given on the command line; ``None`` means 'not given'."""

    base_url: str | None = None
    organization_id: int | None = None


def find_knowledge_base(start: Path) -> tuple[Path | None, Path | None]:
    """The folder of the knowledge base ``start`` is in: the nearest one holding
    kbsync.toml, ``start`` itself first, as git finds ``.git``.

    The search does not go above the top of the git repository ``start`` is in (a
    knowledge base lives in the repository that holds its files; one found above it would
    be someone else's), nor above the file system's root. Answers the folder found
    (resolved), else None and the repository's top where the search stopped, if it did.
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).exists():
            return folder, None
        if (folder / ".git").exists():
            return None, folder
    return None, None


def enclosing_knowledge_base(folder: Path) -> Path | None:
    """The knowledge base a new one at ``folder`` would sit inside (any folder above it
    with kbsync.toml, git repositories or not: that one would read the new one's files)."""
    for above in folder.resolve().parents:
        if (above / CONFIG_FILE).exists():
            return above
    return None


def key_in(root: Path, path: str | Path) -> str | None:
    """The root-relative key (POSIX separators) of ``path``, or None when it lies outside
    ``root`` or is ``root`` itself."""
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if relative == ".." or relative.startswith(".." + os.sep) or relative == ".":
        return None
    return relative.replace(os.sep, "/")
