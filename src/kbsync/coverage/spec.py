"""coverage.yaml -> CoverageSpec: the questions that must find an article.

The schema is a pydantic model; every problem pydantic finds is mapped back to the YAML
node it came from, so it reads like the rest of kbsync: ``coverage.yaml:12: expect:
message (hint)``. The file is read with PyYAML's safe loader, and anchors and aliases
are refused before anything is constructed: an alias can make a small file expand
into an enormous document (the "billion laughs"), and a list of questions needs none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from kbsync.config import COVERAGE_FILE
from kbsync.defaults import MAX_TOP_K
from kbsync.local.fields import SLUG_RE, did_you_mean, slugify
from kbsync.local.frontmatter import yaml_error_line
from kbsync.local.reading import not_a_file, read_capped
from kbsync.model import LocalArticle
from kbsync.problems import Problem

#: libyaml's safe loader when PyYAML has it (ten times faster), as front matter reads.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_FILE_BYTES = 1024 * 1024
QUESTION_MAX = 2000

Slug = Annotated[str, StringConstraints(pattern=SLUG_RE.pattern)]
TopK = Annotated[int, Field(ge=1, le=MAX_TOP_K)]
QuestionText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                max_length=QUESTION_MAX)]


class QuestionEntry(BaseModel):
    """One question: ``q``, and optionally the article(s) that should answer it."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    q: QuestionText
    expect: tuple[Slug, ...] = ()
    min_score: float | None = None
    top_k: TopK | None = None
    _line: int | None = PrivateAttr(default=None)
    _expect_line: int | None = PrivateAttr(default=None)

    @field_validator("expect", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """``expect: slug`` or ``expect: [a, b]``; empty means no expectation."""
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(value)
        return value

    @property
    def line(self) -> int | None:
        """The line of ``coverage.yaml`` the question starts on."""
        return self._line

    @property
    def expect_line(self) -> int | None:
        """The line of its ``expect:`` (the question's when it has none of its own)."""
        return self._expect_line or self._line


class CoverageSpec(BaseModel):
    """The whole file. ``min_score`` and ``top_k`` here are defaults for every question."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    min_score: float | None = None
    top_k: TopK | None = None
    questions: tuple[QuestionEntry, ...] = ()

    @field_validator("questions", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        """A list; a bare string item is a question with no expectation."""
        if value is None:
            return ()
        if isinstance(value, list):
            return tuple({"q": item} if isinstance(item, str) else item for item in value)
        return value


_ALLOWED = {
    CoverageSpec: set(CoverageSpec.model_fields),
    QuestionEntry: set(QuestionEntry.model_fields),
}


def read_coverage(root: Path) -> tuple[CoverageSpec | None, list[Problem]]:
    """The spec in ``root/coverage.yaml`` (None when absent or unusable), and its problems."""
    path = root / COVERAGE_FILE
    special = not_a_file(root, COVERAGE_FILE)
    if special is not None:
        return None, [Problem(COVERAGE_FILE, f"{special}: not read",
                              hint="questions live in a regular file; replace it or delete it")]
    if not path.is_file():
        return None, []
    try:
        raw = read_capped(path, MAX_FILE_BYTES)
    except OSError as exc:
        return None, [Problem(COVERAGE_FILE, f"cannot read: {exc.strerror or exc}")]
    if raw is None:
        return None, [Problem(COVERAGE_FILE, f"is larger than {MAX_FILE_BYTES:,} bytes: "
                              "not read", hint="keep the questions that matter most")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [Problem(COVERAGE_FILE, "is not UTF-8", hint="save the file as UTF-8")]
    return parse_coverage(text)


def parse_coverage(text: str) -> tuple[CoverageSpec | None, list[Problem]]:
    """Parse the text of a coverage.yaml (see :func:`read_coverage`)."""
    problems = _refuse_aliases(text)
    if problems:
        return None, problems
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(exc)]
    if node is None or data is None:
        return CoverageSpec(), [Problem(COVERAGE_FILE, "has no questions", severity="warning",
                                        hint="add questions: with a list of q: entries")]
    if not isinstance(data, dict):
        return None, [Problem(COVERAGE_FILE, "must be a mapping with questions: (a list)",
                              line=1, hint="see example-kb/coverage.yaml")]
    problems = list(_duplicate_keys(node))
    try:
        spec = CoverageSpec.model_validate(data)
    except ValidationError as exc:
        return None, problems + [_problem(error, node) for error in exc.errors()]
    _attach_lines(spec, node)
    if not spec.questions:
        problems.append(Problem(COVERAGE_FILE, "has no questions", line=_key_line(
            node, "questions"), key="questions", severity="warning",
            hint="add questions: with a list of q: entries"))
    return spec, problems


def coverage_file_problems(root: Path, articles: Iterable[LocalArticle]) -> list[Problem]:
    """coverage.yaml's problems, and its expectations against these articles: what
    validate, plan and the live preview report for the file."""
    spec, problems = read_coverage(root)
    if spec is not None:
        articles = list(articles)
        problems.extend(check_expectations(
            spec, (a.slug for a in articles if a.status == "published"),
            (a.slug for a in articles if a.status != "published")))
    return problems


def check_expectations(spec: CoverageSpec, published: Iterable[str],
                       drafts: Iterable[str] = ()) -> list[Problem]:
    """Warnings for ``expect:`` slugs that no published article of the tree has.

    Kept apart from :func:`read_coverage` because it needs the tree; validate and the
    coverage command both call it once they have one.
    """
    published_set, draft_set = set(published), set(drafts)
    problems = []
    for entry in spec.questions:
        for slug in entry.expect:
            if slug in published_set:
                continue
            if slug in draft_set:
                message = f"expects {slug!r}, a draft article: drafts never count"
                hint = "publish it (status: published) or expect another article"
            else:
                guess = did_you_mean(slug, sorted(published_set))
                message = f"expects {slug!r}, but no article has that slug"
                hint = f"did you mean {guess!r}?" if guess else "check the article's slug"
            problems.append(Problem(COVERAGE_FILE, message, line=entry.expect_line, key="expect",
                                    hint=hint, severity="warning"))
    return problems


# --- YAML ------------------------------------------------------------------------------


def _refuse_aliases(text: str) -> list[Problem]:
    """Anchors and aliases, found from the event stream, before anything is expanded."""
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor is not None:
                line = event.start_mark.line + 1 if event.start_mark else None
                return [Problem(COVERAGE_FILE, "YAML anchors and aliases (&name, *name) are "
                                "not allowed here", line=line,
                                hint="write each question out in full")]
    except yaml.YAMLError as exc:
        return [_yaml_problem(exc)]
    return []


def _yaml_problem(exc: yaml.YAMLError) -> Problem:
    line = yaml_error_line(exc)
    return Problem(COVERAGE_FILE, f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
                   line=None if line is None else line + 1,
                   hint="check the indentation and quote text that has a ':'")


def _duplicate_keys(node: yaml.Node) -> Iterable[Problem]:
    """A key written twice in one mapping: YAML keeps the last silently; we say so."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    yield Problem(COVERAGE_FILE, "appears twice in the same entry; the last "
                                  "one wins", line=key.start_mark.line + 1, key=key.value,
                                  hint="keep one")
                seen.add(key.value)
            yield from _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item)


def _key_line(node: yaml.Node, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return int(k.start_mark.line) + 1
    return None


def _attach_lines(spec: CoverageSpec, node: yaml.Node) -> None:
    questions = _child(node, "questions")
    if not isinstance(questions, yaml.SequenceNode):
        return
    for entry, item in zip(spec.questions, questions.value, strict=True):
        entry._line = item.start_mark.line + 1
        entry._expect_line = _key_line(item, "expect")


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v if isinstance(v, yaml.Node) else None
    return None


# --- pydantic errors -> problems ----------------------------------------------------------


def _problem(error: Any, root: yaml.Node) -> Problem:
    """One pydantic error as a Problem at the line of the YAML node it is about."""
    loc: Sequence[Any] = error["loc"]
    line, key = _locate(root, loc)
    message, hint = _describe(error, loc, key)
    return Problem(COVERAGE_FILE, message, line=line, key=key, hint=hint)


def _locate(root: yaml.Node, loc: Sequence[Any]) -> tuple[int, str | None]:
    """Follow ``loc`` through the YAML nodes as far as it goes: (line, last key)."""
    node, line, key = root, root.start_mark.line + 1, None
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            found = next(((k, v) for k, v in node.value
                          if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            if found is None:
                key = part  # a missing key: the line of the mapping that lacks it
                break
            node, line, key = found[1], found[0].start_mark.line + 1, part
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line, key


def _describe(error: Any, loc: Sequence[Any], key: str | None) -> tuple[str, str | None]:
    kind = error["type"]
    value = error.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        known = sorted(_ALLOWED[QuestionEntry] if _in_question(loc) else
                       _ALLOWED[CoverageSpec])
        guess = did_you_mean(str(loc[-1]), known)
        return "unknown key", f"did you mean {guess!r}?" if guess else "known: " + ", ".join(
            known)
    if kind == "missing":
        return ("missing", "every question needs q: with the customer's words") if \
            loc[-1] == "q" else ("missing", None)
    if kind == "string_pattern_mismatch":
        suggestion = slugify(str(value))
        return (f"{value!r} is not a slug (a-z, 0-9 and single dashes)",
                f"the article's slug, e.g. {suggestion!r}" if suggestion else
                "the article's slug, as in its front matter or file name")
    if kind in ("string_too_short",):
        return "must not be empty", None
    if kind == "string_too_long":
        return f"is too long; the limit is {ctx.get('max_length')} characters", None
    if kind in ("string_type",):
        return f"must be text, got {shown}", "quote it" if value is not None else None
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, got {shown}", None
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, got {shown}", None
    if kind in ("greater_than_equal", "less_than_equal"):
        return (f"must be between 1 and {MAX_TOP_K}, got {shown}",
                "how many of the best hits may hold the expected article")
    if kind in ("tuple_type", "list_type"):
        what = "a list of questions" if key == "questions" else "a slug or a list of slugs"
        return f"must be {what}, got {shown}", None
    if kind == "model_type":
        return (f"must be a mapping, got {shown}",
                "e.g. - q: How do I reset my password?" if _in_question(loc) else None)
    return str(error.get("msg", "is not valid")), None


def _in_question(loc: Sequence[Any]) -> bool:
    return len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int)
