"""``kbsync.toml``: three tables of settings, none of them secret.

Values from the command line and the environment are checked by the same functions
(``base_url``, ``whole_number``), so every source says the same thing about a bad value;
``config.load_config`` names the source in the message.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from kbsync.assets.store import parse_location
from kbsync.markdown.registry import (
    DEFAULT_HEADING_IDS,
    DEFAULT_MARKDOWN,
    HEADING_IDS,
    MARKDOWN_EXTENSIONS,
)
from kbsync.model.lockstate import LOCAL_REMOTE
from kbsync.plan.model import ON_DELETE, OnDelete
from kbsync.problems import shown
from kbsync.schema.base import did_you_mean, fail

__all__ = ["DEFAULT_HEADING_IDS", "DEFAULT_MARKDOWN", "MARKDOWN_EXTENSIONS", "AssetsTable",
           "KbsyncToml", "base_url", "heading_id_scheme", "markdown_dialect", "whole_number"]


def base_url(value: Any) -> str:
    """An http(s) URL without a trailing slash, or ``local`` (the embedded Help Center)."""
    if not isinstance(value, str):
        raise fail(f"must be a string, got {shown(value)}")
    url = value.strip().rstrip("/")
    if url != LOCAL_REMOTE and not url.startswith(("http://", "https://")):
        raise fail(f'must be an http(s) URL or "local", got {shown(value)}',
                   'e.g. "https://api.initdesk.com"')
    return url


def whole_number(value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail(f"must be a whole number >= {minimum}, got {shown(value)}")
    return value


def markdown_dialect(value: Any) -> tuple[str, ...]:
    """The extensions named, each known, in canonical order (the order written, and
    repeats, change nothing: the list is part of cache and render keys)."""
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise fail("must be a list of extension names",
                   f"known: {', '.join(MARKDOWN_EXTENSIONS)}")
    for name in value:
        if name not in MARKDOWN_EXTENSIONS:
            guess = did_you_mean(name, MARKDOWN_EXTENSIONS)
            raise fail(f"unknown Markdown extension {shown(name)}",
                       f"did you mean {guess!r}?" if guess
                       else f"known: {', '.join(MARKDOWN_EXTENSIONS)}")
    return tuple(name for name in MARKDOWN_EXTENSIONS if name in value)


def heading_id_scheme(value: Any) -> str:
    """One of the heading-id schemes, as named."""
    schemes = ", ".join(f'"{name}"' for name in HEADING_IDS)
    if not isinstance(value, str):
        raise fail(f"must be a string, got {shown(value)}", f"known: {schemes}")
    if value not in HEADING_IDS:
        guess = did_you_mean(value, tuple(HEADING_IDS))
        raise fail(f"unknown heading-id scheme {shown(value)}",
                   f"did you mean {guess!r}?" if guess else f"known: {schemes}")
    return value


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RemoteTable(_Table):
    base_url: str | None = None
    organization_id: int | None = None
    requests_per_minute: int | None = None

    @field_validator("base_url", mode="before")
    @classmethod
    def _base_url(cls, value: Any) -> str | None:
        return None if value is None else base_url(value)

    @field_validator("organization_id", mode="before")
    @classmethod
    def _organization(cls, value: Any) -> int | None:
        return None if value is None else whole_number(value, 1)

    @field_validator("requests_per_minute", mode="before")
    @classmethod
    def _rpm(cls, value: Any) -> int | None:
        return None if value is None else whole_number(value, 0)


#: The largest file read as an article (or _collection.yaml) unless kbsync.toml says
#: otherwise: help articles are a few KB; a bigger file is a mistake or an attack.
DEFAULT_MAX_ARTICLE_BYTES = 1 << 20


class ContentTable(_Table):
    extra_keys: tuple[str, ...] = ()
    assets_base_url: str | None = None
    markdown: tuple[str, ...] = DEFAULT_MARKDOWN

    heading_ids: str = DEFAULT_HEADING_IDS

    @field_validator("markdown", mode="before")
    @classmethod
    def _markdown(cls, value: Any) -> tuple[str, ...]:
        return markdown_dialect(value)

    @field_validator("heading_ids", mode="before")
    @classmethod
    def _heading_ids(cls, value: Any) -> str:
        return heading_id_scheme(value)
    max_article_bytes: int | None = None

    @field_validator("max_article_bytes", mode="before")
    @classmethod
    def _max_article_bytes(cls, value: Any) -> int | None:
        return None if value is None else whole_number(value, 1)

    @field_validator("extra_keys", mode="before")
    @classmethod
    def _extra_keys(cls, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
            raise fail("must be a list of strings", 'e.g. ["owner"]')
        return tuple(value)

    @field_validator("assets_base_url", mode="before")
    @classmethod
    def _assets(cls, value: Any) -> str | None:
        return None if value is None else http_url(value, RAW_URL_EXAMPLE) + "/"


RAW_URL_EXAMPLE = "https://raw.githubusercontent.com/acme/kb/main/"


def http_url(value: Any, example: str) -> str:
    """An http(s) URL, without its trailing slash."""
    if not isinstance(value, str):
        raise fail(f"must be a string, got {shown(value)}")
    if not value.strip().startswith(("http://", "https://")):
        raise fail(f"must be an http(s) URL, got {shown(value)}", f'e.g. "{example}"')
    return value.strip().rstrip("/")


class AssetsTable(_Table):
    """Where the files articles link to (images, documents) are published.

    ``publish`` names a store (``s3://bucket/prefix``, any S3-compatible one) that
    kbsync uploads to, and ``public_url`` the address readers load its objects from;
    ``base_url`` instead names where they are served already (a public repository's
    raw URL: the older ``[content] assets_base_url``, which still works).
    """

    publish: str | None = None
    public_url: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    base_url: str | None = None
    max_bytes: int | None = None

    @field_validator("publish", mode="before")
    @classmethod
    def _publish(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise fail(f"must be a string, got {shown(value)}")
        try:
            return str(parse_location(value))
        except ValueError as exc:
            raise fail(f"{exc}, got {shown(value)}", 'e.g. "s3://acme-help/kb"') from None

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, value: Any) -> str | None:
        return None if value is None else http_url(value, "https://help-assets.acme.com/kb")

    @field_validator("endpoint_url", mode="before")
    @classmethod
    def _endpoint_url(cls, value: Any) -> str | None:
        return None if value is None else http_url(
            value, "https://ACCOUNT_ID.r2.cloudflarestorage.com")

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and value.strip()):
            return None if value is None else value.strip()
        raise fail(f"must be a region name, got {shown(value)}", 'e.g. "eu-west-1"')

    @field_validator("base_url", mode="before")
    @classmethod
    def _base_url(cls, value: Any) -> str | None:
        return None if value is None else http_url(value, RAW_URL_EXAMPLE) + "/"

    @field_validator("max_bytes", mode="before")
    @classmethod
    def _max_bytes(cls, value: Any) -> int | None:
        return None if value is None else whole_number(value, 1)


class ApplyTable(_Table):
    max_deletes: int | None = None
    on_delete: OnDelete = "delete"

    @field_validator("max_deletes", mode="before")
    @classmethod
    def _max_deletes(cls, value: Any) -> int | None:
        return None if value is None else whole_number(value, 0)

    @field_validator("on_delete", mode="before")
    @classmethod
    def _on_delete(cls, value: Any) -> OnDelete:
        for choice in ON_DELETE:
            if value == choice:
                return choice
        choices = " | ".join(f'"{choice}"' for choice in ON_DELETE)
        guess = did_you_mean(value, ON_DELETE) if isinstance(value, str) else None
        raise fail(f"must be one of {choices}, got {shown(value)}",
                   f"did you mean {guess!r}?" if guess else
                   "what apply does in initdesk to an article whose file was deleted")


class KbsyncToml(_Table):
    remote: RemoteTable = RemoteTable()
    content: ContentTable = ContentTable()
    apply: ApplyTable = ApplyTable()
    assets: AssetsTable = AssetsTable()


SECTIONS: dict[str, type[_Table]] = {"remote": RemoteTable, "content": ContentTable,
                                     "apply": ApplyTable, "assets": AssetsTable}


def unknown(loc: tuple[str, ...]) -> tuple[str, str | None]:
    """The problem of a table or key kbsync.toml does not have: "did you mean" the
    closest name (or the table a key belongs to), else the known ones."""
    if len(loc) == 1:
        guess = did_you_mean(loc[0], SECTIONS)
        return "unknown section", (f"did you mean [{guess}]?" if guess
                                   else f"known: {', '.join(SECTIONS)}")
    table = SECTIONS.get(loc[0])
    names = sorted(table.model_fields) if table is not None else []
    home = next((section for section, other in SECTIONS.items()
                 if loc[1] in other.model_fields), None)
    if home is not None:
        return "unknown key", f"it belongs under [{home}]"
    guess = did_you_mean(loc[1], names)
    return "unknown key", (f"did you mean {guess!r}?" if guess is not None
                           else f"known: {', '.join(names)}")
