"""How answers are written: UTF-8 JSON, as initdesk writes it, whatever the text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kbsync.emulator.app import json_response

#: ASCII, DEL (0x7f) and the first characters past it: where the ASCII shortcut ends
_TEXT = st.text(st.characters(max_codepoint=0x80, blacklist_categories=("Cs",)))
_BODIES = st.recursive(st.none() | st.booleans() | st.integers() | _TEXT,
                       lambda inner: st.lists(inner) | st.dictionaries(_TEXT, inner))


@given(_BODIES.filter(lambda body: body is not None))  # None: a 204, no body
def test_an_answer_is_its_json_in_utf8_without_ascii_escapes(body: Any) -> None:
    written = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert json_response(200, body).get_data() == written
