"""The issue 8 attack, reduced: ``bench/reliability.py`` with a few seeds, as a test.

Slow (about three minutes), so it runs only when asked for: ``pytest -m slow``
(CI's reliability job). The default run covers each item with its own fast tests.
"""

from __future__ import annotations

import pytest

from tests.bench import load

pytestmark = pytest.mark.slow


def test_the_attack_finds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    reliability = load("reliability")
    rows = reliability.main(["--seeds", "3", "--kills", "3", "--concurrent", "4",
                             "--corpus-every", "4", "--hunt-rounds", "1",
                             "--ticket-modes", "compare"])
    table = capsys.readouterr().out
    assert {row.name for row in rows} == {"faults x seeds", "kills", "concurrent applies",
                                          "hostile corpus", "token hunt", "own files",
                                          "hostile tickets", "preview", "doctor"}
    for row in rows:
        assert row.cases > 0 and row.passed == row.cases, table
        assert (row.duplicates, row.leaks, row.orphans, row.crashes, row.skips) == (
            0, 0, 0, 0, 0), table
