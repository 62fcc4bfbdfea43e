"""Plan -> GitHub-flavoured Markdown, for a pull-request comment.

A reviewer reads the summary and the table first; body diffs are folded into a
``<details>`` block so a plan that rewrites twenty articles stays one screen long; items
that apply will not touch (conflicts, unmanaged and kept items) are called out last,
where they are seen before merging. It says the same things as the text plan, using its
phrasing helpers.

Everything that comes from a user (keys, titles, values, reasons) is escaped: a ``|``
would split a table cell and a backtick would end a code span early. Text from outside
(titles edited in initdesk, customers' questions, error messages) is also made inert,
by :func:`text`, the one function every Markdown renderer of kbsync uses for it: in a
comment GitHub would otherwise turn ``@team`` into a notification, ``#123`` into a
reference, and URLs into links.
"""

from __future__ import annotations

import re

from kbsync.plan.model import Action, Change, FieldChange, Plan
from kbsync.problems import escaped
from kbsync.render.text import (
    SYMBOLS,
    action_detail,
    body_diff,
    conflict_advice,
    field_sides,
    label,
    options_line,
    split_fields,
    summary,
    unlink,
)

EMPTY = "### kbsync plan\n\n**No changes.** The Help Center matches the files.\n"
CELL_VALUE_WIDTH = 40  # values in a table cell are cut shorter than in the text plan

_SPECIAL = re.compile(r"([\\`*_\[\]<>~&#])")
_BACKTICKS = re.compile(r"`+")
#: Where GitHub starts a ping, a reference or an autolink in text: ``@name`` (and the
#: ``@`` of an e-mail address), ``#123`` (``\\#`` once escaped) and ``GH-123``, ``www.``,
#: and a URL's scheme. Each is broken by a zero-width space right after the match.
_TRIGGERS = re.compile(r"@(?=[A-Za-z0-9])|\\#(?=\d)|\bgh-(?=\d)|\bwww(?=\\?\.)"
                       r"|\b(?:https?|ftp|mailto)(?=:)", re.IGNORECASE)
#: U+200B as an entity: invisible where GitHub shows the comment, visible in the source.
ZERO_WIDTH_SPACE = "&#8203;"


# -- escaping -------------------------------------------------------------------------------


def text(value: str) -> str:
    """Literal, inert inline text: Markdown punctuation escaped, newlines folded into
    spaces, and nothing that GitHub would turn into a ping, a reference, a link or an
    image (a zero-width space after each ``@``, ``#`` + digit, ``www`` or URL scheme;
    the text reads the same). Code spans (:func:`code`) need none of it: GitHub makes
    no mention or link inside code."""
    literal = _SPECIAL.sub(r"\\\1", " ".join(escaped(value).split()))
    return _TRIGGERS.sub(lambda found: found.group() + ZERO_WIDTH_SPACE, literal)


def code(value: str) -> str:
    """A code span that survives backticks inside it (a longer fence, padded if needed)."""
    value = " ".join(escaped(value).split())
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def cell(value: str) -> str:
    """A table cell: GFM splits cells on ``|`` even inside code spans, so escape them all."""
    return value.replace("|", r"\|")


def text_cell(value: str) -> str:
    """Literal text (a ticket's words, a message) as a table cell."""
    return cell(text(value))


def fence_for(lines: list[str]) -> str:
    """A code fence longer than any backtick run in the block, so a body cannot close it."""
    longest = max((len(run) for line in lines for run in _BACKTICKS.findall(line)), default=0)
    return "`" * max(3, longest + 1)


# -- rendering ------------------------------------------------------------------------------


def render_markdown(plan: Plan, *, max_diff_lines: int = 80) -> str:
    """The plan as a PR comment: summary, table, folded diffs, then what is left alone."""
    if not plan.changes:
        return EMPTY + _warnings(plan)
    parts = [
        "### kbsync plan\n",
        f"**{text(summary(plan))}**\n",
        _where(plan),
        _warnings(plan),
        _table(plan),
        _diffs(plan, max_diff_lines),
        _deletions(plan),
        _left_alone(plan),
    ]
    return "\n".join(part for part in parts if part)


def _where(plan: Plan) -> str:
    line = (f"Organization {plan.remote.organization_id} at "
            f"{code(plan.remote.base_url)}")
    option = options_line(plan)
    return f"{line} · options: {text(option)}\n" if option else f"{line}\n"


def _warnings(plan: Plan) -> str:
    if not plan.warnings:
        return ""
    return "\n".join(f"> **Warning:** {text(w)}\n>" for w in plan.warnings)[:-2] + "\n"


def _table(plan: Plan) -> str:
    rows = ["| | Item | Change |", "| --- | --- | --- |"]
    rows += [f"| {code(SYMBOLS[c.action])} | {cell(_item(c))} | {cell(_description(c))} |"
             for c in plan.changes]
    return "\n".join(rows) + "\n"


def _item(change: Change) -> str:
    return f"{code(change.key)} {text(unlink(change.title))}".rstrip()


def _description(change: Change) -> str:
    """What happens to one item: the action, its detail, the fields, the reason."""
    detail = action_detail(change, arrow="→")
    if change.kind == "asset":
        return f"**upload** ({text(detail)})"
    lines = [f"**{change.action.value}** {change.kind}" + (f": {text(detail)}" if detail else "")]
    status = change.field("status")
    if change.action is Action.CREATE and status is not None and isinstance(status.after, str):
        lines[0] += f" ({text(status.after)})"  # whether readers will see it at once
    if change.action is not Action.CREATE:
        scalars, bodies = split_fields(change)
        lines += [f"{code(label(f))} {_cell_value(change, f)}" for f in scalars]
        lines += [f"{code(f.field)} changed (diff below)" for f in bodies[:1]]
        lines += [f"{code(f.field)} (plain text) changed" for f in bodies[1:]]
    if change.reason:
        lines.append(f"*{text(change.reason)}*")
    return "<br>".join(lines)


def _cell_value(change: Change, item: FieldChange) -> str:
    before, after = field_sides(change, item, width=CELL_VALUE_WIDTH)
    return code(after) if before is None else f"{code(before)} → {code(after)}"


def _diffs(plan: Plan, max_diff_lines: int) -> str:
    blocks = [_diff_block(c, max_diff_lines) for c in plan.changes
              if c.action is not Action.CREATE and split_fields(c)[1]]
    if not blocks:
        return ""
    return (f"<details><summary>Diffs ({len(blocks)})</summary>\n\n"
            + "\n".join(blocks) + "\n</details>\n")


def _diff_block(change: Change, max_diff_lines: int) -> str:
    body = split_fields(change)[1][0]
    lines = [escaped(line.rstrip()) for line in body_diff(body, max_diff_lines)]
    fence = fence_for(lines)
    return (f"{code(change.key)} {code(body.field)}\n\n{fence}diff\n"
            + "".join(f"{line}\n" for line in lines) + f"{fence}\n")


def _deletions(plan: Plan) -> str:
    """What apply deletes, listed again under the table: the one change a merge cannot
    take back, and easy to miss in a long table."""
    deleted = [c for c in plan.changes if c.action is Action.DELETE]
    if not deleted:
        return ""
    return (f"> **Deletes {_count(deleted, 'item', 'items')} from the Help Center** "
            "when applied.\n" + _item_list(deleted))


def _left_alone(plan: Plan) -> str:
    """Conflicts, unmanaged and kept items, in a quote so they are not missed before
    merging."""
    parts = []
    conflicts = [c for c in plan.changes if c.action is Action.CONFLICT]
    if conflicts:
        parts.append(f"> **Not applied: {_count(conflicts, 'conflict', 'conflicts')}.** "
                     f"{conflict_advice(conflicts)}\n" + _item_list(conflicts))
    unmanaged = [c for c in plan.changes if c.action is Action.UNMANAGED]
    if unmanaged:
        parts.append(f"> **Kept: {_count(unmanaged, 'unmanaged item', 'unmanaged items')}** "
                     "(in the Help Center, not in this folder).\n" + _item_list(unmanaged))
    kept = [c for c in plan.changes if c.action is Action.KEEP]
    if kept:
        parts.append(f"> **Kept: {_count(kept, 'managed item', 'managed items')}** "
                     "(not deleted in initdesk).\n" + _item_list(kept))
    return ">\n".join(parts)


def _item_list(changes: list[Change]) -> str:
    return "".join(f"> - {_item(c)}" + (f": {text(c.reason)}" if c.reason else "") + "\n"
                   for c in changes)


def _count(changes: list[Change], one: str, many: str) -> str:
    return f"{len(changes)} {one if len(changes) == 1 else many}"
