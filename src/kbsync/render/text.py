"""Plan -> terminal text, shown the way ``terraform plan`` shows its plans.

The renderer only reads the Plan (habit 7) and returns a string: no rich, no click, no
colour. The console colours it afterwards, line by line, and can do so by column rather
than by guessing, because every line has a fixed shape (see :func:`line_symbol`)::

    kbsync plan for organization 1 at http://127.0.0.1:8765    header
    Options: force, prune=all                                 only options that are on
    Warning: ...                                              plan.warnings
      + article    billing/refunds.md  "Refunds"              change: its symbol in column 2
          title:        "Refunds"                             field: column 6
            @@ -1,3 +1,3 @@                                   body diff: +, -, @ in column 8
    Plan: 1 to create.                                        summary

The helpers without a leading underscore are shared with the Markdown renderer, so that
both say the same thing in the same words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from kbsync.plan.links import PLACEHOLDER_PATTERN, placeholder_key
from kbsync.plan.model import LINK_PLACEHOLDER, Action, Change, FieldChange, Plan
from kbsync.problems import escaped
from kbsync.render.diff import line_count, unified_diff
from kbsync.words import file_size

#: The symbol that starts each change line; MOVE shares UPDATE's and says "moved".
SYMBOLS: dict[Action, str] = {
    Action.CREATE: "+",
    Action.ADOPT: "=",
    Action.UPDATE: "~",
    Action.MOVE: "~",
    Action.REORDER: "↕",
    Action.DELETE: "-",
    Action.CONFLICT: "!",
    Action.UNMANAGED: "?",
    Action.KEEP: "?",
}
#: Body fields: too long to show as values, so shown as a diff or a line count.
BODY_FIELDS = ("content_html", "content")
#: Reference fields, shown by the parent's key (or "collection <id>") instead of an id.
PLACE_FIELDS = {"collection_id": "collection", "parent_id": "parent"}

NO_CHANGES = "No changes. The Help Center matches the files."
CONFLICT_ADVICE = (
    "Run `kbsync pull` to take the initdesk edits into the files, or `kbsync apply --force` "
    "to overwrite them."
)
#: For a file deleted here whose article was edited in initdesk: pull does not bring it
#: back, so the choice is the writer's.
DELETED_CONFLICT_ADVICE = (
    "Restore a file deleted here with `git checkout` (then `kbsync pull` takes the initdesk "
    "edits into it), or run `kbsync apply --force` to delete it anyway."
)

CHANGE_INDENT = "  "
FIELD_INDENT = " " * 6
DIFF_INDENT = " " * 8
LABEL_WIDTH = len("content_html:")  # so most blocks share one value column
KEY_WIDTH_CAP = 48  # a very long key overflows rather than pushing every title right
VALUE_WIDTH = 80



# -- shared phrasing ------------------------------------------------------------------------


def unlink(text: str) -> str:
    """Show a link placeholder (a URL only known during apply) as ``<link to KEY>``, the
    key readable (the placeholder carries it percent-encoded)."""
    if LINK_PLACEHOLDER not in text:
        return text
    return PLACEHOLDER_PATTERN.sub(lambda m: f"<link to {placeholder_key(m.group(1))}>", text)


def show_value(value: object, width: int = VALUE_WIDTH) -> str:
    """A field value as JSON (strings quoted, None as null), cut to ``width`` characters."""
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, default=repr)
    text = unlink(value)
    if len(text) <= width:
        return json.dumps(text, ensure_ascii=False)
    return json.dumps(text[: width - 1], ensure_ascii=False)[:-1] + '…"'


def place(value: object, key: str | None = None) -> str:
    """Where an item lives: the parent's key when known, else its remote id."""
    if key:
        return key
    return "top level" if value is None else f"collection {value}"


def headline_fields(change: Change) -> tuple[str, ...]:
    """Fields already told by the change line, so they are not repeated below it."""
    if change.action is Action.MOVE:
        return tuple(PLACE_FIELDS)
    if change.action is Action.REORDER:
        return ("position",)
    return ()


def action_detail(change: Change, arrow: str = "->") -> str:
    """What a move, reorder, delete or adopt does, in a few words ("position 2 -> 4");
    for a file to upload, its size ("182 KB")."""
    if change.kind == "asset":
        size = change.field("bytes")
        return file_size(size.after) if size is not None and isinstance(size.after, int) else ""
    if change.action is Action.MOVE:
        moved = next((f for f in change.fields if f.field in PLACE_FIELDS), None)
        if moved is None:
            return ""
        before = place(moved.before, change.previous_parent)
        return f"{before} {arrow} {place(moved.after, change.parent_key)}"
    if change.action is Action.REORDER:
        position = change.field("position")
        return "" if position is None else f"position {position.before} {arrow} {position.after}"
    if change.action in (Action.DELETE, Action.ADOPT) and change.remote_id is not None:
        return f"id {change.remote_id}"
    return ""


def field_sides(change: Change, item: FieldChange, width: int = VALUE_WIDTH
                ) -> tuple[str | None, str]:
    """A scalar field shown as (before, after); before is None for a create (all new)."""
    if item.field in PLACE_FIELDS:
        before = place(item.before, change.previous_parent)
        after = place(item.after, change.parent_key)
    else:
        before, after = show_value(item.before, width), show_value(item.after, width)
    return (None if change.action is Action.CREATE else before), after


def field_value(change: Change, item: FieldChange) -> str:
    """A scalar field as its new value (create) or ``before -> after``."""
    before, after = field_sides(change, item)
    return after if before is None else f"{before} -> {after}"


def split_fields(change: Change) -> tuple[list[FieldChange], list[FieldChange]]:
    """The fields to show under a change: (scalars in plan order, bodies html first)."""
    shown = [f for f in change.fields if f.field not in headline_fields(change)]
    scalars = [f for f in shown if f.field not in BODY_FIELDS]
    bodies = sorted((f for f in shown if f.field in BODY_FIELDS),
                    key=lambda f: BODY_FIELDS.index(f.field))
    return scalars, bodies


def label(item: FieldChange) -> str:
    return PLACE_FIELDS.get(item.field, item.field)


def summary(plan: Plan) -> str:
    """One line: what apply would write, then what it leaves alone."""
    if not plan.changes:
        return NO_CHANGES
    writes = [f"{plan.uploads} to upload"] if plan.uploads else []
    writes += [f"{plan.count_items(a)} to {a.value}" for a in Action
               if a.writes and plan.count_items(a)]
    head = f"Plan: {', '.join(writes)}." if writes else "No changes to apply."
    notes = [note for note in (_count(plan, Action.CONFLICT, "conflict", "conflicts"),
                               _count(plan, Action.UNMANAGED, "unmanaged", "unmanaged"),
                               _count(plan, Action.KEEP, "kept", "kept")) if note]
    return head + (f" {', '.join(notes)}." if notes else "")


def conflict_advice(conflicts: Iterable[Change]) -> str:
    """What to do about these conflicts: an edit is pulled; a file deleted here is the
    writer's call (pull does not bring it back)."""
    found = list(conflicts)
    advice = [CONFLICT_ADVICE] if any(not c.deleted_here for c in found) else []
    return " ".join(advice + ([DELETED_CONFLICT_ADVICE]
                              if any(c.deleted_here for c in found) else []))


def options_line(plan: Plan) -> str | None:
    """The options that are on ("force, prune=all, targets=a,b"), or None if none is."""
    shown = [_option(name, value) for name, value in sorted(plan.options.items())
             if value not in (False, None, "", "off", [], (), {})]
    return ", ".join(shown) if shown else None


def _option(name: str, value: object) -> str:
    if value is True:
        return name
    if isinstance(value, (list, tuple)):
        return f"{name}={','.join(str(v) for v in value)}"
    return f"{name}={value}"


def _count(plan: Plan, action: Action, one: str, many: str) -> str:
    count = plan.count(action)
    return f"{count} {one if count == 1 else many}" if count else ""


# -- text -----------------------------------------------------------------------------------


def render_text(plan: Plan, *, max_diff_lines: int = 80) -> str:
    """The whole plan as text; deterministic, so it can be pinned by golden files."""
    lines = [f"kbsync plan for organization {plan.remote.organization_id} "
             f"at {plan.remote.base_url}"]
    option = options_line(plan)
    lines += [f"Options: {option}"] if option else []
    lines += [""]
    if plan.warnings:
        lines += [f"Warning: {warning}" for warning in plan.warnings] + [""]
    if plan.changes:
        lines += [*_change_blocks(plan, max_diff_lines), ""]
    lines.append(summary(plan))
    if plan.count(Action.CONFLICT):
        conflicts = (c for c in plan.changes if c.action is Action.CONFLICT)
        lines.append(f"Conflicts are left alone. {conflict_advice(conflicts)}")
    # each entry is one line: a newline or escape inside one came from a name or a body
    return "\n".join(escaped(line.rstrip()) for line in lines) + "\n"


def line_symbol(line: str) -> str | None:
    """The symbol that decides a rendered line's colour, or None for plain lines.

    A change line has its symbol in column 2; a body diff line has ``+``, ``-`` or ``@``
    in column 8. Reading by column keeps a body line such as ``- item`` (a Markdown list,
    shown as diff context) from being taken for a delete.
    """
    if len(line) > 3 and line.startswith(CHANGE_INDENT) and line[2] in SYMBOLS.values() \
            and line[3] == " ":
        return line[2]
    if len(line) > 8 and line.startswith(DIFF_INDENT) and line[8] in "+-@":
        return line[8]
    return None


def _change_blocks(plan: Plan, max_diff_lines: int) -> list[str]:
    """Every change; a block with lines under it is set off by blank lines."""
    kind_width = max(len(c.kind) for c in plan.changes)
    key_width = min(max(len(c.key) for c in plan.changes), KEY_WIDTH_CAP)
    blocks = [[_change_line(c, kind_width, key_width), *_field_lines(c, max_diff_lines)]
              for c in plan.changes]
    lines: list[str] = []
    for index, block in enumerate(blocks):
        if index and (len(block) > 1 or len(blocks[index - 1]) > 1):
            lines.append("")
        lines.extend(block)
    return lines


def _change_line(change: Change, kind_width: int, key_width: int) -> str:
    if change.kind == "asset":  # + asset images/invoice.png  (182 KB)
        return (f"{CHANGE_INDENT}{SYMBOLS[change.action]} {change.kind:<{kind_width}} "
                f"{change.key:<{key_width}}  ({action_detail(change)})")
    words = [_phrase(change)] + ([f"({change.reason})"] if change.reason else [])
    tail = "".join(f"  {word}" for word in words if word)
    return (f"{CHANGE_INDENT}{SYMBOLS[change.action]} {change.kind:<{kind_width}} "
            f"{change.key:<{key_width}}  {show_value(change.title)}{tail}")


def _phrase(change: Change) -> str:
    detail = action_detail(change)
    if change.action is Action.MOVE:
        return f"moved: {detail}" if detail else "moved"
    if change.action in (Action.DELETE, Action.ADOPT):
        return f"{change.action.value} {detail}".strip()
    if change.action in (Action.CONFLICT, Action.UNMANAGED):
        return str(change.action.value)
    if change.action is Action.KEEP:
        return "kept"
    return detail


def _field_lines(change: Change, max_diff_lines: int) -> list[str]:
    if change.kind == "asset":
        return []  # its line says it all; the name and hash are in the JSON and plan file
    scalars, bodies = split_fields(change)
    labels = [label(f) + ":" for f in scalars]
    width = max([LABEL_WIDTH, *(len(text) for text in labels)])
    lines = [f"{FIELD_INDENT}{text:<{width}} {field_value(change, f)}"
             for text, f in zip(labels, scalars, strict=True)]
    return lines + list(_body_lines(change, bodies, width, max_diff_lines))


def _body_lines(change: Change, bodies: list[FieldChange], width: int, max_diff_lines: int
                ) -> Iterable[str]:
    """A create shows line counts; anything else the diff of one body (html preferred)."""
    if change.action is Action.CREATE:
        for body in bodies:
            yield f"{FIELD_INDENT}{body.field + ':':<{width}} {line_count(_body_text(body.after))}"
        return
    if not bodies:
        return
    first, *others = bodies
    yield f"{FIELD_INDENT}{first.field}:"
    for line in body_diff(first, max_diff_lines):
        yield DIFF_INDENT + line
    for other in others:
        yield f"{FIELD_INDENT}{other.field} (plain text): changed"


def body_diff(item: FieldChange, max_lines: int) -> list[str]:
    """A body field's diff, with link placeholders shown as ``<link to KEY>``."""
    return unified_diff(_body_text(item.before), _body_text(item.after), max_lines=max_lines)


def _body_text(value: object) -> str | None:
    """A body as text; a value that is not a string (never made by kbsync) shown as JSON."""
    if value is None or isinstance(value, str):
        return value and unlink(value)
    return show_value(value)
