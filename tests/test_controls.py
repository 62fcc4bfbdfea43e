"""find_control: the C0 and C1 controls, each found unless allowed, nothing else."""

from __future__ import annotations

import pytest

from kbsync.controls import find_control

CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]


@pytest.mark.parametrize("allow", ["", "\t", "\t\n"])
def test_every_control_is_found_unless_allowed(allow: str) -> None:
    for char in CONTROLS:
        expected = None if char in allow else 2
        assert find_control(f"ab{char}c{char}", allow=allow) == expected, repr(char)


def test_printable_text_has_none() -> None:
    text = "".join(chr(c) for c in range(0x20, 0x2100) if chr(c) not in CONTROLS)
    assert find_control(text) is None
