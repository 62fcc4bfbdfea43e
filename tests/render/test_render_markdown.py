"""render.markdown: escaping that keeps a PR comment's table and fences intact."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from kbsync.plan.model import Action, Change, FieldChange, Plan, RemoteRef
from kbsync.render.markdown import code, render_markdown

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
