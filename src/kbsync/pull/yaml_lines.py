"""Set or drop one top-level key of a YAML mapping's text, leaving every other byte alone.

``pull`` rewrites a few values in front matter, ``_collection.yaml`` and ``portal.yaml``,
files people also edit by hand: comments, key order, quoting and a team's own keys must
survive, and a value that did not change must not be re-quoted. So a key's lines are
replaced in place instead of dumping the whole mapping again, and a key whose current
value already equals the wanted one is not touched at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from kbsync.local.frontmatter import load_mapping

__all__ = ["YamlLines", "dump_entry"]

_WIDTH = 1 << 30  # never fold a long title over several lines


#: Text that YAML writes unquoted, as it is, when it also reads back as a string: PyYAML's
#: emitter is slow, and titles, slugs and names are nearly always this simple.
_PLAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ,.()/&+'-]*[A-Za-z0-9.)'])?\Z")
#: Text a single-quoted YAML scalar holds as it is: printable, on one line.
_SINGLE_LINE = re.compile(r"[^\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff]*\Z")
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()


def dump_entry(key: str, value: Any) -> list[str]:
    """``key: value`` as YAML lines (no line ends), quoted only where YAML needs it."""
    if _plain(key):
        if isinstance(value, bool):
            return [f"{key}: {'true' if value else 'false'}"]
        if isinstance(value, int):
            return [f"{key}: {value}"]
        if isinstance(value, str) and _plain(value):
            return [f"{key}: {value}"]
    text = yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=False,
                         sort_keys=False, width=_WIDTH)
    lines = text.rstrip("\n").split("\n")
    if (isinstance(value, str) and value != value.strip() and _SINGLE_LINE.match(value)
            and lines == [f"{key}: {value}"]):
        # PyYAML leaves space other than ASCII (a no-break space) at an end unquoted:
        # quoted, a reader's eye sees it too (and no editor trims it).
        return [f"{key}: '" + value.replace("'", "''") + "'"]
    return lines


def _plain(text: str) -> bool:
    """Whether ``text`` is written as it is (the same as ``safe_dump`` would write it)."""
    return bool(_PLAIN.match(text)) and "  " not in text and _RESOLVER.resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, text, (True, False)) == _STR_TAG


class YamlLines:
    """The lines of one YAML mapping, editable key by key.

    ``readable`` is False when the text is not a clean mapping (invalid YAML, a key given
    twice): editing it line by line could corrupt it, so callers write it anew instead.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        meta = load_mapping(text, "", first_line=1)
        self.readable = meta.readable and not meta.problems
        self.values: dict[str, Any] = dict(meta.data) if self.readable else {}
        self._key_lines: dict[str, int] = dict(meta.lines) if self.readable else {}

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def has(self, key: str) -> bool:
        return key in self.values

    def set(self, key: str, value: Any, *, after: Sequence[str] = ()) -> None:
        """Give ``key`` this value; a new key goes after the last present of ``after``.

        A value that is already equal (same type too: ``1`` is not ``"1"``) is left as
        written.
        """
        if key in self.values and _same(self.values[key], value):
            return
        new = dump_entry(key, value)
        span = self._span(key)
        if span is not None:
            start, end = span
        else:
            start = end = self._insert_at(after)
        self.lines[start:end] = new
        self._reread()

    def remove(self, key: str) -> None:
        span = self._span(key)
        if span is not None:
            del self.lines[span[0]:span[1]]
            self._reread()

    def _reread(self) -> None:
        """Parse the edited text once: the values and each key's line, for what follows."""
        meta = load_mapping(self.text(), "", first_line=1)
        self.values = dict(meta.data)
        self._key_lines = dict(meta.lines)

    def _key_index(self, key: str) -> int | None:
        """The 0-based line of ``key`` (as the YAML parser saw it)."""
        line = self._key_lines.get(key)
        return None if line is None else line - 1

    def _span(self, key: str) -> tuple[int, int] | None:
        """Lines ``[start, end)`` holding ``key`` and its value (continuations, block
        scalars, a block list), without the blank lines or comments that follow."""
        start = self._key_index(key)
        if start is None:
            return None
        end = start + 1
        last = end
        while end < len(self.lines):
            line = self.lines[end]
            if not line.strip():
                end += 1
                continue
            if line[0] in " \t" or line == "-" or line.startswith("- "):
                end += 1
                last = end
                continue
            break
        return start, last

    def _insert_at(self, after: Sequence[str]) -> int:
        for key in reversed(after):
            span = self._span(key)
            if span is not None:
                return span[1]
        return 0


def _same(current: Any, wanted: Any) -> bool:
    return type(current) is type(wanted) and bool(current == wanted)
