"""Three-way merge of article text, the way git merges.

``pull`` merges the remote body into the local file against the body both had at the
last sync (found by ``local.bases``). The merge is git's own (``git merge-file``), so its
result and its conflict markers are exactly what a git user knows how to resolve.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import git

from kbsync.errors import KbsyncError

__all__ = ["MergeResult", "merge3"]

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


def _uses_crlf(text: str) -> bool:
    """Whether most line ends of ``text`` are CRLF."""
    crlf = text.count("\r\n")
    return crlf > 0 and crlf >= text.count("\n") - crlf


def _to_lf(text: str) -> str:
    return text.replace("\r\n", "\n")
