"""One registry of output formats: every name renders, and the command line offers them."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from kbsync.cli import cli
from kbsync.errors import UsageError
from kbsync.plan.model import Plan, RemoteRef
from kbsync.problems import Findings, Problem
from kbsync.render.formats import COMPARISON, COVERAGE, FINDINGS, PLAN, Formats

KINDS = {"plan": PLAN, "findings": FINDINGS, "coverage": COVERAGE, "comparison": COMPARISON}


@pytest.mark.parametrize(("kind", "name"), [(kind, name) for kind, formats in KINDS.items()
                                            for name in formats.names])
def test_every_format_names_a_renderer_that_exists(kind: str, name: str) -> None:
    assert callable(KINDS[kind].renderer(name))


@pytest.mark.parametrize(("command", "formats"), [("validate", FINDINGS), ("plan", PLAN),
                                                  ("coverage", COVERAGE)])
def test_the_command_line_offers_exactly_the_registered_formats(command: str,
                                                                formats: Formats[object]) -> None:
    built = cli.get_command(click.Context(cli), command)  # the table builds it on demand
    assert built is not None
    [option] = [p for p in built.params if p.name == "fmt"]
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == formats.names


def test_an_unknown_format_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError, match="--format must be one of text, markdown, json, not"):
        PLAN.renderer("yaml")


def test_a_new_format_is_one_line() -> None:
    """Any module with a ``render_<name>`` function: here, the plan's JSON as 'data'."""
    data = Formats[Plan]({"data": "kbsync.render.json"}, "render_json")
    plan = Plan(RemoteRef("https://api.initdesk.com", 1))
    assert data.renderer("data")(plan) == PLAN.renderer("json")(plan)


def test_the_registry_loads_no_renderer_before_one_is_asked_for() -> None:
    probe = ("import sys, kbsync.render.formats as f\n"
             "modules = {m for k in (f.PLAN, f.FINDINGS, f.COVERAGE) for m in k.modules.values()}\n"
             "print(sorted(modules & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_findings_render_as_text_annotations_and_data() -> None:
    findings = Findings((Problem("a.md", "missing title", line=1, key="title"),), 2, 1, "kb")
    assert FINDINGS.renderer("text")(findings) == "a.md:1: title: missing title\n"
    assert FINDINGS.renderer("github")(findings) == (
        "::error file=kb/a.md,line=1,title=kbsync%3A title::kb/a.md:1: title: missing title\n")
    assert '"counts": {\n    "articles": 2,' in FINDINGS.renderer("json")(findings)
