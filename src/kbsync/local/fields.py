"""Names: what a file or folder name says when the front matter does not.

``01-welcome.md`` is the article ``welcome``, titled from its ``# H1``; the folder
``02-getting_started`` is the collection ``getting-started``, named "Getting started".
The shapes and limits of the keys themselves are ``kbsync.schema.frontmatter``'s.
"""

from __future__ import annotations

import re

from kbsync.schema.base import did_you_mean
from kbsync.schema.frontmatter import SLUG_RE, slugify

__all__ = ["MAX_DEPTH", "SLUG_RE", "did_you_mean", "humanise", "name_slug", "slugify",
           "strip_number"]

MAX_DEPTH = 3

_NUMBER_PREFIX = re.compile(r"^\d+[-_]")


def strip_number(name: str) -> str:
    """``01-welcome`` -> ``welcome``: the ordering prefix is not part of the name."""
    stripped = _NUMBER_PREFIX.sub("", name, count=1)
    return stripped or name


def name_slug(stem: str) -> str:
    """``01-Welcome`` -> ``welcome``: the slug a file or folder name gives when no
    ``slug:`` is written ("" when the name has nothing to make one from)."""
    return slugify(strip_number(stem))


def humanise(name: str) -> str:
    """``02-getting_started`` -> ``Getting started``: a folder name as a reader sees it."""
    words = re.sub(r"[-_]+", " ", strip_number(name)).strip()
    return words[:1].upper() + words[1:] if words else name
