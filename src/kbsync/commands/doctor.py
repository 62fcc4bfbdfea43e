"""``kbsync doctor``: does a live tenant match our wire contract?

The checkup is ``kbsync.doctor``'s (read only: GET and OPTIONS); this prints each
finding as it comes and the verdict. Exit 0 when everything matches, else 1.
"""

from __future__ import annotations

from collections.abc import Callable

from kbsync.doctor import checkup
from kbsync.remote.client import HelpCenterClient

Emit = Callable[[str], None]


def run(client: HelpCenterClient, *, emit: Emit) -> int:
    """Check the tenant against the contract; 0 when everything matches, else 1."""
    verdict = checkup(client, emit)
    for line in verdict.lines:
        emit(line)
    return 0 if verdict.matches else 1
