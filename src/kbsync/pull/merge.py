"""Three-way merge of article text, and the git object store as the home of merge bases.

``pull`` merges the remote body into the local file against the body both had at the
last sync. The merge is git's own (``git merge-file``), so its result and its conflict
markers are exactly what a git user knows how to resolve. The last-synced base is kept
as a git blob (``git hash-object -w``): the lock only records its id, and any clone of
the repository that has the object can still do a real three-way merge.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import git
from git.exc import GitCommandError, GitError, InvalidGitRepositoryError, NoSuchPathError

from kbsync.errors import KbsyncError

__all__ = ["MergeResult", "git_blob_text", "merge3", "store_blob"]

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories
_MAX_CONFLICTS = 127  # git merge-file caps its exit status (the conflict count) here


@dataclass(frozen=True, slots=True)
class MergeResult:
    text: str
    conflicts: int  # 0: clean; otherwise hunks marked <<<<<<< / ======= / >>>>>>>


def merge3(base: str, local: str, remote: str, *,
           labels: tuple[str, str, str] = ("local", "base", "remote")) -> MergeResult:
    """Merge the changes from ``base`` to ``remote`` into ``local``, as ``git merge-file -p``.

    Line endings follow ``local``: a file checked out with CRLF is merged as LF and
    written back with CRLF, so a Windows checkout does not conflict on every line.
    """
    crlf = _uses_crlf(local)
    texts = [_to_lf(text) for text in (local, base, remote)]
    merged, conflicts = _merge_file(texts, labels)
    return MergeResult(merged.replace("\n", "\r\n") if crlf else merged, conflicts)


def git_blob_text(repo_root: Path, blob_id: str) -> str | None:
    """The UTF-8 text of blob ``blob_id`` in the repository holding ``repo_root``.

    None when there is no repository, no such blob, the id is not a full object id, the
    object is not a blob, or its bytes are not UTF-8 text: the caller then has no base
    and falls back to a two-way comparison.
    """
    if not _OBJECT_ID.fullmatch(blob_id):
        return None
    repo = _open_repo(repo_root)
    if repo is None:
        return None
    try:
        binsha = bytes.fromhex(blob_id)
        if repo.odb.info(binsha).type != b"blob":  # checked first: an unread stream lingers
            return None
        data: bytes = repo.odb.stream(binsha).read()
    except (GitError, ValueError, OSError):
        return None
    finally:
        repo.close()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def store_blob(repo_root: Path, text: bytes) -> str | None:
    """Write ``text`` into the object store as a blob; its id, or None without a repository.

    The blob is unreferenced until a commit uses it, which is fine: the id in the lock is
    what pull needs, and ``git gc`` keeps unreachable objects for two weeks by default.
    """
    repo = _open_repo(repo_root)
    if repo is None:
        return None
    try:
        with tempfile.TemporaryFile() as stdin:
            stdin.write(text)
            stdin.seek(0)
            output = repo.git.execute(["git", "hash-object", "-w", "--stdin"], istream=stdin)
    except GitCommandError as exc:
        raise KbsyncError(f"could not store a merge base in git: {exc.stderr.strip()}") from exc
    finally:
        repo.close()
    object_id = str(output).strip()
    return object_id if _OBJECT_ID.fullmatch(object_id) else None


def _merge_file(texts: list[str], labels: tuple[str, str, str]) -> tuple[str, int]:
    """Run ``git merge-file -p`` on temp files; its exit status is the conflict count."""
    with tempfile.TemporaryDirectory(prefix="kbsync-merge-") as tmp:
        paths = []
        for name, text in zip(("local", "base", "remote"), texts, strict=True):
            path = Path(tmp) / name
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            paths.append(str(path))
        command = ["git", "-c", "merge.conflictStyle=merge", "merge-file", "-p",
                   "-L", labels[0], "-L", labels[1], "-L", labels[2], *paths]
        status, out, err = git.Git(tmp).execute(
            command, with_extended_output=True, with_exceptions=False,
            stdout_as_string=False, strip_newline_in_stdout=False)
    if not 0 <= status <= _MAX_CONFLICTS:
        message = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)
        message = message.replace(tmp + os.sep, "").strip() or f"exit status {status}"
        raise KbsyncError(f"git merge-file failed: {message}")
    stdout = out if isinstance(out, bytes) else str(out).encode()
    return stdout.decode("utf-8", "surrogateescape"), status


def _open_repo(repo_root: Path) -> git.Repo | None:
    try:
        return git.Repo(repo_root, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        return None


def _uses_crlf(text: str) -> bool:
    """Whether most line ends of ``text`` are CRLF."""
    crlf = text.count("\r\n")
    return crlf > 0 and crlf >= text.count("\n") - crlf


def _to_lf(text: str) -> str:
    return text.replace("\r\n", "\n")
