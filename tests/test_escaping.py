"""Control characters in names never reach a terminal raw, and never forge a line.

A file named with an ANSI escape (clear the screen) and a newline goes through validate,
plan (text and Markdown), apply (with the progress bar on a terminal) and pull, and
every line of output shows ``\\x1b`` and ``\\n`` instead; a folder whose name reads as
rich markup (``x[/b]``) stays a name.
"""

from __future__ import annotations

import io
import re

import pytest

from kbsync.console import Console
from kbsync.problems import Problem, clipped, escaped, shown
from kbsync.remote.wire import error_from_wire
from tests.engine import conftest as engine
from tests.engine.conftest import KB, Outcome
from tests.pull import pull_kb
from tests.pull.pull_kb import PullKB

pkb, kb = pull_kb.pkb, engine.kb
EVIL = "g/evil\x1b[2J\nname.md"
SHOWN = "g/evil\\x1b[2J\\nname.md"
MARKUP = "x[/b].md"  # the folder "x[" and the file "b].md": "[/b]" closes a rich tag


def test_escaped_shows_controls_and_keeps_everything_else() -> None:
    assert escaped("a\x1b[31mb\r\n\t\x00\x7f\u202ec\udcff") == (
        "a\\x1b[31mb\\r\\n\\t\\x00\\x7f\\u202ec\\udcff")
    assert escaped("plain ünïcödé [x] \\n") == "plain ünïcödé [x] \\n"
    assert escaped(escaped("a\x1bb")) == escaped("a\x1bb")  # idempotent
    assert clipped("x" * 100) == "x" * 79 + "…" and len(shown("y" * 10_000)) == 80


def test_a_problem_is_always_one_line() -> None:
    problem = Problem(EVIL, "bad\nthing", key="k\x1b", hint="do\rthis")
    assert str(problem) == f"{SHOWN}: k\\x1b: bad\\nthing (do\\rthis)"


def _no_raw_controls(outcome: Outcome) -> None:
    text = outcome.out + outcome.err
    assert "\x1b" not in text and "\r" not in text
    for line in text.splitlines():
        assert not line.startswith("name.md"), line  # the newline in the name forged a line


def test_validate_plan_and_apply_escape_the_name(kb: KB) -> None:
    kb.article(EVIL, "Evil", "text")
    kb.article(MARKUP, "Markup", "text")
    kb.article("g/bad\x1b].md", "Bad", "---", status="live")
    plan = kb.plan()
    _no_raw_controls(plan)
    assert "status: must be draft or published" in plan.err and "g/bad\\x1b].md" in plan.err
    (kb.root / "g/bad\x1b].md").unlink()
    plan = kb.plan()
    _no_raw_controls(plan)
    assert SHOWN in plan.out and MARKUP in plan.out
    markdown = kb.plan(fmt="markdown")
    _no_raw_controls(markdown)
    assert "\\x1b" in markdown.out
    applied = kb.apply()
    _no_raw_controls(applied)
    assert applied.code == 0


def test_the_progress_bar_on_a_terminal_survives_names_that_read_as_markup(kb: KB) -> None:
    from kbsync.commands import apply as apply_command
    from kbsync.plan.diff import DiffOptions

    kb.article(EVIL, "Evil", "text")
    kb.article(MARKUP, "Markup", "text")
    out, err = io.StringIO(), io.StringIO()
    console = Console(color=True, verbosity=1, stdout=out, stderr=err)
    assert apply_command.run(kb.config(), console, yes=True, options=DiffOptions(),
                             connect=kb.connect) == 0
    text = out.getvalue() + err.getvalue()
    assert "\x1b[2J" not in text  # rich colours the output, the file name does not
    assert "x[/b].md" in re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_pull_lines_escape_names(pkb: PullKB) -> None:
    pkb.article(EVIL, "Evil", "text")
    assert pkb.apply().code == 0
    pkb.edit_remote("evil-2j-name", title="Evil, edited in initdesk")
    outcome = pkb.pull()
    _no_raw_controls(outcome)
    assert f"~ updated   {SHOWN}" in outcome.out


@pytest.mark.parametrize("body", [
    {"detail": "\x1b[2Jgone" + "x" * 5000},
    {"title": ["\x1b]0;pwned\x07" + "y" * 5000] * 50, **{f"f{i}": "z" for i in range(50)}},
    ["\nforged line"] * 100,
    "<html>" + "h" * 10_000,
])
def test_remote_error_bodies_are_escaped_and_capped(body: object) -> None:
    detail, fields = error_from_wire(body)
    texts = [detail or "", *fields, *(m for msgs in fields.values() for m in msgs)]
    assert all("\x1b" not in t and "\n" not in t and len(t) <= 300 for t in texts)
    assert len(fields) <= 10 and all(len(m) <= 10 for m in fields.values())
