"""The emulator's own error: it is another program, so it raises nothing of kbsync's.

``EmulatorError`` is a problem with what the emulator was given to start with (a
tickets file that is not JSON, not a list of tickets), said in one line that names the
file. The program that runs the emulator translates it into its own words: kbsync's
``session`` turns it into a ``ConfigError``.
"""

from __future__ import annotations

__all__ = ["EmulatorError"]


class EmulatorError(Exception):
    """The emulator cannot start with what it was given; the message names the file."""
