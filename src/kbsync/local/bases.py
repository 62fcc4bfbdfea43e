"""Where the last-synced text of a file (the merge base) is found again.

The lock records only a git blob id per file (``local``). The text behind it is looked up
in this order: the file itself (when it is unchanged since the sync, the usual case), the
cache ``.kbsync/base/`` that ``apply``, ``pull`` and ``init`` fill with every text they
record (a file ``<blob id>`` each, or one pack for many at once: ``local.base_pack``),
then the git object store (any committed version of the file). A base that is
found nowhere (say ``apply`` recorded a file that was never committed and the cache is
gone) is reported as missing, and pull then treats the file as changed on both sides:
nothing is overwritten unless the two sides are identical.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from kbsync.config import STATE_DIR
from kbsync.fingerprint import blob_id
from kbsync.local.base_pack import PACK_PREFIX, Entry, pack_index, read_entry, write_pack
from kbsync.local.writer import write_many
from kbsync.statedir import ensure_state_dir

__all__ = ["BASE_DIR", "BaseStore", "git_blob_text"]

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories

BASE_DIR = f"{STATE_DIR}/base"
#: At least this many bases recorded by one run go into one pack instead of a file each.
PACK_FROM = 64


class BaseStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / BASE_DIR
        self.pending: dict[str, bytes] = {}  # recorded during a run, written by save()
        self._packed: dict[str, tuple[Path, Entry]] | None = None  # read on first need

    def get(self, blob: str | None) -> bytes | None:
        """The bytes of ``blob``, or None when no copy can be found."""
        if not blob:
            return None
        if blob in self.pending:
            return self.pending[blob]
        for data in (self._loose(blob), self._from_pack(blob)):
            if data is not None and blob_id(data) == blob:
                return data
        text = git_blob_text(self.root, blob)
        if text is not None and blob_id(text.encode("utf-8")) == blob:
            return text.encode("utf-8")
        return None

    def put(self, data: bytes) -> str:
        """Record ``data`` as a base; its blob id (what the lock stores)."""
        blob = blob_id(data)
        self.pending[blob] = data
        return blob

    def save(self, keep: set[str]) -> None:
        """Write the recorded bases and drop cached ones no lock entry refers to.

        Neither fsynced nor atomic (``write_many``): ``get`` checks every cached base
        against its blob id, and git holds any committed one, so a base a crash tore is
        read as missing (pull then compares both sides without it) and rewritten here by
        the next run that records it. Many at once go into one pack.
        """
        if not self.pending and not self.folder.is_dir():
            return
        ensure_state_dir(self.root / STATE_DIR)
        self.folder.mkdir(parents=True, exist_ok=True)
        packed = self._pack_index()
        new = [(blob, data) for blob, data in self.pending.items() if blob in keep
               and blob not in packed and not _holds(self.folder / blob, data)]
        self._write(new)
        for path in list(self.folder.iterdir()):  # a pack tidied may write a new one
            if path.name.startswith(PACK_PREFIX):
                self._tidy_pack(path, keep)
            elif path.name not in keep:
                with contextlib.suppress(OSError):
                    path.unlink()
        self._packed = None

    def _write(self, bases: list[tuple[str, bytes]]) -> None:
        if len(bases) >= PACK_FROM:
            write_pack(self.folder, bases)
        else:
            write_many([(self.folder / blob, data) for blob, data in bases])

    def _tidy_pack(self, path: Path, keep: set[str]) -> None:
        """Drop a pack once most of what it holds is referenced no more (its referenced
        bases written again first); one still mostly in use stays as it is."""
        index = pack_index(path)
        kept = [blob for blob in index if blob in keep]
        if len(kept) * 2 >= len(index) > 0:
            return
        survivors = [(blob, data) for blob in kept
                     if (data := read_entry(path, index[blob])) is not None
                     and blob_id(data) == blob]
        self._write(survivors)
        with contextlib.suppress(OSError):
            path.unlink()

    def _loose(self, blob: str) -> bytes | None:
        try:
            return (self.folder / blob).read_bytes()
        except (OSError, ValueError):
            return None

    def _from_pack(self, blob: str) -> bytes | None:
        found = self._pack_index().get(blob)
        return read_entry(*found) if found is not None else None

    def _pack_index(self) -> dict[str, tuple[Path, Entry]]:
        if self._packed is None:
            self._packed = {}
            with contextlib.suppress(OSError):
                for path in sorted(self.folder.glob(f"{PACK_PREFIX}*")):
                    for blob, entry in pack_index(path).items():
                        self._packed[blob] = (path, entry)
        return self._packed


def _holds(path: Path, data: bytes) -> bool:
    """Whether the cached base at ``path`` is whole (its name is the blob id of ``data``,
    so a file of the same size holds it unless something other than kbsync wrote it)."""
    try:
        return path.stat().st_size == len(data)
    except OSError:
        return False


def git_blob_text(repo_root: Path, blob: str) -> str | None:
    """The UTF-8 text of blob ``blob`` in the repository holding ``repo_root``.

    None when there is no repository, no such blob, the id is not a full object id, the
    object is not a blob, or its bytes are not UTF-8 text: the caller then has no base
    and falls back to a two-way comparison.
    """
    if not _OBJECT_ID.fullmatch(blob):
        return None
    import git  # GitPython (0.04 s to import): only when a base is looked up in git
    from git.exc import GitError, InvalidGitRepositoryError, NoSuchPathError

    try:
        repo = git.Repo(repo_root, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        return None
    try:
        binsha = bytes.fromhex(blob)
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
