"""coverage.yaml: the pydantic schema, problems at file:line: key, no aliases."""

from __future__ import annotations

from pathlib import Path

from kbsync.coverage.spec import check_expectations, parse_coverage, read_coverage

EXAMPLE = Path(__file__).resolve().parents[2] / "example-kb"


def _problems(text: str) -> list[str]:
    return [str(p) for p in parse_coverage(text)[1]]


def test_the_example_file_reads_with_lines_and_one_or_many_expectations() -> None:
    spec, problems = read_coverage(EXAMPLE)
    assert problems == [] and spec is not None
    assert len(spec.questions) == 27 and spec.min_score == 5.0
    first = spec.questions[0]
    assert (first.q, first.expect, first.line) == ("How do I reset my password?",
                                                   ("reset-your-password",), 5)
    spec, _ = parse_coverage("questions:\n  - q: A?\n    expect: [a, b-c]\n  - Just text?\n")
    assert spec is not None
    assert [q.expect for q in spec.questions] == [("a", "b-c"), ()]
    assert spec.questions[1].q == "Just text?"


def test_every_problem_at_once_with_line_and_key() -> None:
    text = ("min_score: high\ntop_k: 0\nquestions:\n  - q: Hi\n    expct: refunds\n"
            "  - q: ''\n    expect: Reset-PW\n  - expect: refunds\n  - 12\n")
    assert _problems(text) == [
        "coverage.yaml:1: min_score: must be a number, got 'high'",
        "coverage.yaml:2: top_k: must be between 1 and 100, got 0 (how many of the best "
        "hits may hold the expected article)",
        "coverage.yaml:5: expct: unknown key (did you mean 'expect'?)",
        "coverage.yaml:6: q: must not be empty",
        "coverage.yaml:7: expect: 'Reset-PW' is not a slug (a-z, 0-9 and single dashes) "
        "(the article's slug, e.g. 'reset-pw')",
        "coverage.yaml:8: q: missing (every question needs q: with the customer's words)",
        "coverage.yaml:9: questions: must be a mapping, got 12 (e.g. - q: How do I reset my "
        "password?)",
    ]


def test_a_bool_is_not_a_number() -> None:
    assert _problems("questions:\n  - q: A?\n    top_k: true\n") == [
        "coverage.yaml:3: top_k: must be a whole number, got True"]


def test_anchors_and_aliases_are_refused_before_anything_is_expanded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n" \
           "c: [*b, *b, *b, *b, *b, *b, *b, *b]\nquestions: []\n"
    spec, problems = parse_coverage(bomb)
    assert spec is None
    assert [str(p) for p in problems] == [
        "coverage.yaml:1: YAML anchors and aliases (&name, *name) are not allowed here "
        "(write each question out in full)"]


def test_broken_yaml_and_wrong_shapes() -> None:
    assert _problems("questions: [\n")[0].startswith("coverage.yaml:2: invalid YAML:")
    assert _problems("- a\n") == [
        "coverage.yaml:1: must be a mapping with questions: (a list) (see "
        "example-kb/coverage.yaml)"]
    assert _problems("questions: 5\n") == [
        "coverage.yaml:1: questions: must be a list of questions, got 5"]


def test_a_key_written_twice_is_reported() -> None:
    assert _problems("questions:\n  - q: A?\n    q: B?\n") == [
        "coverage.yaml:3: q: appears twice in the same entry; the last one wins (keep one)"]


def test_an_empty_file_is_a_warning_not_an_error() -> None:
    spec, problems = parse_coverage("# nothing yet\n")
    assert spec is not None and spec.questions == ()
    assert [p.severity for p in problems] == ["warning"]


def test_missing_file_is_no_spec_and_no_problem(tmp_path: Path) -> None:
    assert read_coverage(tmp_path) == (None, [])


def test_expectations_are_checked_against_the_tree() -> None:
    spec, _ = parse_coverage("questions:\n  - q: A?\n    expect: [refund, pickup, ok]\n")
    assert spec is not None
    problems = check_expectations(spec, published={"refunds", "ok"}, drafts={"pickup"})
    assert [str(p) for p in problems] == [
        "coverage.yaml:3: expect: warning: expects 'refund', but no article has that slug "
        "(did you mean 'refunds'?)",
        "coverage.yaml:3: expect: warning: expects 'pickup', a draft article: drafts never "
        "count (publish it (status: published) or expect another article)",
    ]
