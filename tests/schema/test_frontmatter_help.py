"""What each front-matter key means and defaults to has one home, the schema's field
descriptions: the README's table says it word for word (the editor's hover shows it)."""

from __future__ import annotations

from pathlib import Path

from kbsync.schema.frontmatter import ARTICLE_KEYS, key_help

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_article_key_has_a_meaning_and_a_default() -> None:
    for key in ARTICLE_KEYS:
        found = key_help(key)
        assert found is not None and all(found), key
    assert key_help("owner") is None


def test_the_readme_table_is_the_schema_word_for_word() -> None:
    for key in ARTICLE_KEYS:
        meaning, default = key_help(key)  # type: ignore[misc]
        assert f"| `{key}` | {default} | {meaning} |" in README
