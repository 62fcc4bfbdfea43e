"""The defaults a user meets, each written once.

What ``--help`` shows, what kbsync assumes when ``kbsync.toml`` or ``coverage.yaml``
leaves a value out, and what the commands use when no option is given. This module
imports nothing, so the command line reads it without loading what uses the values.
The portal's defaults are ``model.PortalSettings``'s fields; the emulator, another
program, keeps its own.
"""

from __future__ import annotations

# -- kbsync.toml ------------------------------------------------------------------------
DEFAULT_BASE_URL = "https://api.initdesk.com"
#: The client's throttle: initdesk's limit (0 turns it off).
DEFAULT_RPM = 60
#: apply refuses a plan that deletes more than this, unless --force.
DEFAULT_MAX_DELETES = 10
#: validate warns about a bigger image or document ([assets] max_bytes): a screenshot is
#: a few hundred KB; bigger is slow for every reader on a phone.
DEFAULT_MAX_ASSET_BYTES = 2_000_000

# -- coverage ---------------------------------------------------------------------------
#: An expected article must be among this many best hits (``--top-k``, ``top_k:``).
DEFAULT_TOP_K = 3
MAX_TOP_K = 100
#: Without ``expect:``, the best hit's score must reach this (``--min-score``).
#: Calibrated on the emulator's bm25 (title x10, excerpt x3, body x1): a question whose
#: words barely touch the articles scores 1-4.5, one an article answers 4-12.
DEFAULT_MIN_SCORE = 5.0
#: At most this many tickets become questions (``--limit``), the newest first.
DEFAULT_TICKET_LIMIT = 500

# -- watch ------------------------------------------------------------------------------
DEFAULT_PREVIEW_PORT = 8000
#: Rebuild once no file changed for this long.
DEFAULT_DEBOUNCE_MS = 50
