"""`kbsync lsp`'s start: the modules an editor waits for load without the cycle collector
walking what they make (what they load is held by tests/test_startup.py)."""

from __future__ import annotations

import subprocess
import sys


def test_no_cycle_collection_while_the_server_loads_and_what_it_loaded_frozen() -> None:
    probe = ("import gc\nfrom kbsync.commands.lsp import loaded_without_collection\n"
             "with loaded_without_collection():\n"
             "    inside = gc.isenabled()\n    import pygls.lsp.server\n"
             "print(inside, gc.isenabled(), gc.get_freeze_count() > 0)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "True", "True"]
