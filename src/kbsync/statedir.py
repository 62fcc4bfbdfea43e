"""``.kbsync``: kbsync's own folder in a knowledge base, and the one check of it.

It holds the run lock, the parse cache, the merge bases and the embedded Help Center
(``local.db``). A repository can hold anything at that name: a file, a pipe, or a
symbolic link to somewhere else, which kbsync would then fill with its lock and caches
(or an attacker's repository would have it write into ``~/.ssh``). So every writer asks
:func:`ensure_state_dir` first: the folder is made when missing, and anything but a
folder inside the knowledge base is one :class:`~kbsync.errors.StateError` naming it
and what to do, before anything is written or sent.
"""

from __future__ import annotations

from pathlib import Path

from kbsync.errors import StateError
from kbsync.local.reading import not_a_folder

__all__ = ["ensure_state_dir", "state_dir_problem"]

_WHAT = "kbsync keeps its run lock, caches and the embedded Help Center there"
_FIX = "move it away or delete it (kbsync makes the folder)"


def state_dir_problem(state_dir: Path) -> str | None:
    """Why ``state_dir`` (the root's ``.kbsync``) cannot be used, or None: it is a
    folder inside the knowledge base, or it does not exist yet. Nothing is created."""
    reason = not_a_folder(state_dir.parent, state_dir.name)
    if reason is None:
        return None
    if reason.endswith("outside the knowledge base"):
        return (f"{state_dir} {reason}: {_WHAT}, and would write them into the link's "
                "target; delete the link (kbsync makes the folder)")
    return f"{state_dir} {reason}, not a folder: {_WHAT}; {_FIX}"


def ensure_state_dir(state_dir: Path) -> Path:
    """``state_dir``, made if missing; StateError when it is anything but a folder
    inside the knowledge base."""
    problem = state_dir_problem(state_dir)
    if problem is None:
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            return state_dir
        except FileExistsError:  # something else appeared there meanwhile
            problem = state_dir_problem(state_dir) or f"{state_dir}: not a folder; {_FIX}"
        except OSError as exc:
            problem = f"cannot create {state_dir}: {exc.strerror or exc}; {_WHAT}"
    raise StateError(problem)
