"""The layering rules of design.md, checked on the source itself.

The core (``kbsync.model``, ``kbsync.plan`` and the small pure modules they use) never
reads a file, renders Markdown, speaks HTTP or prints; and nothing outside the command
layer calls into a command.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kbsync
import kbsync.model
import kbsync.plan

SRC = Path(kbsync.__file__).parent
#: Libraries that do I/O or present things: none may load with a core module.
FORBIDDEN = ("httpx", "markdown_it", "git", "click", "rich", "werkzeug", "yaml", "pydantic",
             "bs4", "markdownify", "pathspec", "sqlite3", "watchdog", "kbsync.local",
             "kbsync.remote", "kbsync.render", "kbsync.commands", "kbsync.console",
             "kbsync.engine", "kbsync.apply", "kbsync.pull", "kbsync.emulator")
CORE = sorted({
    "kbsync.errors", "kbsync.fingerprint", "kbsync.problems",
    *(f"kbsync.model.{m.name}" for m in pkgutil.iter_modules(kbsync.model.__path__)),
    *(f"kbsync.plan.{m.name}" for m in pkgutil.iter_modules(kbsync.plan.__path__)),
    "kbsync.model", "kbsync.plan",
})


def test_the_core_is_what_design_md_says() -> None:
    assert {"kbsync.plan.match", "kbsync.plan.diff", "kbsync.plan.planner",
            "kbsync.plan.model", "kbsync.model.state"} <= set(CORE)


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_loads_no_io_library(module: str) -> None:
    probe = (f"import sys, {module}\n"
             f"bad = {FORBIDDEN!r}\n"
             "print(' '.join(sorted(m for m in sys.modules\n"
             "      if any(m == b or m.startswith(b + '.') for b in bad))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == [], f"{module} loads {done.stdout.strip()}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_only_the_command_layer_imports_commands() -> None:
    offenders = sorted(
        str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
        if path.parent.name != "commands" and path.name != "cli.py"
        and any(name == "kbsync.commands" or name.startswith("kbsync.commands.")
                for name in _imports(path)))
    assert offenders == []


@pytest.mark.parametrize(("library", "home"), [("click", "cli.py"), ("rich", "console.py")])
def test_one_module_imports_each_front_end_library(library: str, home: str) -> None:
    users = sorted(str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                   if any(name.split(".")[0] == library for name in _imports(path)))
    assert users == [home]


def test_the_markdown_package_stands_below_local_and_pull() -> None:
    """The dialect is an adapter the others read: it imports none of them."""
    below = ("kbsync.local", "kbsync.pull", "kbsync.remote", "kbsync.engine",
             "kbsync.commands", "kbsync.preview", "kbsync.coverage", "kbsync.emulator")
    offenders = sorted(
        str(path.relative_to(SRC)) for path in (SRC / "markdown").rglob("*.py")
        if any(name == b or name.startswith(b + ".") for name in _imports(path) for b in below))
    assert offenders == []
