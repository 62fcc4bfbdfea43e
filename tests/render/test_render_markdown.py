"""render.markdown: escaping that keeps a PR comment's table and fences intact."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from tests.gfm import pings_and_links

from kbsync.plan.model import Action, Change, FieldChange, Plan, RemoteRef
from kbsync.render.markdown import code, render_markdown, text, text_cell

REMOTE = RemoteRef(base_url="http://example.test", organization_id=7)


def cells(markdown: str) -> list[list[str]]:
    """The body cells of the table as a GFM renderer sees them."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    body = html.split("<tbody>")[1]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("</tr>")[:-1]]


def test_an_empty_plan_is_one_sentence() -> None:
    assert render_markdown(Plan(REMOTE)) == (
        "### kbsync plan\n\n**No changes.** The Help Center matches the files.\n")


def test_pipes_and_backticks_stay_inside_their_cell() -> None:
    change = Change(kind="article", key="odd|`name`.md", action=Action.UPDATE, slug="odd",
                    title="A | B `c` *d*", fields=(FieldChange("excerpt", "x|y", "`z`"),))
    [row] = cells(render_markdown(Plan(REMOTE, (change,))))
    assert len(row) == 3
    assert row[1] == "<code>odd|`name`.md</code> A | B `c` *d*"
    assert "<code>&quot;x|y&quot;</code> → <code>&quot;`z`&quot;</code>" in row[2]


def test_code_spans_use_a_longer_fence_than_their_content() -> None:
    assert code("plain") == "`plain`"
    assert code("a `b` c") == "``a `b` c``"
    assert code("`x`") == "`` `x` ``"


def test_a_body_with_a_code_fence_cannot_close_the_diff_block() -> None:
    change = Change(kind="article", key="a.md", action=Action.UPDATE, slug="a", title="A",
                    fields=(FieldChange("content", "```\nold\n```\n", "```\nnew\n```\n"),))
    out = render_markdown(Plan(REMOTE, (change,)))
    assert "<details><summary>Diffs (1)</summary>" in out
    assert "\n````diff\n" in out and "\n-old\n+new\n" in out


HOSTILE = ("@octocat @acme/security #12 GH-7 www.evil.example/x https://evil.example/a "
           "![p](https://evil.example/p.png) <img src=https://evil.example/q.png> a@b.example")


def test_the_gfm_check_finds_what_github_would_ping_or_link() -> None:
    """The check of the tests below can fail: the raw text has one of each."""
    assert sorted(pings_and_links(HOSTILE)) == [
        "html <img src=https://evil.example/q.png>", "image https://evil.example/p.png",
        "link https://evil.example/a", "link mailto:a@b.example",
        "link www.evil.example", "mention @acme/security", "mention @octocat",
        "reference #12", "reference GH-7"]


def test_titles_reasons_and_warnings_from_outside_are_inert() -> None:
    changes = (Change("article", "remote:x", Action.UNMANAGED, "x", HOSTILE, remote_id=3,
                      reason=HOSTILE),
               Change("article", "a.md", Action.CONFLICT, "a", HOSTILE, remote_id=4,
                      reason=HOSTILE))
    out = render_markdown(Plan(REMOTE, changes, warnings=(HOSTILE,)))
    assert pings_and_links(out) == []
    html = MarkdownIt("commonmark").enable("table").render(out)
    assert "@\u200boctocat @\u200bacme/security #\u200b12" in html  # reads the same


def test_inert_text_keeps_its_escaping() -> None:
    assert text("a|b *c* `d`") == "a|b \\*c\\* \\`d\\`"
    assert text_cell("x | @y") == "x \\| @&#8203;y"


def test_a_deletion_is_a_minus_row_and_listed_again_under_the_table() -> None:
    deleted = Change("article", "guides/old.md", Action.DELETE, "old", "Old page", remote_id=9)
    out = render_markdown(Plan(REMOTE, (deleted,)))
    assert "| `-` | `guides/old.md` Old page | **delete** article: id 9 |" in out
    assert out.endswith("> **Deletes 1 item from the Help Center** when applied.\n"
                        "> - `guides/old.md` Old page\n")
