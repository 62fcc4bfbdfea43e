"""kbsync.toml -> Config, with every problem reported at once (file:line, key).

Remote settings come from, in order: the command line, the environment
(``INITDESK_BASE_URL``, ``INITDESK_ORG_ID``, ``INITDESK_RPM``), then kbsync.toml. The
token comes from ``INITDESK_TOKEN`` only and is wrapped in :class:`Secret` at once, so
no repr, log line or exception can show it by accident.

The files' names and the search for a knowledge base live in ``kbsync.knowledge_base``,
which loads no schema (the editor's server needs them first); they are read here too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbsync.assets.home import AssetHome
from kbsync.defaults import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_ASSET_BYTES,
    DEFAULT_MAX_DELETES,
    DEFAULT_RPM,
)
from kbsync.errors import ConfigError, UsageError
from kbsync.knowledge_base import CONFIG_FILE as CONFIG_FILE
from kbsync.knowledge_base import COVERAGE_FILE as COVERAGE_FILE
from kbsync.knowledge_base import LOCK_FILE as LOCK_FILE
from kbsync.knowledge_base import PORTAL_FILE as PORTAL_FILE
from kbsync.knowledge_base import STATE_DIR as STATE_DIR
from kbsync.knowledge_base import Overrides as Overrides
from kbsync.knowledge_base import enclosing_knowledge_base as enclosing_knowledge_base
from kbsync.knowledge_base import find_knowledge_base as find_knowledge_base
from kbsync.markdown.dialect import Dialect
from kbsync.model.lockstate import LOCAL_REMOTE
from kbsync.plan.model import OnDelete
from kbsync.problems import Problem
from kbsync.schema import LineOf, check
from kbsync.schema.base import FieldProblem
from kbsync.schema.config import (
    DEFAULT_HEADING_IDS,
    DEFAULT_MARKDOWN,
    DEFAULT_MAX_ARTICLE_BYTES,
    AssetsTable,
    KbsyncToml,
    RemoteTable,
    unknown,
    whole_number,
)
from kbsync.schema.config import base_url as check_url

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


TOKEN_ENV = "INITDESK_TOKEN"
BASE_URL_ENV = "INITDESK_BASE_URL"
ORG_ENV = "INITDESK_ORG_ID"
RPM_ENV = "INITDESK_RPM"
CACHE_DIR_ENV = "KBSYNC_CACHE_DIR"

class Secret:
    """A value that never shows itself: repr and str are masked."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def scrub(self, text: str) -> str:
        """``text`` with the value masked, as given or stripped (however it was set)."""
        for value in {self._value, self._value.strip()}:
            if len(value) >= 4:
                text = text.replace(value, "****")
        return text

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class RemoteSettings:
    base_url: str = DEFAULT_BASE_URL
    organization_id: int | None = None
    requests_per_minute: int = DEFAULT_RPM
    token: Secret | None = field(default=None, repr=False)

    @property
    def is_local(self) -> bool:
        return self.base_url == LOCAL_REMOTE


@dataclass(frozen=True)
class ContentSettings:
    extra_keys: tuple[str, ...] = ()
    markdown: tuple[str, ...] = DEFAULT_MARKDOWN  # the dialect: Markdown extensions on
    heading_ids: str = DEFAULT_HEADING_IDS  # and the ids headings get
    #: A bigger file is not read (one problem naming the setting): bounded work on any tree.
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES

    @property
    def dialect(self) -> Dialect:
        """What the renderer, the checks, the preview and pull read: both settings."""
        return Dialect(self.markdown, self.heading_ids)


@dataclass(frozen=True)
class AssetSettings:
    """``[assets]``: where the files articles link to are published, and how big one may
    be before validate warns. ``base_url`` is also read from ``[content]
    assets_base_url``, its older name."""

    publish: str | None = None  # "s3://bucket/prefix": kbsync uploads there
    public_url: str | None = None  # where readers load the store's objects from
    endpoint_url: str | None = None  # an S3-compatible store that is not AWS (R2, MinIO)
    region: str | None = None
    base_url: str | None = None  # files served as they are from there (a public repo)
    max_bytes: int = DEFAULT_MAX_ASSET_BYTES

    @property
    def has_home(self) -> bool:
        """Whether readers can load a local file at all: published, or served."""
        return bool(self.publish or self.base_url)

    def home(self, digests: Mapping[str, str] | None = None) -> AssetHome:
        """Where the renderer points local files (``digests``: of the files published)."""
        return AssetHome(self.base_url, self.public_url if self.publish else None,
                         dict(digests or {}))


@dataclass(frozen=True)
class Config:
    root: Path
    remote: RemoteSettings = RemoteSettings()
    content: ContentSettings = ContentSettings()
    assets: AssetSettings = AssetSettings()
    max_deletes: int = DEFAULT_MAX_DELETES
    #: What apply does to a managed item whose file or folder was deleted here.
    on_delete: OnDelete = "delete"
    has_file: bool = False
    #: The user's cache folder (the request budget's record); None: keep it in memory.
    cache_dir: Path | None = None

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_FILE

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def local_db(self) -> Path:
        return self.state_dir / "local.db"


_NO_OVERRIDES = Overrides()


def load_config(
    root: Path,
    overrides: Overrides = _NO_OVERRIDES,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Read ``root/kbsync.toml`` (optional) and merge the environment and the overrides.

    Every problem is reported at once, each blamed on where its value came from: the
    command line (a usage error), the environment, or kbsync.toml's line and key.
    """
    env = os.environ if environ is None else environ
    path = root / CONFIG_FILE
    text, data = _read_toml(path)
    problems: list[Problem] = []
    file, found = check(KbsyncToml, data, path=CONFIG_FILE, line_of=_line_finder(text),
                        unknown=unknown)
    problems.extend(found)
    sources = _Sources(overrides, env, problems)
    remote = _remote_settings(file.remote, sources, env)
    assets = _asset_settings(file, problems, _line_finder(text))
    if problems:
        message = "\n".join(str(p) for p in problems)
        if all(p.path == COMMAND_LINE for p in problems):
            raise UsageError(message)
        raise ConfigError(message)
    return Config(
        root=root,
        remote=remote,
        content=ContentSettings(extra_keys=file.content.extra_keys,
                                markdown=file.content.markdown,
                                heading_ids=file.content.heading_ids,
                                max_article_bytes=(file.content.max_article_bytes
                                                   or DEFAULT_MAX_ARTICLE_BYTES)),
        assets=assets,
        max_deletes=(DEFAULT_MAX_DELETES if file.apply.max_deletes is None
                     else file.apply.max_deletes),
        on_delete=file.apply.on_delete,
        has_file=path.is_file(),
        cache_dir=user_cache_dir(env),
    )


def assets_from_options(*, publish: str | None = None, public_url: str | None = None,
                        endpoint_url: str | None = None,
                        base_url: str | None = None) -> AssetSettings:
    """``[assets]`` given on the command line (``init --from-remote``), checked by the
    rules kbsync.toml's are; a bad one is a usage error naming the setting."""
    given = {"publish": publish, "public_url": public_url, "endpoint_url": endpoint_url,
             "base_url": base_url}
    file, problems = check(KbsyncToml, {"assets": {k: v for k, v in given.items() if v}},
                           path=COMMAND_LINE, line_of=lambda loc: None, unknown=unknown)
    assets = _asset_settings(file, problems, lambda loc: None, where=COMMAND_LINE)
    if problems:
        raise UsageError("\n".join(str(p) for p in problems))
    return assets


def _asset_settings(file: KbsyncToml, problems: list[Problem], line_of: LineOf,
                    where: str = CONFIG_FILE) -> AssetSettings:
    """``[assets]``, with the rules between its keys: a store needs the address readers
    load from, and a file has one home (a store or a base URL, named once)."""
    table: AssetsTable = file.assets
    old = file.content.assets_base_url

    def problem(key: tuple[str, str], message: str, hint: str) -> None:
        problems.append(Problem(where, message, line=line_of(key), key=".".join(key),
                                hint=hint))

    if old is not None and table.base_url is not None:
        problem(("content", "assets_base_url"), "set twice: [assets] base_url is set too",
                "keep base_url under [assets] (assets_base_url is its older name) and "
                "delete this line")
    base_url = table.base_url or old
    if table.publish is not None and table.public_url is None:
        problem(("assets", "publish"), "needs public_url: the address readers load the "
                "published files from", 'e.g. public_url = "https://help-assets.acme.com/kb"'
                " (a CDN or the bucket's public URL)")
    if table.public_url is not None and table.publish is None:
        problem(("assets", "public_url"), "needs publish: the store the files are uploaded "
                "to", 'e.g. publish = "s3://acme-help/kb"')
    if table.publish is not None and base_url is not None:
        problem(("assets", "publish"), "a file has one home: publish and base_url are both "
                "set", "keep publish (kbsync uploads) or base_url (served from a public "
                "repository), not both")
    return AssetSettings(publish=table.publish, public_url=table.public_url,
                         endpoint_url=table.endpoint_url, region=table.region,
                         base_url=base_url,
                         max_bytes=table.max_bytes or DEFAULT_MAX_ASSET_BYTES)


def user_cache_dir(env: Mapping[str, str]) -> Path | None:
    """``KBSYNC_CACHE_DIR``, else ``$XDG_CACHE_HOME/kbsync``, else ``~/.cache/kbsync``.

    Read from ``env`` alone (``%LOCALAPPDATA%`` on Windows), so a test's environment
    decides; None when no folder can be named.
    """
    if env.get(CACHE_DIR_ENV):
        return Path(env[CACHE_DIR_ENV])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "kbsync"
    if env.get("HOME"):
        return Path(env["HOME"]) / ".cache" / "kbsync"
    if env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "kbsync" / "cache"
    return None


COMMAND_LINE = "command line"
ENVIRONMENT = "environment"


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """The text and the tables of kbsync.toml; empty when there is none."""
    if not path.exists():
        return "", {}
    if not path.is_file():
        raise ConfigError(f"{path}: not a file; kbsync.toml holds the knowledge base's "
                          "settings (see `kbsync init --help`)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{CONFIG_FILE}: cannot read: {exc}") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{CONFIG_FILE}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise ConfigError(f"{CONFIG_FILE}: nested too deeply to read (arrays or tables "
                          "inside each other, hundreds of levels); it holds a few "
                          "settings: write them out flat") from None


def _line_finder(text: str) -> LineOf:
    """The line of ``[section]`` / ``key = ...`` (in its section) in kbsync.toml's text."""
    lines = text.splitlines()

    def line_of(loc: tuple[str, ...]) -> int | None:
        if not loc:
            return None
        section, key = (None, loc[0]) if len(loc) == 1 else (loc[0], loc[1])
        current: str | None = None
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if line.startswith("[") and line.endswith("]"):
                current = line.strip("[] ")
                if section is None and current == key:
                    return number
                continue
            if current == section and line.split("=", 1)[0].strip().strip('"') == key:
                return number
        return None

    return line_of


class _Sources:
    """Checks a value from the command line or the environment, blaming its source."""

    def __init__(self, overrides: Overrides, env: Mapping[str, str],
                 problems: list[Problem]) -> None:
        self.overrides = overrides
        self.env = env
        self.problems = problems

    def checked(self, value: Any, where: str, key: str,
                validate: Callable[[Any], Any]) -> Any:
        try:
            return validate(value)
        except FieldProblem as exc:
            context = exc.context or {}
            self.problems.append(Problem(where, str(context.get("message")), key=key,
                                         hint=context.get("hint")))
            return None

    def env_number(self, name: str, minimum: int) -> int | None:
        """A whole-number variable, by ``kbsync.toml``'s rule for numbers (None: unset, or
        reported)."""
        raw = self.env.get(name)
        if not raw:
            return None
        try:
            value: object = int(raw.strip())
        except ValueError:
            value = raw  # not a number: reported as it was set
        number: int | None = self.checked(value, ENVIRONMENT, name,
                                          lambda v: whole_number(v, minimum))
        return number


def _remote_settings(table: RemoteTable, sources: _Sources,
                     env: Mapping[str, str]) -> RemoteSettings:
    overrides = sources.overrides
    base_url: str | None = None
    if overrides.base_url is not None:
        base_url = sources.checked(overrides.base_url, COMMAND_LINE, "--base-url", check_url)
    elif env.get(BASE_URL_ENV):
        base_url = sources.checked(env[BASE_URL_ENV], ENVIRONMENT, BASE_URL_ENV, check_url)
    base_url = base_url or table.base_url or DEFAULT_BASE_URL
    org = overrides.organization_id
    if org is not None and org < 1:
        sources.problems.append(Problem(COMMAND_LINE, f"must be a whole number >= 1, got {org}",
                                        key="--org"))
        org = None
    if org is None:
        org = sources.env_number(ORG_ENV, 1)
    if org is None:
        org = table.organization_id
    if org is None and base_url == LOCAL_REMOTE:
        org = 1
    rpm = sources.env_number(RPM_ENV, 0)
    if rpm is None:
        rpm = table.requests_per_minute
    if rpm is None:
        rpm = 0 if base_url == LOCAL_REMOTE else DEFAULT_RPM  # the embedded one has no limit
    return RemoteSettings(base_url=base_url, organization_id=org, requests_per_minute=rpm,
                          token=read_token(env))


def read_token(env: Mapping[str, str]) -> Secret | None:
    """``INITDESK_TOKEN``, without the whitespace a copy or ``$(cat file)`` leaves around it.

    A token is printable ASCII without spaces. Anything else (a newline or tab inside, a
    character from a word processor) is refused here, before any request, because an
    HTTP library would otherwise put the whole value into its error message. The message
    says what is wrong and where, never the token.
    """
    raw = env.get(TOKEN_ENV)
    if raw is None:
        return None
    value = raw.strip()
    if not value:
        return None
    for index, char in enumerate(value):
        if not 0x21 <= ord(char) <= 0x7E:
            kind = ("a space" if char == " " else "a control character" if ord(char) < 0x20
                    or ord(char) == 0x7F else "a non-ASCII character")
            raise ConfigError(
                f"{TOKEN_ENV} holds {kind} at position {index + 1} of {len(value)}; a token is "
                "printable ASCII without spaces: copy it again from Settings -> API access")
    return Secret(value)


def require_knowledge_base(config: Config) -> None:
    """A folder without kbsync.toml is not a knowledge base: say so, and how to start one.

    Without this, any folder's ``*.md`` files (a repository's tests, docs...) would be
    read as articles.
    """
    if not config.has_file:
        raise no_knowledge_base(config.root, find_knowledge_base(config.root)[1])


def shown_path(found: Path, start: Path) -> Path:
    """``found`` (resolved) the way the user named ``start``: relative to the current
    folder when ``start`` was relative (``..``), else absolute."""
    if start.is_absolute():
        return found
    try:
        return Path(os.path.relpath(found, Path.cwd().resolve()))
    except ValueError:  # another drive (Windows)
        return found


def no_knowledge_base(start: Path, ceiling: Path | None, advice: str | None = None
                      ) -> ConfigError:
    """The error of a command run where there is no knowledge base, with what to do.

    The advice never leads to a knowledge base inside another: there is none above
    ``start`` (up to ``ceiling``, the git repository's top), and ``init`` refuses one.
    """
    above = (f" or above it (up to the top of its git repository, {shown_path(ceiling, start)})"
             if ceiling is not None and ceiling != start.resolve() else
             "" if ceiling is not None else " or any folder above it")
    advice = advice or (f"run `kbsync init {start}` to start a knowledge base there (or "
                        "`kbsync -C DIR ...` to use one elsewhere)")
    return ConfigError(f"no {CONFIG_FILE} in {start}{above}: {advice}")


def require_remote(config: Config) -> RemoteSettings:
    """The remote settings, or a clear error saying which one is missing."""
    remote = config.remote
    if remote.organization_id is None:
        raise ConfigError(
            "no organization id: set organization_id under [remote] in kbsync.toml, "
            f"{ORG_ENV}, or --org"
        )
    if not remote.is_local and remote.token is None:
        raise ConfigError(f"no token: set {TOKEN_ENV} (Settings -> API access in initdesk)")
    return remote
