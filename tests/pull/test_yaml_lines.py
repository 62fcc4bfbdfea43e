"""pull.yaml_lines: one key edited in place, and values written as PyYAML would write them."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kbsync.pull.yaml_lines import YamlLines, dump_entry

TRICKY = ["yes", "No", "on", "1.5", "2024-01-01", "null", "~", "0x1F", "1e3", ".5", "a b",
          "a  b", "It's", "x.", "(a)", "A & B", "- x", "a: b", "a #b", "é", "", " x", "x "]


def _pyyaml(key: str, value: object) -> list[str]:
    text = yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=False,
                          sort_keys=False, width=1 << 30)
    return text.rstrip("\n").split("\n")


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=30) | st.sampled_from(TRICKY))
def test_an_entry_is_written_exactly_as_pyyaml_writes_it(value: str) -> None:
    assert dump_entry("title", value) == _pyyaml("title", value)


def test_numbers_and_flags_are_written_as_pyyaml_writes_them() -> None:
    for value in (True, False, 0, 7, -3, 2**40, None, 1.5):
        assert dump_entry("position", value) == _pyyaml("position", value)


def test_a_set_edits_only_its_key_and_keeps_comments() -> None:
    meta = YamlLines("# ours\ntitle: Old  # keep this\nowner: ana\n")
    meta.set("status", "draft", after=("title",))
    meta.set("owner", "bo")
    assert meta.text() == "# ours\ntitle: Old  # keep this\nstatus: draft\nowner: bo\n"
    meta.remove("status")
    assert meta.text() == "# ours\ntitle: Old  # keep this\nowner: bo\n"
