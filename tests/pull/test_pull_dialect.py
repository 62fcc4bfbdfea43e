"""pull writes a changed article back in the syntax its file uses, where the dialect
offers two for the same HTML."""

from __future__ import annotations

from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb = pull_kb.pkb

BOTH = '[content]\nmarkdown = ["attrs", "admonitions", "docusaurus"]\n'
CALLOUT = ('<div class="kb-callout kb-callout-note">\n<p class="kb-callout-title">Note</p>\n'
           "<p>{}</p>\n</div>\n")


def test_a_callout_edited_in_initdesk_keeps_the_files_syntax(pkb: PullKB) -> None:
    pkb.write("kbsync.toml", BOTH)
    pkb.article("guides/a.md", "A", ":::note\n\nOld text.\n\n:::")
    assert pkb.apply().code == 0
    pkb.edit_remote("a", content_html=CALLOUT.format("New text."), content="Note New text.")
    outcome = pkb.pull()
    assert outcome.code == 0, outcome.err
    assert pkb.read("guides/a.md").endswith("\n\n:::note\n\nNew text.\n\n:::\n")


def test_a_file_without_callouts_gets_the_admonitions_turned_on_first(pkb: PullKB) -> None:
    pkb.write("kbsync.toml", BOTH)
    pkb.article("guides/a.md", "A", "Text.")
    assert pkb.apply().code == 0
    pkb.edit_remote("a", content_html=CALLOUT.format("Fresh."), content="Note Fresh.")
    assert pkb.pull().code == 0
    assert pkb.read("guides/a.md").endswith("\n\n!!! note\n    Fresh.\n")
