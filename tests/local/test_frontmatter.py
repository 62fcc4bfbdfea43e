from __future__ import annotations

import datetime

from kbsync.local.frontmatter import decode, load_mapping, split_front_matter


def messages(text: str) -> list[str]:
    return [str(p) for p in split_front_matter(text, "a.md").meta.problems]


def test_no_front_matter_is_all_body() -> None:
    split = split_front_matter("# Hi\n", "a.md")
    assert (split.meta.data, split.body, split.body_line) == ({}, "# Hi\n", 1)


def test_values_lines_and_body_start() -> None:
    split = split_front_matter("---\ntitle: Hi\n\nslug: hi\n---\nBody\n", "a.md")
    assert split.meta.data == {"title": "Hi", "slug": "hi"}
    assert split.meta.lines == {"title": 2, "slug": 4}
    assert (split.body, split.body_line) == ("Body\n", 6)


def test_empty_front_matter() -> None:
    split = split_front_matter("---\n---\nx", "a.md")
    assert (split.meta.data, split.meta.problems, split.body) == ({}, (), "x")


def test_invalid_yaml_points_at_its_line() -> None:
    assert messages("---\ntitle: ok\nslug: a: b\n---\n") == [
        "a.md:3: invalid YAML: mapping values are not allowed in this context"
        " (check quotes, colons and indentation)"
    ]


def test_front_matter_must_be_a_mapping() -> None:
    assert messages("---\n- a\n---\n") == [
        "a.md:2: front matter must be a mapping of keys to values, got a list"
        " (write one 'key: value' per line)"
    ]


def test_unclosed_front_matter() -> None:
    assert messages("---\ntitle: x\n") == [
        "a.md:1: front matter is not closed (end it with a line of three dashes: ---)"
    ]


def test_key_given_twice() -> None:
    assert messages("---\ntitle: a\ntitle: b\n---\n") == [
        "a.md:3: title: given twice (first on line 2) (keep one of them)"
    ]


def test_dates_are_values_and_impossible_dates_are_problems() -> None:
    assert load_mapping("d: 2024-01-01", "x", first_line=1).data == {
        "d": datetime.date(2024, 1, 1)
    }
    found = load_mapping("t: x\nd: 2024-02-30\nslug: s\n", "x", first_line=2)
    assert [str(p) for p in found.problems] == [
        "x:3: d: not a valid date: '2024-02-30' (day is out of range for month)"
        " (quote the value to keep it as text)"
    ]
    assert found.data == {"t": "x", "d": "2024-02-30", "slug": "s"}  # the rest is read


def test_decode_drops_bom_and_normalises_line_endings() -> None:
    assert decode(b"\xef\xbb\xbfa\r\nb\rc\n") == "a\nb\nc\n"
