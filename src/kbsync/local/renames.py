"""Which new file is a gone one, renamed (and maybe edited): the scores ``plan.match``
needs for its rename rule, which it cannot compute itself (it reads no file).

A file renamed without a ``slug:`` line gets a new slug, so the lock no longer knows it
by slug or by path. The core pairs it by content when its bytes are what the lock
recorded; when it was edited as well, it needs the text last synced, and that is found
by blob id in ``.kbsync/base/`` or git's objects (``local.bases.BaseStore``): with or
without git. Similar means what git means for ``git diff -M``: the share of the larger
text that the other one holds too, counted in lines (long lines in 64-byte pieces, line
ends normalised), at least ``RENAME_SIMILARITY``.

Every command that pairs files with remote items (plan, apply, pull, the preview) comes
through :func:`match_local`, so they all see the same renames.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from kbsync.local.bases import BaseStore
from kbsync.model import ActualState, DesiredState, Lock, LockEntry
from kbsync.plan.match import RENAME_SIMILARITY, Matching, match

__all__ = ["match_local", "similarity", "similarity_scores"]

#: Scoring stops after this many pairs (new files x gone files), as ``git diff`` stops at
#: its rename limit: byte-for-byte renames are still found (the core finds those).
MAX_PAIRS = 250_000
_CHUNK = 64


def match_local(desired: DesiredState, actual: ActualState, lock: Lock, root: Path,
                bases: BaseStore | None = None) -> Matching:
    """``plan.match`` with the similarity of new files to gone ones filled in."""
    first = match(desired, actual, lock)
    if not first.rename_sources:
        return first
    scores = similarity_scores(root, first.new_articles, first.rename_sources,
                               bases or BaseStore(root))
    return match(desired, actual, lock, scores) if scores else first


def similarity_scores(root: Path, new: Sequence[str], gone: Sequence[LockEntry],
                      bases: BaseStore) -> dict[tuple[str, str], float]:
    """``(new key, gone path) -> similarity`` for the pairs similar enough to count."""
    if len(new) * len(gone) > MAX_PAIRS:
        return {}
    old = [(entry.path, _chunks(data)) for entry in gone
           if (data := bases.get(entry.local)) is not None]
    out: dict[tuple[str, str], float] = {}
    for key in new:
        try:
            mine = _chunks((root / key).read_bytes())
        except OSError:
            continue
        for path, theirs in old:
            score = _score(mine, theirs)
            if score >= RENAME_SIMILARITY:
                out[(key, path)] = score
    return out


def similarity(old: bytes, new: bytes) -> float:
    """How much of two texts is the same, 0 to 1 (git's similarity index, roughly)."""
    return _score(_chunks(old), _chunks(new))


class _Chunks:
    __slots__ = ("counts", "size")

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self.counts = Counter(pieces)
        self.size = sum(len(piece) * n for piece, n in self.counts.items())


def _chunks(data: bytes) -> _Chunks:
    lines = data.replace(b"\r\n", b"\n").splitlines(keepends=True)
    return _Chunks(line[start:start + _CHUNK] for line in lines
                   for start in range(0, len(line), _CHUNK))


def _score(a: _Chunks, b: _Chunks) -> float:
    largest = max(a.size, b.size)
    if largest == 0:
        return 1.0
    if min(a.size, b.size) < largest * RENAME_SIMILARITY:
        return 0.0  # too different in size to reach the threshold: not counted
    small, large = (a, b) if len(a.counts) <= len(b.counts) else (b, a)
    same = sum(len(piece) * min(n, large.counts[piece])
               for piece, n in small.counts.items() if piece in large.counts)
    return same / largest
