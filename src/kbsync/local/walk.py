"""Walking a folder tree without recursion, to a bounded depth.

``os.walk`` calls itself once per level (before Python 3.12), so a repository with a
folder nested a thousand levels deep ends it with ``RecursionError``; so does watchdog's
recursive watch, which walks the same way. This walk keeps its own stack, never follows
a symbolic link to a folder, and stops at ``max_depth``, naming what lies deeper.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["MAX_SCAN_DEPTH", "Folder", "deeper_than", "walk"]

#: Folders deeper than this are not walked (collections stop at 3 levels anyway): a
#: hostile tree of a thousand nested folders costs nothing and breaks nothing.
MAX_SCAN_DEPTH = 16


@dataclass(slots=True)
class Folder:
    """One folder of the walk: its path relative to the root ('' for the root itself),
    the files in it, and the folders in it that lie past ``max_depth`` (not entered)."""

    rel: str
    files: list[os.DirEntry[str]] = field(default_factory=list)
    too_deep: list[str] = field(default_factory=list)


def walk(root: Path, *, max_depth: int,
         enter: Callable[[str], bool] = lambda rel: True) -> Iterator[Folder]:
    """Every folder under ``root`` (root first) down to ``max_depth`` levels below it,
    each one entered only when ``enter(rel)`` says so; unreadable folders are left out."""
    stack: list[tuple[str, int]] = [("", 0)]
    while stack:
        rel, depth = stack.pop()
        folder = Folder(rel)
        try:
            with os.scandir(root / rel if rel else root) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            child = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_folder:
                folder.files.append(entry)
            elif depth + 1 > max_depth:
                folder.too_deep.append(child)
            elif enter(child):
                stack.append((child, depth + 1))
        yield folder


def deeper_than(root: Path, max_depth: int) -> str | None:
    """A folder nested more than ``max_depth`` levels below ``root`` (relative), or None."""
    for folder in walk(root, max_depth=max_depth):
        if folder.too_deep:
            return folder.too_deep[0]
    return None
