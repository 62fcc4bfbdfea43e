"""How the server starts kbsync's own programs (the first-look helper, a preview): this
interpreter, ``-m``, and never the editor's folder on the import path.

``python -m`` puts the current folder first on ``sys.path``, and an editor starts its
language server in the folder it opened: a repository under review that holds a
``kbsync/`` folder of its own would have that code run in place of kbsync's. So the
programs run in the folder the kbsync package is imported from, and with ``-P`` (Python
3.11 and later: no unsafe first entry at all).
"""

from __future__ import annotations

import sys
from pathlib import Path

import kbsync

__all__ = ["HOME", "module_command"]

#: The folder kbsync is imported from: the one first entry of ``sys.path`` that is safe.
HOME = Path(kbsync.__file__).resolve().parents[1]


def module_command(module: str, *args: str) -> list[str]:
    """``python -m module args`` with this interpreter; run it in :data:`HOME`."""
    safe_path = ["-P"] if sys.version_info >= (3, 11) else []
    return [sys.executable, *safe_path, "-m", module, *args]
