"""render.text: the pieces of the terminal plan that the golden files do not isolate."""

from __future__ import annotations

from dataclasses import replace

from kbsync.plan.links import placeholder
from kbsync.plan.model import LINK_PLACEHOLDER, Action, Change, FieldChange, Plan, RemoteRef
from kbsync.render.text import line_symbol, render_text, show_value, summary, unlink

REMOTE = RemoteRef(base_url="http://example.test", organization_id=7)


def update(*fields: FieldChange, action: Action = Action.UPDATE) -> Change:
    return Change(kind="article", key="a.md", action=action, slug="a", title="A", remote_id=1,
                  fields=fields)


def test_body_diff_is_trimmed_to_max_diff_lines() -> None:
    body = FieldChange("content_html", "x\n" * 50, "y\n" * 50)
    out = render_text(Plan(REMOTE, (update(body),)), max_diff_lines=5)
    assert "        … (98 more lines)\n" in out
    assert out.count("        -x") == 2  # 3 header lines, then two of the fifty


def test_when_both_bodies_change_only_the_html_is_diffed() -> None:
    out = render_text(Plan(REMOTE, (update(FieldChange("content_html", "<p>a</p>", "<p>b</p>"),
                                           FieldChange("content", "a", "b")),)))
    assert "        +<p>b</p>\n" in out
    assert "      content (plain text): changed\n" in out
    assert "        +b\n" not in out


def test_link_placeholders_are_shown_as_links_to_keys() -> None:
    html = f'<a href="{LINK_PLACEHOLDER}billing/refunds.md#how">x</a>'
    assert unlink(html) == '<a href="<link to billing/refunds.md>#how">x</a>'
    assert show_value(f"{LINK_PLACEHOLDER}faq.md") == '"<link to faq.md>"'


def test_a_placeholder_shows_its_key_readable() -> None:
    html = f'<a href="{placeholder("A & B/50% off ü.md")}#x">x</a>'
    assert unlink(html) == '<a href="<link to A & B/50% off ü.md>#x">x</a>'


def test_values_are_json_and_long_strings_are_cut_inside_their_quotes() -> None:
    assert [show_value(v) for v in (None, True, 3, 'say "hi"')] == [
        "null", "true", "3", '"say \\"hi\\""']
    assert show_value("x" * 200) == '"' + "x" * 79 + '…"'


def test_every_change_line_starts_with_its_symbol_in_column_two() -> None:
    changes = tuple(update(action=a) for a in Action)
    heads = [line for line in render_text(Plan(REMOTE, changes)).splitlines()
             if line_symbol(line) and not line.startswith(" " * 8)]
    assert [line[2] for line in heads] == ["+", "=", "~", "~", "↕", "-", "!", "?", "?"]


def test_line_symbol_reads_diff_lines_by_column_not_by_content() -> None:
    assert line_symbol("        -removed") == "-"
    assert line_symbol("        @@ -1 +1 @@") == "@"
    assert line_symbol("         - a Markdown list item as context") is None
    assert line_symbol("      title:        \"A\"") is None
    assert line_symbol("Plan: 1 to create.") is None


def test_warnings_come_first_even_when_nothing_changes() -> None:
    out = render_text(Plan(REMOTE, warnings=("faq.md: no title",)))
    assert out.splitlines()[2:] == ["Warning: faq.md: no title", "",
                                    "No changes. The Help Center matches the files."]


def test_summary_counts_writes_then_what_is_left_alone() -> None:
    plan = Plan(REMOTE, (update(action=Action.CONFLICT), update(action=Action.CONFLICT)))
    assert summary(plan) == "No changes to apply. 2 conflicts."
    assert summary(Plan(REMOTE, (update(action=Action.DELETE),))) == "Plan: 1 to delete."


def test_a_conflict_over_a_file_deleted_here_advises_a_restore_not_a_pull() -> None:
    deleted = replace(update(action=Action.CONFLICT), deleted_here=True)
    edited = update(FieldChange("title", "A", "B"), action=Action.CONFLICT)
    only_deleted = render_text(Plan(REMOTE, (deleted,))).splitlines()[-1]
    assert only_deleted == ("Conflicts are left alone. Restore a file deleted here with `git "
                            "checkout` (then `kbsync pull` takes the initdesk edits into it), "
                            "or run `kbsync apply --force` to delete it anyway.")
    both = render_text(Plan(REMOTE, (edited, deleted))).splitlines()[-1]
    assert both.startswith("Conflicts are left alone. Run `kbsync pull` to take the initdesk "
                           "edits into the files") and "Restore a file deleted here" in both
