"""Split a Markdown file into YAML front matter and body, keeping each key's line.

python-frontmatter gives values but no line numbers, and every problem kbsync reports
points at ``file:line``. So the YAML is composed into nodes once (libyaml when present),
the key lines are read off the mapping node, and the values are constructed from the
same nodes: one parse, values and lines together. Foreign YAML errors become
:class:`~kbsync.problems.Problem` here and never travel further.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from kbsync.problems import Problem

try:  # libyaml is ~10x faster; the pure-Python loader gives the same nodes
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

DELIMITER = "---"
_CLOSERS = ("---", "...")


@dataclass(frozen=True, slots=True)
class YamlMapping:
    """A YAML mapping with the 1-based file line of each top-level key.

    ``readable`` is False when the YAML could not be read at all: then a missing key
    is not worth a second problem.
    """

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    readable: bool = True


@dataclass(frozen=True, slots=True)
class SplitFile:
    """A Markdown file split into front matter and body."""

    meta: YamlMapping
    body: str
    body_line: int  # 1-based line of the file where ``body`` starts


def decode(raw: bytes) -> str:
    """UTF-8 with or without BOM, any line ending -> ``str`` with LF line endings.

    Raises ``UnicodeDecodeError``; callers turn it into a Problem with the file's path.
    """
    text = raw.decode("utf-8-sig")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def describe_decode_error(exc: UnicodeDecodeError) -> str:
    """A one-line reason for an undecodable file, without Python's internals."""
    byte = exc.object[exc.start : exc.start + 1].hex()
    return f"not UTF-8 text (byte 0x{byte} at offset {exc.start})"


def split_front_matter(text: str, path: str) -> SplitFile:
    """Split ``text`` (already decoded, LF endings) at the ``---`` fences.

    No opening fence on line 1 means no front matter: the whole text is body. An opening
    fence without a closing one is a problem, and the file is then read as body only, so
    a title H1 further down can still be found.
    """
    if not _is_fence(text, 0, (DELIMITER,)):
        return SplitFile(YamlMapping(), text, 1)
    start = text.find("\n") + 1 if "\n" in text else len(text)
    pos = start
    line = 2
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        if text[pos:end].rstrip() in _CLOSERS:
            meta = load_mapping(text[start:pos], path, first_line=2, what="front matter ")
            return SplitFile(meta, text[end + 1 :], line + 1)
        pos = end + 1
        line += 1
    problem = Problem(path, "front matter is not closed", line=1,
                      hint="end it with a line of three dashes: ---", identity=True)
    return SplitFile(YamlMapping(readable=False, problems=(problem,)), text, 1)


def _is_fence(text: str, pos: int, fences: tuple[str, ...]) -> bool:
    end = text.find("\n", pos)
    first = text[pos:] if end == -1 else text[pos:end]
    return first.rstrip() in fences


def load_mapping(text: str, path: str, *, first_line: int, what: str = "") -> YamlMapping:
    """Parse ``text`` as a YAML mapping whose first line is ``first_line`` of the file.

    Every failure is a Problem: invalid YAML (at the error's line), a document that is
    not a mapping, a key given twice. An empty document is an empty mapping. ``what``
    starts the messages ("front matter "), empty for a file that is all YAML.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping()
        if not isinstance(node, yaml.MappingNode):
            got = _node_kind(node)
            return YamlMapping(readable=False, problems=(Problem(
                path, f"{what}must be a mapping of keys to values, got {got}",
                line=node.start_mark.line + first_line, hint="write one 'key: value' per line",
                identity=True,
            ),))
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        return YamlMapping(readable=False, problems=(_yaml_problem(exc, path, first_line),))
    except ValueError as exc:  # a value that looks like a date but is not one: 2024-02-30
        return YamlMapping(readable=False, problems=(Problem(
            path, f"invalid YAML: {exc}", line=first_line,
            hint="quote the value to keep it as text", identity=True,
        ),))
    finally:
        loader.dispose()
    return _with_lines(node, data, path, first_line)


def _with_lines(node: yaml.MappingNode, data: dict[Any, Any], path: str,
                first_line: int) -> YamlMapping:
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for key_node, _ in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else str(key_node)
        line = key_node.start_mark.line + first_line
        if key in lines:
            problems.append(Problem(path, f"given twice (first on line {lines[key]})",
                                    line=line, key=key, hint="keep one of them"))
            continue
        lines[key] = line
    values = {str(key): value for key, value in data.items()}
    return YamlMapping(values, lines, tuple(problems))


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{node.value!r}" if isinstance(node, yaml.ScalarNode) else "something else"


def _yaml_problem(exc: yaml.YAMLError, path: str, first_line: int) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + first_line if mark is not None else first_line
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return Problem(path, f"invalid YAML: {reason}", line=line,
                   hint=context or "check quotes, colons and indentation", identity=True)
