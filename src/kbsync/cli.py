"""The command line: the only click import.

Parse, build objects, call one command function, map the outcome to an exit code:
0 success · 1 error · 2 changes present (plan --detailed-exitcode) · 64 usage error ·
130 interrupted. Expected errors print one readable line; a bug prints "unexpected
error" and leaves the traceback in a log file. Nothing below this module exits.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from kbsync import __version__
from kbsync.config import TOKEN_ENV, Config, Overrides, load_config
from kbsync.console import Console
from kbsync.errors import KbsyncError, UsageError, ValidationFailed
from kbsync.plan.diff import DiffOptions, Prune

USAGE_ERROR = 64
INTERRUPTED = 130


@dataclass
class Context:
    root: Path
    overrides: Overrides
    console: Console

    def config(self) -> Config:
        return load_config(self.root, self.overrides)


pass_context = click.make_pass_decorator(Context)
_ACTIVE: list[Console] = []  # the console the group built, for errors raised later

def _output_options(command: Any) -> Any:
    """Let -q, -v and --no-color also follow the command name, as users type them."""

    def reconfigure(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        obj = ctx.find_object(Context)
        if obj is not None and value:
            console = obj.console
            color = False if param.name == "no_color" else None
            verbosity = {"quiet": -1, "verbose": int(value)}.get(str(param.name),
                                                                 console.verbosity)
            obj.console = Console(color=color if color is False else console.color,
                                  verbosity=verbosity)
            _ACTIVE[:] = [obj.console]
        return value

    options = [
        click.option("--no-color", is_flag=True, expose_value=False, callback=reconfigure,
                     help="No colour (also: the NO_COLOR variable)."),
        click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=reconfigure,
                     help="Only the main output and errors."),
        click.option("-v", "--verbose", count=True, expose_value=False, callback=reconfigure,
                     help="More detail."),
    ]
    for option in options:
        command = option(command)
    return command


_TARGET = click.option("--target", "targets", multiple=True, metavar="PATH",
                       help="Only items under PATH (a file or folder); repeatable.")
_PRUNE = click.option(
    "--prune", type=click.Choice(["off", "managed", "all"]), default="off", is_flag=False,
    flag_value="managed",
    help="Delete remote items absent locally: --prune deletes those kbsync manages "
         "(per the lock), --prune=all every absent item.")
_FORCE = click.option("--force", is_flag=True,
                      help="Overwrite edits made in initdesk and lift the max_deletes cap.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kbsync")
@click.option("-C", "root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=".",
              help="The knowledge-base folder (default: the current folder).")
@click.option("--base-url", help="Help Center API URL, or 'local' (env INITDESK_BASE_URL).")
@click.option("--org", type=int, help="Organization id (env INITDESK_ORG_ID).")
@click.option("-q", "--quiet", is_flag=True, help="Only the main output and errors.")
@click.option("-v", "--verbose", count=True, help="More detail (requests, steps).")
@click.option("--no-color", is_flag=True, help="No colour (also: the NO_COLOR variable).")
@click.pass_context
def cli(ctx: click.Context, root: Path, base_url: str | None, org: int | None, quiet: bool,
        verbose: int, no_color: bool) -> None:
    """kbsync keeps an initdesk Help Center in git: Markdown files in, articles out.

    The token comes from the INITDESK_TOKEN environment variable only.
    """
    console = Console(color=False if no_color else None, verbosity=-1 if quiet else verbose)
    _ACTIVE[:] = [console]
    ctx.obj = Context(root, Overrides(base_url=base_url, organization_id=org), console)


@cli.command()
@_output_options
@click.option("--strict", is_flag=True, help="Treat warnings (unknown keys) as errors.")
@pass_context
def validate(obj: Context, strict: bool) -> int:
    """Check the folder (front matter, links, slugs) without touching the network."""
    from kbsync.commands import validate as command

    return command.run(obj.root, obj.config(), strict=strict, emit=obj.console.problem,
                       summary=obj.console.info)


@cli.command()
@_output_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the plan to FILE for `kbsync apply FILE`.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="How to show the plan.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes (0: none, 1: error).")
@_PRUNE
@_FORCE
@_TARGET
@pass_context
def plan(obj: Context, out: Path | None, fmt: Any, detailed_exitcode: bool, prune: Prune,
         force: bool, targets: tuple[str, ...]) -> int:
    """Show what apply would change in the Help Center."""
    from kbsync.commands import plan as command

    return command.run(obj.config(), obj.console, fmt=fmt, out=out,
                       detailed_exitcode=detailed_exitcode,
                       options=DiffOptions(prune=prune, force=force), targets=targets)


@cli.command()
@_output_options
@click.argument("planfile", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@_PRUNE
@_FORCE
@_TARGET
@pass_context
def apply(obj: Context, planfile: Path | None, yes: bool, prune: Prune, force: bool,
          targets: tuple[str, ...]) -> int:
    """Apply the changes (or exactly a saved PLANFILE) to the Help Center."""
    from kbsync.commands import apply as command

    if planfile is not None and (targets or prune != "off"):
        raise UsageError("--target and --prune belong to `kbsync plan --out`, not a saved plan")
    return command.run(obj.config(), obj.console, planfile=planfile, yes=yes,
                       options=DiffOptions(prune=prune, force=force), targets=targets)


@cli.command()
@_output_options
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--prune", is_flag=True,
              help="Remove files whose article was deleted in initdesk (never an edited one).")
@click.option("--on-conflict", type=click.Choice(["fail", "markers", "theirs", "ours"]),
              default="fail", show_default=True,
              help="A file changed on both sides: leave it (fail), write conflict markers, "
                   "take initdesk's version (theirs) or keep yours (ours).")
@click.option("--commit", is_flag=True, help="Make one git commit of what was pulled.")
@pass_context
def pull(obj: Context, dry_run: bool, prune: bool, on_conflict: Any, commit: bool) -> int:
    """Bring edits made in initdesk into the files, without losing local work."""
    from kbsync.commands import pull as command

    return command.run(obj.config(), obj.console, dry_run=dry_run, prune=prune,
                       on_conflict=on_conflict, commit=commit)


@cli.command()
@_output_options
@click.option("--from-remote", "directory", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Write the existing Help Center into this (new or empty) folder.")
@pass_context
def init(obj: Context, directory: Path) -> int:
    """Import an existing Help Center into a new knowledge-base folder."""
    from kbsync.commands import init as command

    return command.run(load_config(directory, obj.overrides), obj.console)


@cli.command()
@_output_options
@pass_context
def doctor(obj: Context) -> int:
    """Check a live tenant against kbsync's wire contract (read only)."""
    from kbsync.commands import doctor as command
    from kbsync.session import open_client

    with open_client(obj.config()) as client:
        return command.run(client, emit=obj.console.out)


@cli.command()
@_output_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to bind.")
@click.option("--db", default=":memory:", show_default=True, help="SQLite file or :memory:.")
@click.option("--token", default="emulator-token", show_default=True,
              help="The token clients must send.")
@click.option("--org", "org", default=1, show_default=True, type=int, help="Organization id.")
@click.option("--rate-limit", default=0, type=int, help="Requests per minute, then 429.")
@click.option("--faults", default=0.0, type=float, help="Share of requests that fail (0..1).")
@click.option("--seed", default=0, type=int, help="Seed for the faults.")
@click.option("--tickets", type=click.Path(exists=True, dir_okay=False),
              help="JSON file of tickets to serve.")
@pass_context
def emulator(obj: Context, host: str, port: int, db: str, token: str, org: int,
             rate_limit: int, faults: float, seed: int, tickets: str | None) -> int:
    """Serve a local initdesk Help Center (SQLite, full-text search) for tests and demos."""
    from kbsync.commands import emulator as command

    return command.run(host=host, port=port, db=db, token=token, org=org,
                       rate_limit=rate_limit, faults=faults, seed=seed, tickets=tickets,
                       announce=obj.console.info)


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: list[str] | None = None, console: Console | None = None) -> int:
    """Run the CLI and return the exit code (tests call this directly)."""
    _ACTIVE[:] = [console] if console else []
    try:
        result = cli.main(args=argv, prog_name="kbsync", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 0
    except click.UsageError as exc:
        exc.show()
        return USAGE_ERROR
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except BaseException as exc:
        return report_error(exc, _ACTIVE[0] if _ACTIVE else Console())
    return int(result or 0)


def report_error(exc: BaseException, console: Console) -> int:
    """One readable line for expected errors; a log file for bugs."""
    if isinstance(exc, (click.exceptions.Abort, KeyboardInterrupt)):
        console.warn("Interrupted.")
        return INTERRUPTED
    if isinstance(exc, ValidationFailed):
        for problem in exc.problems:
            console.problem(problem)  # type: ignore[arg-type]
        console.error(str(exc))
        return exc.exit_code
    if isinstance(exc, UsageError):
        click.echo(f"Usage error: {exc}", err=True)
        return exc.exit_code
    if isinstance(exc, KbsyncError):
        console.error(str(exc))
        return exc.exit_code
    if isinstance(exc, SystemExit):
        raise exc
    log = _write_crash_log()
    if log is None:
        console.error(f"unexpected error (a bug in kbsync): {type(exc).__name__}; the details "
                      "could not be saved (no writable temporary folder)")
    else:
        console.error(f"unexpected error (a bug in kbsync); details in {log} (no token in "
                      "it): please attach it to a bug report")
    return 1


def _write_crash_log() -> Path | None:
    """The traceback, token scrubbed, in a new file only this user can read.

    ``mkstemp`` creates it with O_EXCL and mode 0600 under a fresh name: a file or a
    symbolic link planted in a shared temporary folder is never followed or overwritten,
    and two crashes never write over each other. None if even that fails.
    """
    text = scrub_token(traceback.format_exc(), os.environ.get(TOKEN_ENV))
    try:
        fd, name = tempfile.mkstemp(prefix="kbsync-crash-", suffix=".log")
    except OSError:
        return None
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(text)
    return Path(name)


def scrub_token(text: str, token: str | None) -> str:
    """``text`` without the token, as given or stripped (however INITDESK_TOKEN was set)."""
    for value in {token or "", (token or "").strip()}:
        if len(value) >= 4:
            text = text.replace(value, "****")
    return text
