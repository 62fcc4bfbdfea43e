"""The layering rules of design.md, checked on the source itself.

``RULES`` is the table under "Layout" in design.md, row by row: a layer, and what it never
imports. Each (layer, forbidden) pair is a test of its own, so a failure names the rule,
and its message names the module and the import that break it. A layer is a package or
module name: ``engine`` is ``kbsync.engine`` and everything below it, whether that is one
module or a package.

The imports are read from the source (every ``import`` statement, in a function or under
``TYPE_CHECKING`` too: a rule is about what the code names, not what happens to load
first). The core is also checked as a process sees it: nothing it loads, however deep,
is an I/O library.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

import kbsync
import kbsync.model
import kbsync.plan

SRC = Path(kbsync.__file__).parent
ANY = "kbsync"  # the whole package: what the emulator never imports

#: design.md's table: (layers, what they never import). Libraries are named as imported.
RULES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("model", "plan"), ("local", "remote", "render", "engine", "schema", "config",
                         "@httpx", "@sqlite3", "@yaml", "@markdown_it", "@click", "@rich")),
    (("schema",), ("local", "remote", "engine")),
    (("local", "markdown"), ("remote", "emulator", "engine", "commands", "preview",
                             "coverage")),
    (("remote",), ("local", "engine", "commands")),
    (("render",), ("local", "remote", "console")),
    (("engine",), ("commands", "cli", "preview", "lsp", "coverage", "github", "console")),
    (("coverage", "preview", "lsp"), ("commands", "cli", "console")),
    (("emulator",), (ANY,)),
    # Dependencies point one way (design.md, "Layout"): the markdown dialect stands below
    # the local tree and pull; the face's output (console) imports no front end; nothing
    # reaches up to the command line, and only the command line calls a command.
    (("markdown",), ("local", "pull")),
    (("console",), ("github", "commands", "preview", "lsp")),
    # The defaults' one home is read by --help: it must cost nothing to import.
    (("defaults",), (ANY,)),
    # Publishing (names, URLs, stores) is an adapter like remote: it never knows the
    # knowledge base's files, the engine, the Help Center or a front end.
    (("assets",), ("local", "remote", "engine", "schema", "config", "apply", "pull",
                   "render", "commands", "preview", "console", "cli")),
)
#: "everything but cli: click; everything but console: rich", and the one-way arrows
#: at the top: only the command line (and ``python -m kbsync``) imports it, and only it
#: and the commands import a command.
ONLY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("@click", ("cli",)),
    ("@rich", ("console",)),
    ("cli", ("cli", "__main__")),
    ("commands", ("cli", "commands")),
)
#: Top-level packages and modules outside every layer named above; a new package must be
#: placed in the table (design.md and RULES) or here, so it cannot slip past the rules.
UNLAYERED = {"apply", "pull", "github", "config", "knowledge_base", "errors", "problems",
             "fingerprint", "words", "controls", "lock", "lock_journal", "oslock", "planfile",
             "portal_file", "runlock", "session", "statedir", "validate", "__main__",
             # front-end helpers above the engine: the workspace with coverage.yaml's
             # check (frontend), the tenant's checkup (doctor); the version file
             "frontend", "doctor", "_version"}

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


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path) -> set[str]:
    """Every module ``path`` imports, absolute: ``from kbsync.remote import wire`` gives
    ``kbsync.remote`` and ``kbsync.remote.wire``; a relative import is resolved."""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names
                         if _is_module(root, f"{module}.{alias.name}"))
    return found


def _is_module(root: Path, name: str) -> bool:
    """``name`` is a module or package of ours (``from kbsync.remote import wire``), not
    a name defined in one (``from kbsync.remote.wire import ARTICLE``)."""
    path = root.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module name -> what it imports, for every module of the package at ``root``."""
    return {module_name(path, root): imports(path, root) for path in sorted(root.rglob("*.py"))}


def _qualified(name: str, package: str) -> str:
    """A layer or target as a module prefix: ``engine`` -> ``kbsync.engine``;
    ``@httpx`` -> ``httpx`` (a library); ``kbsync`` stays the package itself."""
    if name.startswith("@"):
        return name[1:]
    return package if name == ANY else f"{package}.{name}"


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def breaches(graph: Mapping[str, set[str]], layers: Iterable[str], forbidden: str,
             package: str = "kbsync") -> list[str]:
    """``module imports name`` for each import of a module in ``layers`` under
    ``forbidden``; a module's own layer is never forbidden to it (the emulator imports
    the emulator)."""
    homes = [_qualified(layer, package) for layer in layers]
    banned = _qualified(forbidden, package)
    found = []
    for module, names in sorted(graph.items()):
        home = next((h for h in homes if _under(module, h)), None)
        if home is None:
            continue
        found += [f"{module} imports {name}" for name in sorted(names)
                  if _under(name, banned) and not _under(name, home)]
    return found


def outsiders(graph: Mapping[str, set[str]], target: str, allowed: Iterable[str],
              package: str = "kbsync") -> list[str]:
    """``module imports name`` for each import of ``target`` by a module outside
    ``allowed``."""
    homes = [_qualified(layer, package) for layer in allowed]
    banned = _qualified(target, package)
    return [f"{module} imports {name}" for module, names in sorted(graph.items())
            if not any(_under(module, h) for h in homes)
            for name in sorted(names) if _under(name, banned)]


#: Breaches being cut elsewhere, each marked strict: once cut, the mark must go too.
BEING_CUT: dict[tuple[str, str], str] = {}


def _rule_cases() -> list[object]:
    return [pytest.param(layers, target, id=f"{','.join(layers)} never imports "
                         + ("anything of kbsync" if target == ANY else target.lstrip("@")),
                         marks=[pytest.mark.xfail(strict=True, reason=BEING_CUT[key])]
                         if (key := (",".join(layers), target)) in BEING_CUT else [])
            for layers, forbidden in RULES for target in forbidden]


GRAPH = import_graph(SRC)


@pytest.mark.parametrize(("layers", "forbidden"), _rule_cases())
def test_a_layer_never_imports_what_design_md_forbids(layers: tuple[str, ...],
                                                      forbidden: str) -> None:
    found = breaches(GRAPH, layers, forbidden)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("target", "allowed"), ONLY,
                         ids=[f"only {', '.join(a)} import {t.lstrip('@')}" for t, a in ONLY])
def test_only_its_home_imports(target: str, allowed: tuple[str, ...]) -> None:
    found = outsiders(GRAPH, target, allowed)
    assert not found, "\n".join(found)


def test_every_package_is_in_a_layer_or_named_as_outside_them() -> None:
    named = {layer for layers, _ in RULES for layer in layers} | UNLAYERED | {
        home for _, homes in ONLY for home in homes}
    top = {name.split(".")[1] for name in GRAPH if name != "kbsync"}
    assert top - named == set(), "add it to design.md's table and RULES, or to UNLAYERED"


def test_the_rules_catch_a_forbidden_import(tmp_path: Path) -> None:
    """The checker itself: a planted breach of each kind is found and named."""
    root = tmp_path / "kbsync"
    for name, text in {"local/__init__.py": "", "local/tree.py": "from ..remote import wire\n",
                       "emulator/app.py": "def f():\n    import kbsync.errors\n",
                       "github/action.py": "from kbsync.cli import run\n",
                       "cli.py": "import click\n", "remote/wire.py": ""}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    graph = import_graph(root)
    assert breaches(graph, ("local",), "remote") == [
        "kbsync.local.tree imports kbsync.remote", "kbsync.local.tree imports kbsync.remote.wire"]
    assert breaches(graph, ("emulator",), ANY) == ["kbsync.emulator.app imports kbsync.errors"]
    assert outsiders(graph, "cli", ("cli",)) == ["kbsync.github.action imports kbsync.cli"]
    assert outsiders(graph, "@click", ("cli",)) == []


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
