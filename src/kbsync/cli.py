"""The command line: the only click import.

Parse, build objects, call one command function, map the outcome to an exit code:
0 success · 1 error · 2 changes present (plan --detailed-exitcode) · 64 usage error ·
130 interrupted. Expected errors print one readable line; a bug prints "unexpected
error" and leaves the traceback in a log file. Nothing below this module exits.

Starting is cheap: this module loads click and nothing else of weight. Each command
imports what it needs when it runs (the settings, the console, its own module), so
``kbsync --version`` loads neither pydantic nor rich, and ``validate`` no HTTP client,
git or HTML library (``tests/test_startup.py`` holds both to it).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from kbsync import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from kbsync.config import Config, Overrides
    from kbsync.console import Console
    from kbsync.plan.diff import Prune
    from kbsync.session import Connect

USAGE_ERROR = 64
INTERRUPTED = 130
#: A knowledge-base folder (-C): checked here, made a ``Path`` where it is used.
_FOLDER = click.Path(exists=True, file_okay=False)
#: Commands without a knowledge-base folder, and what to say to -C after them.
_NO_FOLDER = {"init": "name the new folder: kbsync init DIR",
              "emulator": "it serves a Help Center, not a folder (its data: --db FILE)"}
#: Options other tools spell another way: (the commands that take kbsync's, what to say).
_KNOWN_AS = {"--auto-approve": (("apply",), "kbsync apply --yes skips the confirmation "
                                             "(Terraform's -auto-approve)")}


class Context:
    """What the group's options settled, for the command to use (a plain class: the
    command line loads no more than it must before ``--version`` answers)."""

    def __init__(self, root: Path, overrides: Overrides,
                 root_option: str | None = None) -> None:
        self.root = root
        self.overrides = overrides
        self.root_option = root_option  # -C as given, for commands we suggest
        self.found = False  # root is the knowledge base found from where the user stood

    @property
    def console(self) -> Console:
        """The run's console, made when first used: ``kbsync lsp`` serves without one
        (rich and the plan's model are a tenth of its start)."""
        return _run_console()

    def config(self, *, knowledge_base: bool = True) -> Config:
        """The settings of the knowledge base at the folder (``-C DIR``, else the current
        one) or the nearest one above it, as git finds ``.git``; unless told otherwise,
        there must be one. A knowledge base found above is said once (not under -q)."""
        from kbsync.config import load_config, require_knowledge_base

        if not self.found:
            self._find(required=knowledge_base)
        if self.console.github:
            from kbsync.github.environment import annotation_prefix

            self.console.annotation_prefix = annotation_prefix(self.root)
        config = load_config(self.root, self.overrides)
        if knowledge_base:
            require_knowledge_base(config)
        return config

    def _find(self, *, required: bool) -> None:
        from kbsync.config import CONFIG_FILE, find_knowledge_base, no_knowledge_base, shown_path

        found, ceiling = find_knowledge_base(self.root)
        if found is None:
            if required:
                raise no_knowledge_base(self.root, ceiling)
            return
        self.found = True
        if found != self.root.resolve():
            self.root = shown_path(found, self.root)
            self.console.info(f"Using the knowledge base at {self.root} ({CONFIG_FILE})")

    def connect(self) -> Connect:
        """How every command opens the Help Center: -v request lines and rate-limit
        waits go to the console."""
        from kbsync.session import observed, open_client

        return observed(open_client, on_request=self.console.request,
                        on_wait=self.console.waiting)


pass_context = click.make_pass_decorator(Context)
_ACTIVE: list[Console] = []  # the run's console, once made: errors raised later use it
#: The group's --no-color and -q/-v, for the console when it is made: (color, verbosity).
_OPTIONS: list[tuple[bool | None, int]] = []


def _output_options(command: Any) -> Any:
    """Let -q, -v and --no-color also follow the command name, as users type them."""

    def reconfigure(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        obj = ctx.find_object(Context)
        if obj is not None and value:
            obj.console.reconfigure(
                color=False if param.name == "no_color" else None,
                verbosity={"quiet": -1, "verbose": int(value)}.get(str(param.name)))
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


def _root_option(command: Any) -> Any:
    """Accept -C after the command name too (``kbsync validate -C docs``)."""

    def set_root(ctx: click.Context, param: click.Parameter, given: str | None) -> None:
        from pathlib import Path

        obj = ctx.find_object(Context)
        if obj is None or given is None:
            return
        value = Path(given)
        if obj.root_option is not None and obj.root.resolve() != value.resolve():
            raise click.UsageError(
                f"-C given twice ({obj.root_option} and {value}); give it once, before the "
                f"command: kbsync -C DIR {ctx.info_name}", ctx)
        obj.root, obj.root_option = value, str(value)

    return click.option("-C", "root", type=_FOLDER, expose_value=False, callback=set_root,
                        help="Run in DIRECTORY: the knowledge base is the one it is in (also "
                             "accepted before the command).",
                        )(command)


def _remote_options(command: Any) -> Any:
    """Accept --base-url and --org after the command name too, as users type them
    (``kbsync init --from-remote --org 1 --base-url URL DIR``)."""

    def set_override(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        obj = ctx.find_object(Context)
        if obj is None or value is None:
            return
        field = "base_url" if param.name == "base_url" else "organization_id"
        before = getattr(obj.overrides, field)
        if before is not None and before != value:
            option = "--base-url" if field == "base_url" else "--org"
            raise click.UsageError(f"{option} given twice ({before} and {value}); give it "
                                   "once", ctx)
        from dataclasses import replace

        obj.overrides = replace(obj.overrides, **{field: value})

    command = click.option("--org", type=int, expose_value=False, callback=set_override,
                           help="Organization id (also accepted before the command).",
                           )(command)
    return click.option("--base-url", expose_value=False, callback=set_override,
                        help="Help Center API URL, or 'local' (also accepted before the "
                             "command).")(command)


_TARGET = click.option("--target", "targets", multiple=True, metavar="PATH",
                       help="Only items under PATH (a file or folder); repeatable.")
def _prune_note(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--prune=managed`` (what deleted managed items before they were deleted by
    default) still parses, for scripts: it changes nothing now, and says so."""
    obj = ctx.find_object(Context)
    if value == "managed" and obj is not None:
        obj.console.info("Note: --prune=managed changes nothing: an item whose file was "
                         "deleted is deleted without it (on_delete under [apply] in "
                         "kbsync.toml says otherwise)")
        return "off"
    return value


_PRUNE = click.option(
    "--prune", type=click.Choice(["off", "managed", "all"]), default="off", is_flag=False,
    flag_value="all", callback=_prune_note,
    help="Also delete remote items that were never in this folder (an item whose file was "
         "deleted is deleted without --prune; see on_delete). --prune=all: the same.")
_FORCE = click.option("--force", is_flag=True,
                      help="Overwrite edits made in initdesk and lift the max_deletes cap.")


class _CommandTable(click.Group):
    """The commands by name, each built (and its options defined) only when it is run
    or listed: ``kbsync --version`` builds none."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        factory = _COMMANDS.get(cmd_name)
        if factory is None:
            return None
        if cmd_name not in self.commands:
            self.add_command(factory(), cmd_name)
        return self.commands[cmd_name]


#: The command table: name -> what builds the command.
_COMMANDS: dict[str, Callable[[], click.Command]] = {}


def _command(factory: Callable[[], click.Command]) -> Callable[[], click.Command]:
    """Put a command's builder in the table, under its name (``_validate``: validate)."""
    _COMMANDS[factory.__name__.lstrip("_")] = factory
    return factory


@click.group(cls=_CommandTable, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kbsync")
@click.option("-C", "root", type=_FOLDER,
              help="Run in DIRECTORY instead of the current folder: the knowledge base is "
                   "the one it is in (its kbsync.toml, or the nearest one above it).")
@click.option("--base-url", help="Help Center API URL, or 'local' (env INITDESK_BASE_URL).")
@click.option("--org", type=int, help="Organization id (env INITDESK_ORG_ID).")
@click.option("-q", "--quiet", is_flag=True, help="Only the main output and errors.")
@click.option("-v", "--verbose", count=True, help="More detail (requests, steps).")
@click.option("--no-color", is_flag=True, help="No colour (also: the NO_COLOR variable).")
@click.pass_context
def cli(ctx: click.Context, root: str | None, base_url: str | None, org: int | None, quiet: bool,
        verbose: int, no_color: bool) -> None:
    """kbsync keeps an initdesk Help Center in git: Markdown files in, articles out.

    The token comes from the INITDESK_TOKEN environment variable only.
    """
    from pathlib import Path

    from kbsync.knowledge_base import Overrides  # not the settings' schema: lsp needs none

    _OPTIONS[:] = [(False if no_color else None, -1 if quiet else verbose)]
    ctx.obj = Context(Path(root or "."), Overrides(base_url=base_url, organization_id=org),
                      root_option=str(Path(root)) if root is not None else None)


class _FoldingEpilog(click.Command):
    """coverage's help ends with the folding rule, loaded only when help is shown."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kbsync.coverage.questions import FOLD_RULE

        self.epilog = f"Folding: {FOLD_RULE}."
        super().format_epilog(ctx, formatter)


@_command
def _validate() -> click.Command:
    from kbsync.render import formats

    @click.command()
    @_output_options
    @_remote_options
    @_root_option
    @click.option("--strict", is_flag=True, help="Treat warnings (unknown keys) as errors.")
    @click.option("--unused", is_flag=True,
                  help="Also list the images and documents no article links to.")
    @click.option("--format", "fmt", type=click.Choice(formats.FINDINGS.names),
                  help="text: one finding per line (file:line: key: message); json: data; "
                       "github: workflow annotations.  [default: text; github inside GitHub "
                       "Actions]")
    @pass_context
    def validate(obj: Context, strict: bool, unused: bool, fmt: str | None) -> int:
        """Check the folder (front matter, links, slugs) without touching the network.

        Findings go to stdout, one per line; the count goes to stderr. Exit 1 on errors
        (warnings too with --strict), 0 otherwise.
        """
        from kbsync.commands import validate as command

        console = obj.console
        config = obj.config()
        fmt = fmt or ("github" if console.github else "text")
        beside = console.github and fmt != "github"  # annotations beside text or data
        return command.run(config, strict=strict, unused=unused, fmt=fmt,
                           summary=console.info,
                           out=console.findings if fmt == "text" else console.out,
                           emit=console.problem if beside else lambda problem: None,
                           prefix=console.annotation_prefix)

    return validate


@_command
def _plan() -> click.Command:
    from pathlib import Path

    from kbsync.render import formats

    @click.command()
    @_output_options
    @_remote_options
    @_root_option
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Save the plan to FILE (versioned JSON, whatever the name) for "
                       "`kbsync apply FILE`.")
    @click.option("--format", "fmt", type=click.Choice(formats.PLAN.names),
                  default=formats.PLAN.names[0], show_default=True,
                  help="How to show the plan.")
    @click.option("--detailed-exitcode", is_flag=True,
                  help="Exit 2 when there are changes (0: none, 1: error).")
    @_PRUNE
    @_FORCE
    @_TARGET
    @pass_context
    def plan(obj: Context, out: Path | None, fmt: str, detailed_exitcode: bool, prune: Prune,
             force: bool, targets: tuple[str, ...]) -> int:
        """Show what apply would change in the Help Center."""
        from kbsync.commands import plan as command
        from kbsync.plan.diff import DiffOptions

        return command.run(obj.config(), obj.console, fmt=fmt, out=out,
                           detailed_exitcode=detailed_exitcode,
                           options=DiffOptions(prune=prune, force=force), targets=targets,
                           connect=obj.connect(), root_option=obj.root_option)

    return plan


@_command
def _apply() -> click.Command:
    from pathlib import Path

    @click.command()
    @_output_options
    @_remote_options
    @_root_option
    @click.argument("planfile", required=False, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", "-y", is_flag=True,
                  help="Do not ask for confirmation (needed off a terminal, unless PLANFILE).")
    @_PRUNE
    @_FORCE
    @_TARGET
    @pass_context
    def apply(obj: Context, planfile: Path | None, yes: bool, prune: Prune, force: bool,
              targets: tuple[str, ...]) -> int:
        """Apply the changes (or exactly a saved PLANFILE) to the Help Center.

        Without PLANFILE, apply plans afresh, shows the plan and asks for confirmation
        (--yes skips the question; off a terminal it is required).

        With PLANFILE (from `kbsync plan --out FILE`), apply runs exactly that plan without
        a prompt: saving the plan was the approval, as in Terraform. A plan made before the
        Help Center changed is refused as stale; plan again.
        """
        from kbsync.commands import apply as command
        from kbsync.plan.diff import DiffOptions

        if planfile is not None and (targets or prune != "off"):
            from kbsync.errors import UsageError

            raise UsageError("--target and --prune belong to `kbsync plan --out`, not a saved plan")
        return command.run(obj.config(), obj.console, planfile=planfile, yes=yes,
                           options=DiffOptions(prune=prune, force=force), targets=targets,
                           connect=obj.connect())

    return apply


@_command
def _pull() -> click.Command:
    @click.command()
    @_output_options
    @_remote_options
    @_root_option
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
                           on_conflict=on_conflict, commit=commit, connect=obj.connect())

    return pull


@_command
def _init() -> click.Command:
    from pathlib import Path

    @click.command()
    @_output_options
    @_remote_options
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--from-remote", is_flag=True,
                  help="Import the existing Help Center (the remote settings come from --base-url"
                       " / --org or the environment) instead of starting from an example.")
    @click.option("--publish", metavar="S3_URL",
                  help="With --from-remote: the store the articles' images are published to "
                       "(s3://bucket/prefix); needs --public-url.")
    @click.option("--public-url", metavar="URL",
                  help="With --publish: where readers load them from. Images under it are "
                       "downloaded into the folder and linked by their paths.")
    @click.option("--endpoint-url", metavar="URL",
                  help="With --publish: an S3-compatible store that is not AWS (R2, MinIO).")
    @click.option("--assets-base-url", metavar="URL",
                  help="With --from-remote: where the images are served as they are (a public "
                       "repository's raw URL), instead of --publish.")
    @pass_context
    def init(obj: Context, directory: Path, from_remote: bool, publish: str | None,
             public_url: str | None, endpoint_url: str | None,
             assets_base_url: str | None) -> int:
        """Start a knowledge base in DIRECTORY (new or empty).

        Without --from-remote it holds a first collection and article and syncs with the
        embedded Help Center (base_url = "local"): try `kbsync -C DIRECTORY apply` at once.
        """
        from dataclasses import replace

        from kbsync.commands import init as command
        from kbsync.config import assets_from_options, load_config
        from kbsync.errors import UsageError

        assets = (publish, public_url, endpoint_url, assets_base_url)
        if from_remote:
            config = replace(load_config(directory, obj.overrides), assets=assets_from_options(
                publish=publish, public_url=public_url, endpoint_url=endpoint_url,
                base_url=assets_base_url))
            return command.run(config, obj.console, connect=obj.connect())
        if any(assets):
            raise UsageError("--publish, --public-url, --endpoint-url and --assets-base-url "
                             "go with --from-remote (a new knowledge base sets them under "
                             "[assets] in its kbsync.toml)")
        if obj.overrides.base_url is not None or obj.overrides.organization_id is not None:
            raise UsageError("--base-url and --org go with --from-remote; a new knowledge base "
                             "starts with the embedded Help Center (then set base_url and "
                             "organization_id in its kbsync.toml)")
        return command.scaffold(directory, obj.console)

    return init


@_command
def _doctor() -> click.Command:
    @click.command()
    @_output_options
    @_remote_options
    @_root_option
    @pass_context
    def doctor(obj: Context) -> int:
        """Check a live tenant against kbsync's wire contract (read only)."""
        from kbsync.commands import doctor as command
        from kbsync.config import find_knowledge_base, no_knowledge_base

        config = obj.config(knowledge_base=False)
        if not config.has_file and config.remote.organization_id is None:
            raise no_knowledge_base(obj.root, find_knowledge_base(obj.root)[1], advice=(
                "doctor checks the Help Center a knowledge base syncs with: run it inside one, "
                "or name the Help Center with --org ID (and --base-url URL)"))
        with obj.connect()(config) as client:
            return command.run(client, emit=obj.console.out)

    return doctor


@_command
def _coverage() -> click.Command:
    from pathlib import Path

    from kbsync import defaults
    from kbsync.render import formats

    @click.command(cls=_FoldingEpilog)
    @_output_options
    @_remote_options
    @_root_option
    @click.option("--local", is_flag=True,
                  help="Search the local tree as apply would leave it (the emulator's search "
                       "over the rendered articles, in memory): no search is sent.")
    @click.option("--compare", is_flag=True,
                  help="Search both and show remote -> local per question and in total.")
    @click.option("--from-tickets", is_flag=True,
                  help="Add the Help Center's tickets as questions (subject plus the longer of "
                       "the plain and HTML description; spam left out). Tickets are read from "
                       "the Help Center even with --local.")
    @click.option("--since", metavar="WHEN",
                  help="Only tickets created since WHEN: 30d, 12h, 2w or an ISO date "
                       "(2025-06-01).")
    @click.option("--limit", type=click.IntRange(min=1), default=defaults.DEFAULT_TICKET_LIMIT,
                  show_default=True, help="At most this many tickets, the newest first.")
    @click.option("--no-file", is_flag=True,
                  help="Leave coverage.yaml out (tickets only).")
    @click.option("--top-k", type=click.IntRange(1, defaults.MAX_TOP_K),
                  help="An expected article must be among this many best hits [default: "
                       f"{defaults.DEFAULT_TOP_K}, or top_k in coverage.yaml].")
    @click.option("--min-score", type=float,
                  help="Without expect:, the best hit's score must reach this [default: "
                       f"{defaults.DEFAULT_MIN_SCORE:g}, or min_score in coverage.yaml]; a "
                       "question's own value wins.")
    @click.option("--format", "fmt", type=click.Choice(formats.COVERAGE.names),
                  default=formats.COVERAGE.names[0], show_default=True,
                  help="How to show the report.")
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
                  help="Write the report to FILE (html: one self-contained file).")
    @click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
                  metavar="FILE",
                  help="Also write the report as JSON to FILE, whatever --format shows (for a "
                       "CI step or a dashboard).")
    @click.option("--min-coverage", type=click.FloatRange(0.0, 1.0), metavar="SHARE",
                  help="Exit 1 when coverage (of distinct questions; with --compare, the local "
                       "one) is below SHARE, e.g. 0.8.")
    @click.option("--suggest", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
                  help="Write a draft article stub for each of the 5 largest uncovered topics "
                       "into DIR, laid out like the knowledge base (DIR may be the knowledge "
                       "base itself); existing files are never overwritten. A topic a draft "
                       "article would answer gets the advice to publish it instead (one more "
                       "search per uncovered question).")
    @pass_context
    def coverage(obj: Context, local: bool, compare: bool, from_tickets: bool, since: str | None,
                 limit: int, no_file: bool, top_k: int | None, min_score: float | None, fmt: Any,
                 out: Path | None, json_out: Path | None, min_coverage: float | None,
                 suggest: Path | None) -> int:
        """Do customers' questions find an article through the Help Center's search?

        Each distinct question from coverage.yaml (q:, optional expect: slug or list,
        min_score:, top_k:) and, with --from-tickets, from recent tickets is searched once.
        A question with expect: is covered when an expected article is among the top k
        hits; one without, when the best hit's score reaches min_score. Draft articles
        never count.
        """
        from kbsync.commands import coverage as command

        options = command.Options(
            local=local, compare=compare, use_file=not no_file, from_tickets=from_tickets,
            since=since, limit=limit, top_k=top_k, min_score=min_score, fmt=fmt, out=out,
            json_out=json_out, min_coverage=min_coverage, suggest=suggest)
        return command.run(obj.config(), obj.console, options, connect=obj.connect())

    return coverage


@_command
def _emulator() -> click.Command:
    @click.command()
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

    return emulator


@_command
def _watch() -> click.Command:
    from kbsync import defaults

    @click.command()
    @_output_options
    @_remote_options
    @_root_option
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to bind (the default: this machine only).")
    @click.option("--port", default=defaults.DEFAULT_PREVIEW_PORT, show_default=True,
                  type=int, help="Port to bind (0: any free port).")
    @click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
    @click.option("--debounce", default=defaults.DEFAULT_DEBOUNCE_MS, show_default=True,
                  type=int, metavar="MS",
                  help="Rebuild once no file changed for MS milliseconds.")
    @click.option("--push-drafts", is_flag=True,
                  help="Also push each saved article to initdesk as a draft (never publishes, "
                       "never deletes; refuses articles published there).")
    @pass_context
    def watch(obj: Context, host: str, port: int, open_browser: bool, debounce: int,
              push_drafts: bool) -> int:
        """Preview the Help Center in a browser, updated live on every save.

        Nothing is sent anywhere, unless --push-drafts asks for saved articles to go to
        initdesk as drafts.
        """
        from kbsync.commands import watch as command

        return command.run(obj.config, obj.console, host=host, port=port,
                           open_browser=open_browser, debounce_ms=debounce,
                           push_drafts=push_drafts, connect=obj.connect())

    return watch


@_command
def _lsp() -> click.Command:
    from pathlib import Path

    @click.command()
    @_output_options
    @_root_option
    @click.option("--check", "target", is_flag=False, flag_value=".", default=None,
                  type=click.Path(path_type=Path), metavar="[PATH]",
                  help="Do not serve: check the knowledge base (or the file or folder "
                       "PATH, in the knowledge base it is in) once and print what the "
                       "server would report, for a support request.")
    @pass_context
    def lsp(obj: Context, target: Path | None) -> int:
        """Serve the editor: the Language Server Protocol on stdin and stdout.

        Diagnostics as you type (every validate finding, at its line and column),
        completion of links, anchors, images, front-matter keys and callouts, hover,
        go to definition, references, heading and file renames that keep links working,
        quick fixes and "Open preview". Each file is checked as part of the knowledge
        base of the nearest kbsync.toml above it. Editors start it themselves: see the
        README's "Editor integration" for VS Code, Neovim, Helix and Zed.
        """
        from kbsync.commands import lsp as command

        if target is None:
            return command.serve()
        from kbsync.errors import UsageError

        if target == Path("."):
            return command.check(obj.config(), None, obj.console.out)
        target = obj.root / target  # -C DIR: PATH is in DIR, as the other commands' paths
        if not target.exists():
            raise UsageError(f"--check {target}: no such file or folder")
        if obj.root_option is None:  # the server checks a file in the nearest knowledge base
            obj.root = target if target.is_dir() else target.parent
        config = obj.config()
        whole = target.resolve() == config.root.resolve()
        return command.check(config, None if whole else target, obj.console.out)

    return lsp


def main(argv: list[str] | None = None) -> None:
    _collect_less_often()
    sys.exit(run(argv))


def _collect_less_often() -> None:
    """A run keeps what it reads to the end (10,000 articles read, parsed and fetched
    are millions of objects) and makes few reference cycles; at CPython's default
    threshold (700 allocations) the cycle collector walks the living objects over and
    over: 0.25 s of a no-op plan of 10,000 articles. Cycles are still collected, every
    10,000 allocations. Only the process's entry: tests calling :func:`run` keep theirs."""
    gc.freeze()  # what start-up made (click, this module) is never garbage
    gc.set_threshold(10_000, 10, 10)


def run(argv: list[str] | None = None, console: Console | None = None) -> int:
    """Run the CLI and return the exit code (tests call this directly)."""
    _ACTIVE[:] = [console] if console else []
    _OPTIONS.clear()
    try:
        result = cli.main(args=argv, prog_name="kbsync", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 0
    except click.NoSuchOption as exc:
        name = exc.ctx.info_name if exc.ctx is not None else None
        if exc.option_name in _KNOWN_AS and name in _KNOWN_AS[exc.option_name][0]:
            click.echo(f"Usage error: no such option {exc.option_name}; "
                       f"{_KNOWN_AS[exc.option_name][1]}", err=True)
            return USAGE_ERROR
        if exc.option_name != "-C" or exc.ctx is None:
            exc.show()
            return USAGE_ERROR
        name = exc.ctx.info_name or "the command"
        advice = _NO_FOLDER.get(name, f"put -C before the command: kbsync -C DIR {name}")
        click.echo(f"Usage error: {name} does not take -C; {advice}", err=True)
        return USAGE_ERROR
    except click.UsageError as exc:
        exc.show()
        return USAGE_ERROR
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except BaseException as exc:
        return report_error(exc, _run_console())
    return int(result or 0)


def _run_console() -> Console:
    """The run's console (the one a test gave, else a new one), with the group's options
    applied once."""
    if not _ACTIVE:
        _ACTIVE.append(_console())
    console = _ACTIVE[0]
    if _OPTIONS:
        color, verbosity = _OPTIONS.pop()
        console.reconfigure(color=color, verbosity=verbosity)
    return console


def _console() -> Console:
    """The console of a run: GitHub's annotations and groups inside a GitHub Actions step."""
    from kbsync.console import Console
    from kbsync.github.environment import in_github_actions

    return Console(github=in_github_actions())


def report_error(exc: BaseException, console: Console) -> int:
    """One readable line for expected errors; a log file for bugs."""
    from kbsync.errors import KbsyncError, UsageError, ValidationFailed

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
    import tempfile
    import traceback
    from pathlib import Path

    from kbsync.config import TOKEN_ENV

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
    from kbsync.config import Secret

    return Secret(token).scrub(text) if token else text
