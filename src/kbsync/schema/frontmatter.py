"""Article front matter and ``_collection.yaml``: the keys, their types and limits.

The limits are the initdesk contract's (shared/initdesk-contract.md). Every validator
answers in kbsync's words; values that are wrong but still usable for a preview (a title
too long, a slug that is not valid) are kept with the problem.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from kbsync.model import STATUSES, Status
from kbsync.problems import shown
from kbsync.schema.base import fail

__all__ = ["ARTICLE_KEYS", "COLLECTION_KEYS", "POSITION_MAX", "SLUG_MAX", "SLUG_RE",
           "ArticleMeta", "CollectionMeta", "given_text", "key_help", "slugify"]

DEFAULT_STATUS: Status = "published"
TITLE_MAX = 255
NAME_MAX = 255
SLUG_MAX = 255
EXCERPT_MAX = 500
DESCRIPTION_MAX = 1000
#: initdesk stores positions as 32-bit integers.
POSITION_MAX = 2_147_483_647
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LIMITS = {"title": TITLE_MAX, "name": NAME_MAX, "excerpt": EXCERPT_MAX,
           "description": DESCRIPTION_MAX}


def slugify(text: str) -> str:
    """A contract-valid slug for ``text`` (accents folded, everything else a dash)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def given_text(value: str) -> str:
    """Text as written, without the line breaks a YAML block scalar (``|``, ``>``) ends
    with. Spaces are kept: YAML already drops them around a plain value, so any left were
    quoted on purpose (a title padded with no-break spaces in initdesk stays padded)."""
    return value.strip("\r\n")


def _text(value: Any, info: ValidationInfo) -> str | None:
    """Optional text: empty counts as absent; over the limit is a problem (kept)."""
    if value is None:
        return None
    key = str(info.field_name)
    if not isinstance(value, str):
        raise fail(f"must be text, got {shown(value)}", f'quote it: {key}: "{value}"'[:120])
    value = given_text(value)
    limit = _LIMITS[key]
    if len(value) > limit:
        raise fail(f"is {len(value)} characters long, the limit is {limit}", "shorten it",
                   keep=value)
    return value or None


def _slug(raw: Any) -> str | None:
    if raw is None:
        return None
    value = raw if isinstance(raw, str) else str(raw)
    if len(value) > SLUG_MAX:
        raise fail(f"is {len(value)} characters long, the limit is {SLUG_MAX}", "shorten it",
                   keep=value, identity=True)
    if not SLUG_RE.match(value):
        suggestion = slugify(value)
        hint = f"use {shown(suggestion)}" if suggestion else "use a-z, 0-9 and single dashes"
        raise fail(f"{shown(value)} is not a valid slug (a-z, 0-9 and single dashes)", hint,
                   keep=value, identity=True)
    return value


def _position(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(f"must be a whole number >= 0, got {shown(value)}",
                   "positions order siblings, lowest first")
    if value > POSITION_MAX:
        raise fail(f"must be at most {POSITION_MAX:,}, got {value:,}",
                   "initdesk stores positions as 32-bit numbers; number siblings 0, 1, 2...")
    return value


class ArticleMeta(BaseModel):
    """The front matter keys kbsync reads; others are a team's own (``extra_keys``).

    Each field's description is what the key means, then ``Default:`` and what applies
    without it: the one text the README's table, ``kbsync lsp``'s hover and its
    completion show (``key_help``).
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    title: str | None = Field(None, description=(
        "The article's title as readers see it; required one way or the other; "
        "≤ 255 characters. Default: a leading `# Title` line of the body"))
    slug: str | None = Field(None, description=(
        "The last part of the article's public URL: `a-z`, `0-9` and `-`; unique in the "
        "Help Center; the article's identity (write it to keep the URL when the file is "
        "renamed). Default: the file name without `.md` and without a `NN-` prefix"))
    excerpt: str | None = Field(None, description=(
        "One line under the title, in lists and search results; ≤ 500 characters. "
        "Default: none"))
    status: Status | None = Field(None, description=(
        "`draft` hides the article from readers, `published` shows it. "
        "Default: `published`"))
    position: int | None = Field(None, description=(
        "Its order inside the collection, lowest first. "
        "Default: the file's place among its siblings, by name"))

    _text = field_validator("title", "excerpt", mode="before")(_text)
    _slug = field_validator("slug", mode="before")(_slug)
    _position = field_validator("position", mode="before")(_position)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Status | None:
        if value is None:
            return None
        for status in STATUSES:
            if value == status:
                return status
        raise fail(f"must be draft or published, got {shown(value)}",
                   "draft hides the article from readers, published shows it")


class CollectionMeta(BaseModel):
    """``_collection.yaml``: the folder's collection settings."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str | None = None
    slug: str | None = None
    description: str | None = None
    position: int | None = None

    _text = field_validator("name", "description", mode="before")(_text)
    _slug = field_validator("slug", mode="before")(_slug)
    _position = field_validator("position", mode="before")(_position)


ARTICLE_KEYS = tuple(k for k in ArticleMeta.model_fields)
COLLECTION_KEYS = tuple(k for k in CollectionMeta.model_fields)


def key_help(key: str) -> tuple[str, str] | None:
    """``(what the front-matter key means, what applies without it)``, from its field's
    description; None for a key kbsync does not read."""
    field = ArticleMeta.model_fields.get(key)
    if field is None or field.description is None:
        return None
    meaning, _, default = field.description.partition(". Default: ")
    return meaning, default
