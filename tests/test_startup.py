"""Start-up: what ``kbsync --version``, ``kbsync validate`` and ``kbsync lsp`` load, in a
fresh process.

An editor's save hook, a pre-commit hook and CI start kbsync for every answer, so each
command imports what it needs and no more (bench/bench_startup.py times it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "example-kb"
#: The network, git, HTML and file-watching libraries, the emulator's database, and the
#: language server's protocol stack (``kbsync lsp`` loads it, nothing else does).
NOT_FOR_VALIDATE = ("httpx", "git", "werkzeug", "bs4", "markdownify", "watchdog", "sqlite3",
                    "pygls", "lsprotocol", "cattrs")
#: What the language server loads only when a feature asks (a parse, a preview).
NOT_FOR_LSP_START = (*NOT_FOR_VALIDATE[:7], "markdown_it", "mdit_py_plugins",
                     "kbsync.preview", "kbsync.remote")
#: What the language server loads only once it serves: its first-look helper loads them
#: beside it (kbsync.lsp.firstlook).
NOT_BEFORE_THE_PROTOCOL = ("pydantic", "kbsync.config", "kbsync.schema", "kbsync.engine",
                           "kbsync.lsp.session", "yaml", "rich", "kbsync.console")
#: What answering --version needs none of.
NOT_FOR_VERSION = ("pydantic", "rich", "yaml", "markdown_it", "httpx", "git", "bs4",
                   "pathspec", "kbsync.config", "kbsync.console")
#: Prints the modules the command loaded, whatever it prints or how it exits.
PROBE = """
import atexit, sys
from kbsync.cli import main
atexit.register(lambda: sys.__stderr__.write("MODULES " + " ".join(sorted(sys.modules))))
main(sys.argv[1:])
"""


def loaded(*args: str, env: dict[str, str] | None = None) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, check=False, stdin=subprocess.DEVNULL,
                          env=None if env is None else {**os.environ, **env})
    found = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    assert found, done.stderr
    return set(found[-1].split()[1:])


def among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_version_loads_the_command_line_and_the_version_only() -> None:
    modules = loaded("--version")
    assert "click" in modules and among(modules, NOT_FOR_VERSION) == []
    assert {m for m in modules if m.startswith("kbsync")} <= {"kbsync", "kbsync._version",
                                                              "kbsync.cli"}


def test_validate_loads_no_network_git_html_or_watcher(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(EXAMPLE, kb, ignore=shutil.ignore_patterns(".kbsync"))
    cold = loaded("-C", str(kb), "validate")
    assert "kbsync.engine.workspace" in cold and "markdown_it" in cold  # it parsed
    assert among(cold, NOT_FOR_VALIDATE) == []
    warm = loaded("-C", str(kb), "validate")
    assert among(warm, NOT_FOR_VALIDATE) == []
    assert among(warm, ("markdown_it", "mdit_py_plugins")) == []  # every body was cached


def test_lsp_starts_with_the_protocol_only(tmp_path: Path) -> None:
    """The server up (its input at its end: it stops at once): what start-up loaded. The
    engine and the settings' schema load after it, on its engine thread, when a document
    opens; its first-look helper has loaded them meanwhile on another core."""
    modules = loaded("lsp", env={"KBSYNC_CACHE_DIR": str(tmp_path)})
    assert {"lsprotocol.types", "pygls.lsp.server", "kbsync.lsp.firstlook"} <= modules
    assert among(modules, (*NOT_FOR_LSP_START, *NOT_BEFORE_THE_PROTOCOL)) == []


def test_the_lsp_helper_loads_the_engine_only(tmp_path: Path) -> None:
    """``python -m kbsync.lsp.firstlook``, its input at its end: the engine, ready for the
    folder it is told, and none of the protocol the server is loading meanwhile."""
    probe = ("import atexit, sys\nfrom kbsync.lsp.firstlook import main\n"
             "atexit.register(lambda: sys.__stderr__.write('MODULES ' + ' '.join("
             "sorted(sys.modules))))\nmain()\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, stdin=subprocess.DEVNULL, cwd=tmp_path)
    modules = set(done.stderr.split("MODULES ")[-1].split())
    assert {"kbsync.engine.workspace", "pydantic", "kbsync.config"} <= modules
    assert among(modules, (*NOT_FOR_LSP_START, "pygls", "lsprotocol", "cattrs", "attrs",
                           "asyncio")) == []
