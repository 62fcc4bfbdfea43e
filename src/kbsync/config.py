"""kbsync.toml -> Config, with every problem reported at once (file:line, key).

Remote settings come from, in order: the command line, the environment
(``INITDESK_BASE_URL``, ``INITDESK_ORG_ID``, ``INITDESK_RPM``), then kbsync.toml. The
token comes from ``INITDESK_TOKEN`` only and is wrapped in :class:`Secret` at once, so
no repr, log line or exception can show it by accident.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbsync.errors import ConfigError
from kbsync.problems import Problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILE = "kbsync.toml"
LOCK_FILE = "kbsync.lock"
PORTAL_FILE = "portal.yaml"
COVERAGE_FILE = "coverage.yaml"
STATE_DIR = ".kbsync"
LOCAL_REMOTE = "local"
DEFAULT_BASE_URL = "https://api.initdesk.com"
DEFAULT_RPM = 60
DEFAULT_MAX_DELETES = 10

TOKEN_ENV = "INITDESK_TOKEN"
BASE_URL_ENV = "INITDESK_BASE_URL"
ORG_ENV = "INITDESK_ORG_ID"
RPM_ENV = "INITDESK_RPM"
CACHE_DIR_ENV = "KBSYNC_CACHE_DIR"

_KNOWN: dict[str, set[str]] = {
    "remote": {"base_url", "organization_id", "requests_per_minute"},
    "content": {"extra_keys", "assets_base_url"},
    "apply": {"max_deletes"},
}


class Secret:
    """A value that never shows itself: repr and str are masked."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

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
    assets_base_url: str | None = None


@dataclass(frozen=True)
class Config:
    root: Path
    remote: RemoteSettings = RemoteSettings()
    content: ContentSettings = ContentSettings()
    max_deletes: int = DEFAULT_MAX_DELETES
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


@dataclass(frozen=True)
class Overrides:
    """Remote settings given on the command line; ``None`` means 'not given'."""

    base_url: str | None = None
    organization_id: int | None = None


def load_config(
    root: Path,
    overrides: Overrides = Overrides(),
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Read ``root/kbsync.toml`` (optional) and merge the environment and the overrides."""
    env = os.environ if environ is None else environ
    path = root / CONFIG_FILE
    text = ""
    data: dict[str, Any] = {}
    if path.is_file():
        text = _read_text(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{CONFIG_FILE}: invalid TOML: {exc}") from None
    problems: list[Problem] = []
    reader = _Reader(text, problems)
    for section, value in data.items():
        if section not in _KNOWN or not isinstance(value, dict):
            reader.problem(None, section, "unknown section", f"known: {', '.join(_KNOWN)}")
            continue
        for key in value:
            if key not in _KNOWN[section]:
                reader.problem(section, key, "unknown key",
                               f"known: {', '.join(sorted(_KNOWN[section]))}")
    remote = _remote_settings(data.get("remote", {}), reader, overrides, env)
    content = _content_settings(data.get("content", {}), reader)
    max_deletes = reader.integer(data.get("apply", {}), "apply", "max_deletes",
                                 DEFAULT_MAX_DELETES, minimum=0)
    if problems:
        raise ConfigError("\n".join(str(p) for p in problems))
    return Config(
        root=root,
        remote=remote,
        content=content,
        max_deletes=max_deletes,
        has_file=path.is_file(),
        cache_dir=user_cache_dir(env),
    )


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


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read: {exc}") from None


class _Reader:
    """Typed reads of one TOML table that record problems with the key's line."""

    def __init__(self, text: str, problems: list[Problem]) -> None:
        self.lines = text.splitlines()
        self.problems = problems

    def line_of(self, section: str | None, key: str) -> int | None:
        current: str | None = None
        for number, raw in enumerate(self.lines, start=1):
            line = raw.strip()
            if line.startswith("[") and line.endswith("]"):
                current = line.strip("[] ")
                if section is None and current == key:
                    return number
                continue
            if current == section and line.split("=", 1)[0].strip().strip('"') == key:
                return number
        return None

    def problem(self, section: str | None, key: str, message: str, hint: str | None) -> None:
        name = f"{section}.{key}" if section else key
        self.problems.append(
            Problem(CONFIG_FILE, message, line=self.line_of(section, key), key=name, hint=hint)
        )

    def integer(self, table: Mapping[str, Any], section: str, key: str, default: int,
                *, minimum: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(section, key, f"must be a whole number >= {minimum}, got {value!r}", None)
            return default
        return value

    def string(self, table: Mapping[str, Any], section: str, key: str) -> str | None:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            self.problem(section, key, f"must be a string, got {value!r}", None)
            return None
        return value


def _remote_settings(
    table: Mapping[str, Any], reader: _Reader, overrides: Overrides, env: Mapping[str, str]
) -> RemoteSettings:
    base_url = (
        overrides.base_url
        or env.get(BASE_URL_ENV)
        or reader.string(table, "remote", "base_url")
        or DEFAULT_BASE_URL
    ).rstrip("/")
    if base_url != LOCAL_REMOTE and not base_url.startswith(("http://", "https://")):
        reader.problem("remote", "base_url",
                       f'must be an http(s) URL or "local", got {base_url!r}', None)
    org = overrides.organization_id
    if org is None and env.get(ORG_ENV):
        org = _env_int(env, ORG_ENV)
    if org is None and "organization_id" in table:
        org = reader.integer(table, "remote", "organization_id", 0, minimum=1) or None
    if org is None and base_url == LOCAL_REMOTE:
        org = 1
    rpm = reader.integer(table, "remote", "requests_per_minute", DEFAULT_RPM, minimum=0)
    if env.get(RPM_ENV):
        rpm = _env_int(env, RPM_ENV)
    if base_url == LOCAL_REMOTE and "requests_per_minute" not in table and not env.get(RPM_ENV):
        rpm = 0  # the embedded Help Center has no rate limit to respect
    token_value = env.get(TOKEN_ENV)
    token = Secret(token_value) if token_value else None
    return RemoteSettings(base_url=base_url, organization_id=org, requests_per_minute=rpm,
                          token=token)


def _env_int(env: Mapping[str, str], name: str) -> int:
    raw = env[name]
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name}: must be >= 0, got {value}")
    return value


def _content_settings(table: Mapping[str, Any], reader: _Reader) -> ContentSettings:
    extra = table.get("extra_keys", [])
    if not isinstance(extra, list) or not all(isinstance(k, str) for k in extra):
        reader.problem("content", "extra_keys", "must be a list of strings", 'e.g. ["owner"]')
        extra = []
    assets = reader.string(table, "content", "assets_base_url")
    if assets and not assets.startswith(("http://", "https://")):
        reader.problem("content", "assets_base_url", f"must be an http(s) URL, got {assets!r}",
                       None)
        assets = None
    return ContentSettings(extra_keys=tuple(extra), assets_base_url=assets.rstrip("/") + "/"
                           if assets else None)


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
