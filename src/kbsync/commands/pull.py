"""`kbsync pull`: bring edits made in the initdesk web UI back into the files.

It reads the remote with exactly the requests ``plan`` sends (``read_actual``), decides
file by file with a three-way comparison (``pull.puller``), and writes only files whose
content changes. Conflicts never overwrite anything unless ``--on-conflict`` says how;
they are reported and the command exits 1, after everything else was pulled.
"""

from __future__ import annotations

from collections import Counter

from kbsync.config import Config
from kbsync.console import Console
from kbsync.engine.remote import open_lock, read_remote
from kbsync.errors import ConflictingFiles, DeletedButEdited
from kbsync.frontend import open_workspace
from kbsync.local.writer import clean_stale_temps
from kbsync.plan.model import OnDelete
from kbsync.problems import escaped
from kbsync.pull.puller import FileChange, OnConflict, PullOptions, PullResult
from kbsync.pull.runner import manages_portal, pull, require_repository
from kbsync.runlock import hold_run_lock
from kbsync.session import Connect, open_client, remote_ref
from kbsync.words import plural

__all__ = ["describe", "run", "summary"]

_SYMBOLS = {"new": "+", "updated": "~", "merged": "~", "markers": "!", "theirs": "~",
            "ours": "=", "moved": "→", "adjusted": "~", "deleted": "-"}
#: What apply will do to an item deleted here, as pull reports it.
_ON_DELETE: dict[OnDelete, str] = {"delete": "apply deletes it",
                                   "draft": "apply unpublishes it",
                                   "keep": 'kept in initdesk: on_delete = "keep"'}
_NOTES = {"merged": "your edits and initdesk's, merged",
          "markers": "conflict markers written: resolve them before apply",
          "theirs": "initdesk's version; local edits replaced (--on-conflict theirs)",
          "ours": "kept yours (--on-conflict ours); apply will push it",
          "adjusted": "relative links or position kept in step with moved files"}


def run(config: Config, console: Console, *, dry_run: bool = False, prune: bool = False,
        on_conflict: OnConflict = "fail", commit: bool = False,
        connect: Connect = open_client) -> int:
    if dry_run:  # writes nothing: no need to keep others out
        return _run(config, console, dry_run=True, prune=prune, on_conflict=on_conflict,
                    commit=commit, connect=connect)
    with hold_run_lock(config.state_dir, "pull"):  # a second apply or pull refuses at once
        clean_stale_temps(config.root)
        return _run(config, console, dry_run=False, prune=prune, on_conflict=on_conflict,
                    commit=commit, connect=connect)


def _run(config: Config, console: Console, *, dry_run: bool, prune: bool,
         on_conflict: OnConflict, commit: bool, connect: Connect) -> int:
    ref = remote_ref(config)
    local = open_workspace(config).local(identity_only=True)  # before the first request
    for problem in local.warnings:  # errors too: they block apply, not pull
        console.problem(problem)
    lock = open_lock(config, ref)  # a lock made for another Help Center: no request
    if commit and not dry_run:
        require_repository(config.root)
    with connect(config) as client:
        with console.status("Reading the Help Center…"):
            actual = read_remote(client, lock, with_portal=manages_portal(config.root))
        console.detail(f"{plural(client.request_count, 'request')} sent (reads only)")
    pulled = pull(config, local.tree, lock, actual, ref,
                  options=PullOptions(prune=prune, on_conflict=on_conflict,
                                      on_delete=config.on_delete),
                  dry_run=dry_run, commit_message=commit_message if commit else None)
    result = pulled.result
    show(result, console, config.on_delete)
    if dry_run:
        console.info(summary(result, dry_run=True))
        return 0
    if pulled.commit:
        console.info(f"Committed {pulled.commit[:10]}.")
    if result.conflicts or result.deleted_conflicts:
        console.warn(summary(result))
        if result.conflicts:
            raise ConflictingFiles(result.conflicts, result.uncommitted)
        raise DeletedButEdited(result.deleted_conflicts, _verb(config.on_delete))
    console.success(summary(result))
    return 0


def show(result: PullResult, console: Console, on_delete: OnDelete = "delete") -> None:
    """One line per file, then what pull left alone and why."""
    for warning in result.warnings:
        console.warn(f"warning: {warning}")
    for src, dst in result.folder_moves:
        console.out(f"  → moved     {escaped(src)}/ -> {escaped(dst)}/")
    for change in result.changes:
        console.out(describe(change))
    for path in result.conflicts:
        why = ("uncommitted edits here, changed in initdesk too; left untouched: commit or "
               "stash first" if path in result.uncommitted
               else "changed locally and in initdesk; left untouched")
        console.out(f"  ! conflict  {escaped(path)}  ({why})")
    for path in result.deleted_remotely:
        console.out(f"  ? deleted in initdesk: {escaped(path)}  (kept; `kbsync pull --prune` "
                    "removes it)")
    for path in result.deleted_here:
        folder = path.endswith("/") and on_delete == "draft"  # collections are not drafts
        note = 'kept in initdesk: on_delete = "draft"' if folder else _ON_DELETE[on_delete]
        console.out(f"  - deleted locally  {escaped(path)}  ({note})")
    for path in result.deleted_conflicts:
        console.out(f"  ! conflict  {escaped(path)}  (deleted here, edited in initdesk since "
                    "the last sync: restore it with `git checkout`, or apply the "
                    f"{_verb(on_delete)} with --force)")


def _verb(on_delete: OnDelete) -> str:
    return "unpublish" if on_delete == "draft" else "delete"


def describe(change: FileChange) -> str:
    """One line per file, names escaped (a name with a newline stays on its line)."""
    where = (f"{escaped(change.old_path)} -> {escaped(change.path)}" if change.old_path
             else escaped(change.path))
    note = _NOTES.get(change.action)
    return f"  {_SYMBOLS[change.action]} {change.action:<9} {where}" + (
        f"  ({note})" if note else "")


def summary(result: PullResult, *, dry_run: bool = False) -> str:
    """``Pulled 3 changes: 1 new, 2 updated; 1 conflict left untouched (a.md).``"""
    counts = Counter(_category(c) for c in result.changes)
    counts["moved"] += len(result.folder_moves)
    total = sum(counts.values())
    parts = [f"{counts[name]} {name}" for name in ("new", "updated", "moved", "deleted",
                                                   "adjusted") if counts[name]]
    verb = "Would pull" if dry_run else "Pulled"
    text = (f"{verb} {plural(total, 'change')}: " + ", ".join(parts)
            if total else ("Nothing to pull" if not dry_run else "Nothing would be pulled"))
    if result.conflicts:
        n = len(result.conflicts)
        text += (f"; {plural(n, 'conflict')} left untouched ("
                 + ", ".join(escaped(path) for path in result.conflicts) + ")")
    if result.deleted_conflicts:
        text += (f"; {len(result.deleted_conflicts)} deleted here but edited in initdesk ("
                 + ", ".join(escaped(path) for path in result.deleted_conflicts) + ")")
    if result.deleted_remotely:
        text += f"; {len(result.deleted_remotely)} deleted in initdesk, kept"
    if result.deleted_here:
        text += f"; {len(result.deleted_here)} deleted locally, left deleted"
    return text + "."


def _category(change: FileChange) -> str:
    if change.action in ("updated", "merged", "markers", "theirs", "ours"):
        return "updated"
    return change.action


def commit_message(result: PullResult) -> str:
    """``kbsync pull: 2 changes from initdesk``, then one line per file."""
    counted = summary(result).removeprefix("Pulled ").rstrip(".")
    total, _, rest = counted.partition(": ")
    lines = [f"→ moved {escaped(src)}/ -> {escaped(dst)}/" for src, dst in result.folder_moves]
    lines += [describe(change).strip() for change in result.changes]
    return (f"kbsync pull: {total} from initdesk\n\n{rest}.\n\n"
            + "\n".join(f"- {line}" for line in lines) + "\n")
