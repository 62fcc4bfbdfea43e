"""Counted nouns read like sentences."""

from kbsync.words import plural


def test_one_is_singular_everything_else_plural() -> None:
    assert [plural(n, "request") for n in (0, 1, 2)] == ["0 requests", "1 request",
                                                         "2 requests"]
    assert plural(2, "entry") == "2 entries" and plural(3, "child", "children") == "3 children"
