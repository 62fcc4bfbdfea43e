"""Typed reads of front-matter and ``_collection.yaml`` fields, checked against the contract.

Every bad value becomes a Problem at the key's line and the read falls back to a
default, so one pass reports every problem of a file and the tree is still complete
(the live preview keeps working while a file has errors). The limits are the initdesk
contract's (shared/initdesk-contract.md); ``local`` does not import ``remote``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from kbsync.local.frontmatter import YamlMapping
from kbsync.model import STATUSES, Status
from kbsync.problems import Problem

TITLE_MAX = 255
NAME_MAX = 255
SLUG_MAX = 255
EXCERPT_MAX = 500
DESCRIPTION_MAX = 1000
MAX_DEPTH = 3
DEFAULT_STATUS: Status = "published"

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NUMBER_PREFIX = re.compile(r"^\d+[-_]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

ARTICLE_KEYS = ("title", "slug", "excerpt", "status", "position")
COLLECTION_KEYS = ("name", "slug", "description", "position")


def strip_number(name: str) -> str:
    """``01-welcome`` -> ``welcome``: the ordering prefix is not part of the name."""
    stripped = _NUMBER_PREFIX.sub("", name, count=1)
    return stripped or name


def slugify(text: str) -> str:
    """A contract-valid slug for ``text`` (accents folded, everything else a dash)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:SLUG_MAX].strip("-")


def humanise(name: str) -> str:
    """``02-getting_started`` -> ``Getting started``: a folder name as a reader sees it."""
    words = re.sub(r"[-_]+", " ", strip_number(name)).strip()
    return words[:1].upper() + words[1:] if words else name


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice, for hints; None when nothing is close."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return match[0] if match else None


class FieldReader:
    """Reads one mapping's fields; problems go to ``problems`` with the key's line."""

    def __init__(self, path: str, meta: YamlMapping, problems: list[Problem]) -> None:
        self.path = path
        self.data = meta.data
        self.lines = meta.lines
        self.readable = meta.readable
        self.problems = problems

    def problem(self, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, message, line=self.lines.get(key), key=key,
                                     hint=hint, identity=key == "slug"))

    def text(self, key: str, *, limit: int) -> str | None:
        """An optional text field; empty counts as absent. Over ``limit`` is a problem."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(key, f"must be text, got {value!r}", f'quote it: {key}: "{value}"')
            return None
        value = value.strip()
        if len(value) > limit:
            self.problem(key, f"is {len(value)} characters long, the limit is {limit}",
                         "shorten it")
        return value or None

    def slug(self, default: str, default_from: str) -> str:
        """The ``slug`` field, else ``default``; both must match the contract's pattern."""
        value = self.data.get("slug")
        if value is None:
            if not default:
                self.problem("slug", f"cannot make a slug from the name {default_from!r}",
                             "set slug: in the front matter, e.g. slug: my-article")
            return default
        if not isinstance(value, str):
            value = str(value)
        if len(value) > SLUG_MAX:
            self.problem("slug", f"is {len(value)} characters long, the limit is {SLUG_MAX}",
                         "shorten it")
        elif not SLUG_RE.match(value):
            suggestion = slugify(value)
            hint = f"use {suggestion!r}" if suggestion else "use a-z, 0-9 and single dashes"
            self.problem("slug", f"{value!r} is not a valid slug (a-z, 0-9 and single dashes)",
                         hint)
        return value

    def status(self) -> Status:
        value = self.data.get("status")
        if value is None:
            return DEFAULT_STATUS
        for status in STATUSES:
            if value == status:
                return status
        self.problem("status", f"must be draft or published, got {value!r}",
                     "draft hides the article from readers, published shows it")
        return DEFAULT_STATUS

    @property
    def has_position(self) -> bool:
        """A valid ``position:`` is written (not the item's index among its siblings)."""
        value: Any = self.data.get("position")
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    def position(self, default: int) -> int:
        value: Any = self.data.get("position")
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem("position", f"must be a whole number >= 0, got {value!r}",
                         "positions order siblings, lowest first")
            return default
        return value

    def unknown_keys(self, known: Iterable[str], extra: Iterable[str]) -> None:
        """Unknown keys are warnings (an error under --strict) with a did-you-mean."""
        known = tuple(known)
        allowed = set(known) | set(extra)
        for key in self.data:
            if key in allowed:
                continue
            guess = did_you_mean(key, known)
            hint = (f"did you mean {guess!r}?" if guess else f"known keys: {', '.join(known)};"
                    " list your own keys in extra_keys under [content]")
            self.problems.append(Problem(self.path, "unknown key", line=self.lines.get(key),
                                         key=key, hint=hint, severity="warning"))
