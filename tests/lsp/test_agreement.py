"""No divergence: on every hostile knowledge base of the reliability bench
(``bench/reliability.py``'s corpus), the diagnostics the editor gets for a saved file are
the findings ``validate --format json`` gives for that file, at the same places.

One server serves every case (a knowledge base each: the server keeps one session per
kbsync.toml). Three cases are left out for time, not for what they hold: markdown-it
takes ~50 s over 500,000 ``[`` and ~2 s over the emphasis storm and the 50,000-row table,
whichever front end asks (the reliability bench itself runs them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from kbsync.cli import run
from kbsync.lsp.diagnostics import diagnostics
from kbsync.lsp.positions import Lines
from kbsync.problems import Problem
from tests.bench import load

from .conftest import Editor

pytestmark = pytest.mark.asyncio(loop_scope="session")

SLOW = {"body: 500k brackets", "body: emphasis storm", "body: huge table"}


def _validate(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, list[Problem]]:
    """validate's findings by file. Settings it refuses (no JSON: an error on stderr)
    are one finding on kbsync.toml, at the line the error names."""
    capsys.readouterr()
    run(["-C", str(root), "validate", "--format", "json"])
    out, err = capsys.readouterr()
    if not out.strip():
        line, _, message = err.removeprefix("Error: kbsync.toml:").partition(": ")
        return {"kbsync.toml": [Problem("kbsync.toml", message.strip(), line=int(line),
                                        hint="the last settings that could be read apply "
                                             "meanwhile")]}
    found: dict[str, list[Problem]] = {}
    for finding in json.loads(out)["findings"]:
        found.setdefault(finding["path"], []).append(Problem(**finding))
    return found


def _saved_text(path: Path) -> str | None:
    """The text an editor would open for ``path``: None for what it cannot (not a regular
    file in the tree, not UTF-8)."""
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


async def test_diagnostics_of_saved_files_equal_validate_on_the_hostile_corpus(
        editor: Editor, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = load("reliability")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\nNot for readers.\n")
    compared: dict[str, tuple[str, list[types.Diagnostic]]] = {}
    for index, (name, make) in enumerate(bench.corpus().items()):
        if name in SLOW:
            continue
        root = bench.valid_kb(tmp_path / f"case-{index}")
        make(root, outside)
        expected = _validate(root, capsys)
        case = Editor(editor.client, root)
        for rel in sorted({*expected, "g/ok.md"}):
            text = _saved_text(root / rel)
            if text is None:
                continue
            case.open(rel)
            want = diagnostics(expected.get(rel, []), Lines(text, PositionCodec()))
            got = await case.diagnostics(rel, lambda d, want=want: list(d) == want, timeout=10)
            assert (name, rel, list(got)) == (name, rel, want)
            compared[case.uri(rel)] = (name, want)
    assert len(compared) >= 80
    # the first diagnostics may be a glance's: once every whole check is done, the same
    await editor.client.text_document_hover_async(types.HoverParams(
        text_document=case.doc(rel), position=types.Position(0, 0)))
    for uri, (name, want) in compared.items():
        assert (name, list(editor.client.diagnostics[uri])) == (name, want)
