"""Keep relative links working when files or folders move.

A relative link (``../billing/refunds.md#fees``, ``images/box.png``) names a file by
where it is; when ``pull`` moves the linking file or the file it links to, or a writer
renames a file in the editor (``kbsync lsp``), the link must be rewritten, or
``validate`` (and then ``plan``) fails on a link that worked a moment ago. Only the
destination is touched; code blocks, code spans and the front matter are left alone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from urllib.parse import unquote

from kbsync.markdown.paths import encoded_link_path

__all__ = ["Relocator", "relocate_links", "respelled"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_INLINE = re.compile(r"\]\([ \t]*(<[^<>\n]*>|[^\s()<>]+)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^<>\n]*>|\S+)", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_NEEDS_QUOTING = re.compile(r"[\s()<>%#?\\]")


class Relocator:
    """Where a root-relative path ends up after the moves of one pull.

    ``files`` maps old file keys to new ones; ``folders`` old folder keys to new ones.
    The longest moved folder that holds a path decides (a folder moved on its own inside
    a moved parent has its own entry).
    """

    def __init__(self, files: Mapping[str, str], folders: Mapping[str, str]) -> None:
        self.files = dict(files)
        self.folders = sorted(((old, new) for old, new in folders.items() if old != new),
                              key=lambda pair: -len(pair[0]))

    def __bool__(self) -> bool:
        return bool(self.folders) or any(old != new for old, new in self.files.items())

    def __call__(self, path: str) -> str:
        if path in self.files:
            return self.files[path]
        for old, new in self.folders:
            if path == old:
                return new
            if path.startswith(old + "/"):
                return new + path[len(old):]
        return path


def relocate_links(text: str, old_key: str, new_key: str,
                   moved: Callable[[str], str]) -> str:
    """``text`` (a whole file) with relative link destinations fixed for the moves.

    ``old_key`` is where the file was, ``new_key`` where it will be; ``moved`` maps an old
    root-relative target to its new place.
    """
    lines = text.split("\n")
    start = _body_start(lines)
    out = lines[:start]
    fence: str | None = None
    for line in lines[start:]:
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if match:
            fence = match.group(1)
            out.append(line)
            continue
        out.append(_relocate_line(line, old_key, new_key, moved))
    return "\n".join(out)


def _body_start(lines: list[str]) -> int:
    """The index of the first line after the front matter (0 without one)."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return index + 1
    return 0


def _relocate_line(line: str, old_key: str, new_key: str, moved: Callable[[str], str]) -> str:
    if "](" not in line and "]:" not in line:
        return line
    spans = [m.span() for m in _CODE_SPAN.finditer(line)]
    edits: list[tuple[int, int, str]] = []
    for pattern in (_INLINE, _REFERENCE):
        for match in pattern.finditer(line):
            begin, end = match.span(1)
            if any(a <= begin < b for a, b in spans):
                continue
            new = _relocate(match.group(1), old_key, new_key, moved)
            if new != match.group(1):
                edits.append((begin, end, new))
    for begin, end, new in sorted(edits, reverse=True):
        line = line[:begin] + new + line[end:]
    return line


def _relocate(destination: str, old_key: str, new_key: str, moved: Callable[[str], str]) -> str:
    bracketed = destination.startswith("<") and destination.endswith(">")
    href = destination[1:-1] if bracketed else destination
    if not href or href.startswith(("#", "/", "\\")) or _SCHEME.match(href):
        return destination
    cut = min((i for i in (href.find("#"), href.find("?")) if i >= 0), default=len(href))
    path = href[:cut]
    if not path:
        return destination
    target = posixpath.normpath(posixpath.join(posixpath.dirname(old_key), unquote(path)))
    if target == ".." or target.startswith("../"):
        return destination
    new_target = moved(target)
    if new_target == target and posixpath.dirname(old_key) == posixpath.dirname(new_key):
        return destination
    relative = posixpath.relpath(new_target, posixpath.dirname(new_key) or ".")
    if relative == posixpath.normpath(unquote(path)):
        return destination
    return respelled(destination, path=relative)


def respelled(written: str, *, path: str | None = None, fragment: str | None = None) -> str:
    """The destination ``written`` (as the file has it, ``<...>`` included) with its
    path (relative, not encoded) or its fragment replaced, spelled the way it was: in
    brackets, or %-encoded when it was or must be. A ``?query`` stays."""
    bracketed = written.startswith("<") and written.endswith(">")
    href = written[1:-1] if bracketed else written
    cut = min((i for i in (href.find("#"), href.find("?")) if i >= 0), default=len(href))
    old, suffix = href[:cut], href[cut:]
    new = old if path is None else _spelled(path, bracketed=bracketed, encoded="%" in old)
    if fragment is not None:
        suffix = f"{suffix.partition('#')[0]}#{fragment}"
    return f"<{new}{suffix}>" if bracketed else new + suffix


def _spelled(path: str, *, bracketed: bool, encoded: bool) -> str:
    """``path`` as a link destination that reads back as it (``resolve_relative``).

    A ``%``, ``#`` or ``?`` in a name is percent-encoded wherever it stands; inside
    ``<...>`` spaces may stay; elsewhere a name that needs encoding (or a link that was
    encoded already) is encoded as a whole.
    """
    if bracketed:
        return path.replace("%", "%25").replace("#", "%23").replace("?", "%3F") \
            .replace("<", "%3C").replace(">", "%3E")
    if encoded or _NEEDS_QUOTING.search(path):
        return encoded_link_path(path)
    return path
