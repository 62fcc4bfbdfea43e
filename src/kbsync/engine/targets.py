"""``--target`` as the user typed it -> knowledge-base keys, before any request."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from kbsync.engine.local import LocalState
from kbsync.errors import UsageError

__all__ = ["resolve_targets"]


def resolve_targets(local: LocalState, targets: Sequence[str], cwd: Path) -> tuple[str, ...]:
    """``--target`` paths as knowledge-base keys; a path that matches nothing is a usage
    error naming the closest ones.

    A target may be written relative to the knowledge base or to the current folder
    (``kbsync -C kb plan --target kb/billing`` from the repository root, or
    ``--target billing``).
    """
    keys = [*(c.key for c in local.tree.collections), *(a.key for a in local.tree.articles)]
    out = []
    for target in targets:
        found = _target_key(target, keys, local.tree.root, cwd)
        if found is None:
            close = difflib.get_close_matches(target.strip("/"), keys, n=3, cutoff=0.4)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UsageError(f"--target {target}: matches nothing in the knowledge base{hint}")
        out.append(found)
    return tuple(out)


def _target_key(target: str, keys: Sequence[str], root: Path, cwd: Path) -> str | None:
    """The key ``target`` names: relative to the current folder first when that folder is
    inside the knowledge base (``--target refunds.md`` in ``billing/``, as git reads
    paths), else relative to the knowledge base first."""
    def matches(key: str) -> bool:
        return key in (".", "") or any(k == key or k.startswith(key + "/") for k in keys)

    written = target.strip().rstrip("/")
    as_written = written.removeprefix("./") or "."
    try:
        here = (cwd / written).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        here = None
    inside = cwd.resolve().is_relative_to(root.resolve())
    for candidate in ((here, as_written) if inside else (as_written, here)):
        if candidate is not None and matches(candidate):
            return candidate
    return None
