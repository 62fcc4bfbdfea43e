"""``kbsync lsp --check``: what the server would report about a folder, once, as text
(for a support request: paste it, and it shows what the editor shows)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from kbsync import __version__
from kbsync.config import Config
from kbsync.errors import UsageError
from kbsync.lsp.diagnostics import diagnostics
from kbsync.lsp.positions import Lines
from kbsync.lsp.session import Session
from kbsync.words import plural

__all__ = ["Report", "check_folder"]

_SEVERITY = {types.DiagnosticSeverity.Error: "error", types.DiagnosticSeverity.Warning: "warning"}


@dataclass(frozen=True)
class Report:
    """The lines to print, and how many diagnostics were errors."""

    lines: list[str]
    errors: int


def check_folder(config: Config, target: Path | None = None) -> Report:
    """The server's diagnostics for every file of the knowledge base (or under
    ``target``), each at the line and column (1-based, as editors show them) the editor
    would underline, after the settings the server runs with."""
    started = time.perf_counter()
    session = Session(config)
    checked = session.check()
    prefix = "" if target is None else _key(session, target)
    paths = sorted({p.path for p in checked.problems if _under(p.path, prefix)})
    content = config.content
    out = [f"kbsync lsp {__version__}: {config.root.resolve()}",
           f"{plural(len(checked.tree.articles), 'article')} in "
           f"{plural(len(checked.tree.collections), 'collection')}; Markdown: "
           f"{', '.join(content.markdown) or 'CommonMark only'}; heading ids: "
           f"{content.heading_ids}; extra keys: {', '.join(content.extra_keys) or 'none'}"]
    codec = PositionCodec()  # UTF-16, the protocol's default: what most editors count
    errors = warnings = 0
    for path in paths:
        lines = Lines(session.text(path) or "", codec)
        for diagnostic in diagnostics(session.problems(path), lines):
            out.append(_line(path, diagnostic))
            if diagnostic.severity == types.DiagnosticSeverity.Error:
                errors += 1
            else:
                warnings += 1
    took = (time.perf_counter() - started) * 1000
    out.append(f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in "
               f"{plural(len(paths), 'file')} (checked in {took:.0f} ms)")
    return Report(out, errors)


def _line(path: str, diagnostic: types.Diagnostic) -> str:
    start, end = diagnostic.range.start, diagnostic.range.end
    severity = _SEVERITY.get(diagnostic.severity or types.DiagnosticSeverity.Error, "info")
    return (f"{path}:{start.line + 1}:{start.character + 1}-{end.line + 1}:"
            f"{end.character + 1}: {severity}: {diagnostic.message}")


def _key(session: Session, target: Path) -> str:
    key = session.key(target.resolve()) if target.exists() else None
    if key is None:
        raise UsageError(f"--check {target}: not a file or folder of the knowledge base at "
                         f"{session.root.resolve()}")
    return key


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")
