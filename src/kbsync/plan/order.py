"""Order among siblings: which positions to send, and which to write into files.

A position the files do not write (``position:`` absent) means "keep the order of the
file names"; only a written one is a number to send as it is. So plan sends a position
only where the Help Center's order of siblings would otherwise differ from the files'
order, and moving or editing k files is k writes, whatever their neighbours' numbers.
Pull asks the opposite question with the same answer: which files must pin a position
so that the files' order is the Help Center's (see :func:`positions_to_pin`).

The Help Center orders siblings by position, then by creation (so by id for items that
exist, and after every existing item, in plan order, for items created in this run):
that is the order checked here. Anything the cheaper assignments cannot express falls
back to numbering the siblings as the files order them, which is always right.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace

__all__ = ["Sibling", "in_place", "local_order", "positions_to_pin", "positions_to_send"]

#: Items created in this run come after every existing one, in local order.
_NEW = 1 << 62
#: At most this many pins are tried one by one before pinning every file out of place.
_PIN_SEARCH = 64


@dataclass(frozen=True, slots=True)
class Sibling:
    """One item among its siblings, as the files and the Help Center see it."""

    key: str
    index: int  # place among the siblings by name: the position when none is written
    explicit: int | None = None  # the position the file writes
    remote: int | None = None  # its position in the Help Center, when it is already here
    remote_id: int | None = None  # its id (moved or existing items); None: created now

    @property
    def position(self) -> int:
        """The position the file asks for (written, or its place by name)."""
        return self.index if self.explicit is None else self.explicit


def in_place(remote_parent: int | None, parent_id: int | None, *, top_level: bool) -> bool:
    """Whether an item's remote position counts among these siblings: only when the Help
    Center has it in their parent already. Top level is ``None`` on both sides; a folder
    not created yet has no id, and nothing is in it."""
    return remote_parent == parent_id and (top_level or parent_id is not None)


def local_order(siblings: Sequence[Sibling]) -> list[str]:
    """The order the files give: by position, then by name."""
    return [s.key for s in sorted(siblings, key=lambda s: (s.position, s.index))]


def positions_to_send(siblings: Sequence[Sibling]) -> dict[str, int]:
    """The position each sibling must have in the Help Center after apply.

    Written positions are sent as written. Others keep their remote position wherever
    the order allows it; new and moved items take a free place between their neighbours.
    """
    order = local_order(siblings)
    by_key = {s.key: s for s in siblings}
    ranked = [by_key[key] for key in order]
    for keep in (_all_known, _longest_run, _none):
        kept = keep(ranked)
        assigned = _fill(ranked, kept)
        if _remote_order(ranked, assigned) == order:
            return assigned
    return {s.key: s.position for s in siblings}


def positions_to_pin(siblings: Sequence[Sibling]) -> dict[str, int]:
    """Which files must write ``position:`` (key -> value) so that their order is the
    Help Center's, and plan then sends no position for them.

    ``explicit`` is what each file will write; files only here (``remote`` None) are
    apply's business and are left alone. Few pins are chosen: none, or those a search
    adds one by one, else the files out of place, else every file.
    """
    present = [s for s in siblings if s.remote is not None]
    wanted = [s.key for s in sorted(present, key=lambda s: (s.remote, s.remote_id or 0))]
    implicit = [s for s in present if s.explicit is None]

    present_keys = set(wanted)

    def settles(pins: dict[str, int]) -> bool:
        pinned = [replace(s, explicit=pins.get(s.key, s.explicit)) for s in siblings]
        order = [key for key in local_order(pinned) if key in present_keys]
        sent = positions_to_send(pinned)
        return order == wanted and all(sent[s.key] == s.remote for s in implicit)

    remote = {s.key: s.remote for s in implicit if s.remote is not None}

    def grow(pins: dict[str, int], steps: int) -> dict[str, int] | None:
        """Pin, one at a time, the file the wanted order asks for where it first differs."""
        for _ in range(steps + 1):
            if settles(pins):
                return pins
            pinned = [replace(s, explicit=pins.get(s.key, s.explicit)) for s in present]
            order = local_order(pinned)
            mismatch = next((i for i, key in enumerate(order) if key != wanted[i]), None)
            candidates = [] if mismatch is None else [wanted[mismatch], order[mismatch]]
            free = next((key for key in candidates if key in remote and key not in pins), None)
            if free is None:
                return None
            pins = {**pins, free: remote[free]}
        return None

    out_of_place = {key: remote[key] for key in _out_of_place(present, wanted) if key in remote}
    from_out_of_place = grow(out_of_place, len(remote))
    # Starting from no pin wins only with fewer pins than that, each costing a full check
    # of the folder: it stops there, and after _PIN_SEARCH pins (a shuffled folder of
    # 2,000 then costs seconds, not minutes, and pins the files out of place).
    bound = len(from_out_of_place) if from_out_of_place is not None else len(remote)
    from_none = grow({}, min(bound, _PIN_SEARCH))
    found = [pins for pins in (from_none, from_out_of_place) if pins is not None]
    return min(found, key=len) if found else remote


# -- plan's side ---------------------------------------------------------------------------


def _all_known(ranked: Sequence[Sibling]) -> set[str]:
    """Keep every remote position (the cheapest: nothing but new items is sent)."""
    return {s.key for s in ranked if s.explicit is None and s.remote is not None}


def _longest_run(ranked: Sequence[Sibling]) -> set[str]:
    """Keep the longest run of remote positions that already rises in the files' order."""
    items = [s for s in ranked if s.explicit is None and s.remote is not None]
    rising = _longest_rising([(s.remote or 0, s.remote_id or 0) for s in items])
    return {items[i].key for i in rising}


def _longest_rising(keys: Sequence[tuple[int, int]]) -> list[int]:
    """Indexes of a longest strictly rising subsequence of ``keys`` (n log n)."""
    tails: list[tuple[int, int]] = []  # smallest tail key of a run of each length
    tail_index: list[int] = []
    previous = [-1] * len(keys)
    for i, key in enumerate(keys):
        length = bisect.bisect_left(tails, key)
        if length == len(tails):
            tails.append(key)
            tail_index.append(i)
        else:
            tails[length], tail_index[length] = key, i
        previous[i] = tail_index[length - 1] if length else -1
    out: list[int] = []
    at = tail_index[-1] if tail_index else -1
    while at >= 0:
        out.append(at)
        at = previous[at]
    return out[::-1]


def _none(ranked: Sequence[Sibling]) -> set[str]:
    """Keep no remote position: every sibling that writes none is numbered afresh."""
    return set()


def _tiebreak(sibling: Sibling, rank: int) -> int:
    return sibling.remote_id if sibling.remote_id is not None else _NEW + rank


def _fill(ranked: Sequence[Sibling], kept: set[str]) -> dict[str, int]:
    """Positions for all: written ones as written, kept ones as they are, the rest the
    smallest value that comes after the previous sibling (a tie is fine when creation
    order puts it after). The caller checks the order this gives."""
    fixed = {s.key: (s.explicit if s.explicit is not None else s.remote) for s in ranked
             if s.explicit is not None or s.key in kept}
    out: dict[str, int] = {}
    last: tuple[int, int] | None = None
    for rank, sibling in enumerate(ranked):
        tie = _tiebreak(sibling, rank)
        value = fixed.get(sibling.key)
        if value is None:
            value = _after(last, tie)
        out[sibling.key] = value
        last = (value, tie)
    return out


def _after(last: tuple[int, int] | None, tie: int) -> int:
    """The smallest position that orders after ``last`` (position, tiebreak).

    A tie is used only after an item that exists: items created in one run are created
    in plan order, which need not be the files' order, so they never tie each other.
    """
    if last is None:
        return 0
    return last[0] if last[1] < _NEW and tie > last[1] else last[0] + 1


def _remote_order(ranked: Sequence[Sibling], assigned: dict[str, int]) -> list[str]:
    keyed = sorted(((assigned[s.key], _tiebreak(s, rank)), s.key)
                   for rank, s in enumerate(ranked))
    return [key for _, key in keyed]


# -- pull's side ---------------------------------------------------------------------------


def _out_of_place(siblings: Sequence[Sibling], wanted: Sequence[str]) -> set[str]:
    """Files the Help Center's order puts elsewhere than their names do."""
    by_name = sorted(siblings, key=lambda s: s.index)
    rank = {key: i for i, key in enumerate(wanted)}
    rising = _longest_rising([(rank[s.key], 0) for s in by_name])
    return {s.key for s in siblings} - {by_name[i].key for i in rising}
