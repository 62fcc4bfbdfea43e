"""Every output format, in one registry: the command line offers these names for
``--format``, and the commands render through them.

A format is one line here: its name and the module that renders it. The renderer is the
module's function named by the kind's template: ``render_json`` in ``kbsync.render.json``
for the plan's ``json``, ``render_comparison_json`` in ``kbsync.coverage.render_json``
for a coverage comparison. So a new format is one module (or one function in one) and
one line. A module is imported when its format is used, not before: ``--help`` and a
text ``validate`` load no renderer they do not show.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from kbsync.errors import UsageError

if TYPE_CHECKING:
    from kbsync.coverage.report import Comparison, Report
    from kbsync.plan.model import Plan
    from kbsync.problems import Findings

__all__ = ["COMPARISON", "COVERAGE", "FINDINGS", "PLAN", "Formats"]

T = TypeVar("T")


@dataclass(frozen=True)
class Formats(Generic[T]):
    """The formats of one kind of output: name -> the module holding its renderer."""

    modules: Mapping[str, str]
    function: str = "render_{}"  # the renderer's name in the module, from the format's

    @property
    def names(self) -> tuple[str, ...]:
        """The names ``--format`` offers, the default first."""
        return tuple(self.modules)

    def renderer(self, name: str) -> Callable[[T], str]:
        """The function that renders ``name``; a UsageError naming the choices if none."""
        module = self.modules.get(name)
        if module is None:
            raise UsageError(f"--format must be one of {', '.join(self.names)}, not {name!r}")
        return cast("Callable[[T], str]",
                    getattr(importlib.import_module(module), self.function.format(name)))


PLAN: Formats[Plan] = Formats({
    "text": "kbsync.render.text",
    "markdown": "kbsync.render.markdown",
    "json": "kbsync.render.json",
})
#: What validate found. ``github``: workflow commands, the default inside GitHub Actions.
FINDINGS: Formats[Findings] = Formats({
    "text": "kbsync.render.findings",
    "json": "kbsync.render.findings",
    "github": "kbsync.render.findings",
})
COVERAGE: Formats[Report] = Formats({
    "text": "kbsync.coverage.render_text",
    "markdown": "kbsync.coverage.render_markdown",
    "json": "kbsync.coverage.render_json",
    "html": "kbsync.coverage.render_html",
})
#: ``coverage --compare``: the same formats, each module's ``render_comparison_<name>``.
COMPARISON: Formats[Comparison] = Formats(COVERAGE.modules, "render_comparison_{}")
