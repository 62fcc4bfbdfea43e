"""Split a Markdown file into YAML front matter and body, keeping each key's line.

python-frontmatter gives values but no line numbers, and every problem kbsync reports
points at ``file:line``. So the YAML is composed into nodes once (libyaml when present),
the key lines are read off the mapping node, and the values are constructed from the
same nodes: one parse, values and lines together. Foreign YAML errors become
:class:`~kbsync.problems.Problem` here and never travel further.

Hostile YAML is bounded here, for every file kbsync reads as YAML (front matter,
``_collection.yaml``, ``portal.yaml``, and pull's edits of them). Anchors and aliases
(``&a`` / ``*a``) are allowed for small repeats, but a document whose aliases expand to
more than :data:`MAX_EXPANDED` values (a "billion laughs": 400 bytes that stand for
hundreds of millions of strings) or that refers to itself is refused before a value is
constructed, so nothing later (validation, a message quoting the value) can walk it.
A value that looks like a date or number but is not one (``2024-02-30``) is one problem
at its own line and key; the rest of the mapping is still read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from kbsync.controls import escape, find_control
from kbsync.problems import Problem, shown

try:  # libyaml is ~10x faster; the pure-Python loader gives the same nodes
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

#: The most values a YAML mapping may stand for once its aliases are expanded.
MAX_EXPANDED = 10_000
CONTROL_HINT = ("delete it: readers would get it as it is; such characters come from "
                "copies out of terminals or binary files")
ALIAS_HINT = ("anchors (&name) and aliases (*name) are for small repeats; write the "
              "values out instead")


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, with impossible dates and numbers noted instead of raised."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.bad_values: list[tuple[yaml.Node, str]] = []


def _lenient(kind: str, construct: Any) -> Any:
    def construct_or_note(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except ValueError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else "out of range"
            loader.bad_values.append((node, f"not a valid {kind}: {shown(node.value)} "
                                            f"({reason})"))
            return node.value

    return construct_or_note


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        _lenient("date", yaml.SafeLoader.construct_yaml_timestamp))
_Loader.add_constructor("tag:yaml.org,2002:int",
                        _lenient("number", yaml.SafeLoader.construct_yaml_int))

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


def load_mapping(text: str, path: str, *, first_line: int, what: str = "",
                 entries: str = "keys to values", identity: bool = True) -> YamlMapping:
    """Parse ``text`` as a YAML mapping whose first line is ``first_line`` of the file.

    Every failure is a Problem: invalid YAML (at the error's line), a document that is
    not a mapping, a key given twice. An empty document is an empty mapping. ``what``
    starts the messages ("front matter "), empty for a file that is all YAML;
    ``entries`` says what the mapping holds; ``identity``: a file that is not a mapping
    hides which item it is (an article's front matter), not so for a settings file.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlMapping()
        if not isinstance(node, yaml.MappingNode):
            got = _node_kind(node)
            return YamlMapping(readable=False, problems=(Problem(
                path, f"{what}must be a mapping of {entries}, got {got}",
                line=node.start_mark.line + first_line, hint="write one 'key: value' per line",
                identity=identity,
            ),))
        too_big = _expansion_problem(node, path, first_line, what)
        if too_big is not None:
            return YamlMapping(readable=False, problems=(too_big,))
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        return YamlMapping(readable=False, problems=(_yaml_problem(exc, path, first_line),))
    except RecursionError:  # pragma: no cover - libyaml stops nesting at 1000 levels first
        return YamlMapping(readable=False, problems=(Problem(
            path, f"{what}is nested too deeply", line=first_line, identity=True),))
    finally:
        loader.dispose()
    return _with_lines(node, data, path, first_line, loader.bad_values)


def _expansion_problem(root: yaml.Node, path: str, first_line: int,
                       what: str) -> Problem | None:
    """A problem when aliases make ``root`` stand for too much, or for itself."""
    size = expanded_size(root, MAX_EXPANDED)
    if size is None:
        return Problem(path, f"{what}has a YAML alias inside its own anchor (it would "
                       "repeat itself forever)", line=first_line, hint=ALIAS_HINT,
                       identity=True)
    if size > MAX_EXPANDED:
        return Problem(path, f"{what}YAML aliases expand to more than {MAX_EXPANDED:,} "
                       "values", line=first_line, hint=ALIAS_HINT, identity=True)
    return None


def expanded_size(root: yaml.Node, cap: int) -> int | None:
    """How many values ``root`` stands for with every alias expanded, counted up to
    ``cap + 1``; None when an alias refers to a node that contains it. A document
    without aliases counts 0: its size is the text's, which the file cap bounds.

    The composer shares one node per anchor, so the walk counts each distinct node once
    (memoised) and the cost is the size of the text, not of the expansion. It is
    iterative: a deep document cannot exhaust the Python stack.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    shared = False
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        ident = id(node)
        if finished:
            on_path.discard(ident)
            total = 1
            for child in _children(node):
                total = min(total + sizes[id(child)], cap + 1)
            sizes[ident] = total
            continue
        if ident in sizes:
            shared = True  # a second use of an anchored node: an alias
            continue
        on_path.add(ident)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                return None
            if id(child) in sizes:
                shared = True
            else:
                stack.append((child, False))
    return sizes[id(root)] if shared else 0


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value


def _with_lines(node: yaml.MappingNode, data: dict[Any, Any], path: str,
                first_line: int, bad_values: list[tuple[yaml.Node, str]]) -> YamlMapping:
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    keys_of: dict[int, str] = {}
    for key_node, value_node in node.value:
        key = (str(key_node.value) if isinstance(key_node, yaml.ScalarNode)
               else "(a list or mapping as a key)")
        keys_of[id(value_node)] = key
        line = key_node.start_mark.line + first_line
        if key in lines:
            problems.append(Problem(path, f"given twice (first on line {lines[key]})",
                                    line=line, key=key, hint="keep one of them"))
            continue
        lines[key] = line
    for bad, message in bad_values:
        problems.append(Problem(path, message, line=bad.start_mark.line + first_line,
                                key=keys_of.get(id(bad)),
                                hint="quote the value to keep it as text"))
    for key_node, value_node in node.value:
        problems.extend(_control_problems(key_node, value_node, path, first_line))
    values = {str(key): value for key, value in data.items()}
    return YamlMapping(values, lines, tuple(problems))


def _control_problems(key_node: yaml.Node, value_node: yaml.Node, path: str,
                      first_line: int) -> Iterator[Problem]:
    """The first control character under one top-level key, as an error at its line.

    A tab and a line break are text in a multi-line value; anything else of C0 and C1
    (NUL, an ANSI escape, a bell), written raw or as a YAML escape (``"\\0"``), would be
    sent to initdesk and shown to readers. The walk is iterative and visits each node
    once (aliases share nodes; the expansion check has bounded them already).
    """
    key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
    seen: set[int] = set()
    stack = [key_node, value_node]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not isinstance(node, yaml.ScalarNode):
            stack.extend(reversed(list(_children(node))))
            continue
        index = find_control(str(node.value), allow="\t\n")
        if index is None:
            continue
        value = str(node.value)
        line = node.start_mark.line + first_line
        if node.style in ("|", ">"):  # the text starts on the line after the indicator
            line += 1 + value.count("\n", 0, index)
        yield Problem(path, f"holds the control character {escape(value[index])} "
                      f"({shown(value, 40)})", line=line, key=key,
                      hint=CONTROL_HINT)
        return


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return shown(node.value) if isinstance(node, yaml.ScalarNode) else "something else"


def _yaml_problem(exc: yaml.YAMLError, path: str, first_line: int) -> Problem:
    line = yaml_error_line(exc)
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if context == "while scanning a quoted scalar" and "end of stream" in reason:
        reason = "the quote opened on this line is never closed"
    return Problem(path, f"invalid YAML: {reason}", line=first_line + (line or 0),
                   hint=context or "check quotes, colons and indentation", identity=True)


#: Constructs whose error shows only where the next token should have been (often the
#: next line, or the closing ``---`` for a quote never closed): the line that holds the
#: mistake is where the construct starts.
_OPENED_AT = ("while scanning a quoted scalar", "while scanning a simple key",
              "while parsing a flow")


def yaml_error_line(exc: yaml.YAMLError) -> int | None:
    """The 0-based line of the mistake: where PyYAML found it, unless it found it only
    after the construct that holds it (see ``_OPENED_AT``)."""
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    opened = str(getattr(exc, "context", None) or "").startswith(_OPENED_AT)
    mark = context if context is not None and (opened or problem is None) else problem
    return mark.line if mark is not None else None
