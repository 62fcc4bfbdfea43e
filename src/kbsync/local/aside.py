"""A new knowledge base built beside its folder and moved into place at the end.

``kbsync init`` writes thousands of files; a run killed half-way must not leave a folder
that is neither empty (the next init refuses it) nor a knowledge base (plan reads half of
it). So init builds everything in a sibling folder on the same file system,
``.<name>.kbsync-init-<pid>``, holding that folder's run lock (``.kbsync/run.lock``) all
along, and only then moves it into place:

- a target that does not exist yet is one ``rename``: it appears whole, or not at all;
- a target that exists (empty, or holding only ``.git``) keeps its own folder (it may be
  the user's current folder): the built entries are moved into it one by one, the
  ``.kbsync`` folder first, holding a list of what is being moved, ``kbsync.toml`` last,
  then the list is removed. A run killed among those few renames leaves the list, and the
  next init removes exactly the entries it names before it starts again.

A building folder whose run lock nobody holds and whose process is gone is a killed
run's: the next init of the same target removes it. Two inits of one target build apart
(the pid is in the name) and the second to finish is refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from kbsync.config import CONFIG_FILE, STATE_DIR, enclosing_knowledge_base, shown_path
from kbsync.errors import KbsyncError
from kbsync.local.writer import is_alive
from kbsync.runlock import hold_run_lock, holder_of

__all__ = ["INCOMPLETE", "build_aside", "check_empty", "check_target", "clear_interrupted",
           "clear_stale_builds"]

#: Inside the target's ``.kbsync``: the entries an unfinished move put there.
INCOMPLETE = "init-incomplete.json"
_BUILD = ".{name}.kbsync-init-"


@contextlib.contextmanager
def build_aside(target: Path) -> Iterator[Path]:
    """A fresh folder to build the knowledge base in; moved to ``target`` when the block
    ends without an exception, removed when it raises (or Ctrl-C)."""
    target = target.resolve()
    clear_stale_builds(target)
    folder = target.parent / f"{_BUILD.format(name=target.name)}{os.getpid()}"
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise KbsyncError(f"cannot create {folder}: {exc.strerror or exc}; init builds the "
                          "knowledge base beside its folder, then moves it in") from None
    try:
        with hold_run_lock(folder / STATE_DIR, "init"):
            yield folder
            _move_into_place(folder, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def clear_stale_builds(target: Path) -> list[Path]:
    """Remove the building folders of ``target`` that killed runs left; their paths."""
    target = target.resolve()
    prefix = _BUILD.format(name=target.name)
    removed = []
    with contextlib.suppress(OSError):
        for folder in target.parent.iterdir():
            pid = folder.name.removeprefix(prefix)
            if folder.name.startswith(prefix) and pid.isdigit() and _abandoned(folder, pid):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def clear_interrupted(target: Path) -> bool:
    """Remove what an init killed while moving its entries into ``target`` left there
    (only the entries its list names); whether there was such a move."""
    state = target / STATE_DIR
    try:
        moved = json.loads((state / INCOMPLETE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if holder_of(state) is not None:
        raise KbsyncError(f"another kbsync init is writing {target}; wait for it to finish")
    for name in moved if isinstance(moved, list) else []:
        entry = target / str(name)
        if str(name) in (STATE_DIR, ".git") or entry.parent != target:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
    shutil.rmtree(state, ignore_errors=True)
    return True


def _abandoned(folder: Path, pid: str) -> bool:
    """Nobody holds its run lock and its process is gone (a recycled pid only keeps a
    dead run's folder a while longer; the lock alone could be caught before it is taken)."""
    return holder_of(folder / STATE_DIR) is None and not is_alive(int(pid))


def _move_into_place(folder: Path, target: Path) -> None:
    if not target.exists():
        try:
            os.rename(folder, target)
        except OSError as exc:
            raise KbsyncError(f"cannot move the new knowledge base into {target}: "
                              f"{exc.strerror or exc}") from None
        return
    names = sorted(p.name for p in folder.iterdir() if p.name != STATE_DIR)
    taken = [name for name in [STATE_DIR, *names] if (target / name).exists()]
    if taken:
        raise KbsyncError(f"{target} is no longer empty ({', '.join(taken[:3])}); nothing "
                          "was moved into it")
    names.sort(key=lambda name: name == CONFIG_FILE)  # kbsync.toml last: then it is whole
    (folder / STATE_DIR / INCOMPLETE).write_text(json.dumps(names), encoding="utf-8")
    os.rename(folder / STATE_DIR, target / STATE_DIR)
    for name in names:
        os.rename(folder / name, target / name)
    (target / STATE_DIR / INCOMPLETE).unlink()
    folder.rmdir()


_ALLOWED = {".git"}  # a freshly `git init`-ed folder counts as empty


def check_target(root: Path) -> None:
    """Refuse a folder inside a knowledge base, or one that holds anything."""
    enclosing = enclosing_knowledge_base(root)
    if enclosing is not None:
        raise KbsyncError(
            f"{root} is inside the knowledge base at {shown_path(enclosing, root)} "
            f"({CONFIG_FILE}), which would read the new one's files as its own: add the "
            "articles to that one, or start the new one elsewhere")
    if root.is_dir():
        clear_interrupted(root)  # an init killed while moving its files in: start again
    check_empty(root)


def check_empty(root: Path) -> None:
    """Refuse a folder that holds anything: init never mixes with existing files."""
    if not root.exists():
        return
    if not root.is_dir():
        raise KbsyncError(f"{root} is not a folder")
    found = sorted(p.name for p in root.iterdir() if p.name not in _ALLOWED)
    if found:
        shown = ", ".join(found[:3]) + (" ..." if len(found) > 3 else "")
        raise KbsyncError(f"{root} is not empty ({shown}); kbsync init writes a new "
                          "knowledge base into an empty folder (use `kbsync pull` in an "
                          "existing one)")
