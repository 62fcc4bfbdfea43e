"""Fingerprints: short, stable hashes of what was synced.

The remote fingerprint covers only the fields kbsync manages, so a web-UI edit to any of
them (and nothing else) shows up as drift. The local one is a git blob id, so the exact
bytes of a file as last synced can be looked up in git objects.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from kbsync.model import ArticleFields, CollectionFields, PortalSettings


def blob_id(data: bytes) -> str:
    """The id git gives this content as a blob (``git hash-object``)."""
    header = f"blob {len(data)}\0".encode()
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


def fields_fingerprint(fields: ArticleFields | CollectionFields | PortalSettings) -> str:
    """The fields are flat: no ``asdict`` deep copy (a fingerprint encodes both bodies,
    so callers that need one several times keep it: ``pull.layout.Placed``).

    The text hashed is ``json.dumps(..., ensure_ascii=False)`` forever; when every value
    is plain ASCII, ``ensure_ascii=True`` writes the same text and takes half the time
    (a no-op plan of 10,000 articles hashes every remote body).
    """
    values = {f.name: getattr(fields, f.name) for f in dataclasses.fields(fields)}
    ascii_only = all(_same_in_ascii(value) for value in values.values())
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=ascii_only)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def _same_in_ascii(value: object) -> bool:
    """JSON spells ``value`` the same with ``ensure_ascii`` on or off: not a string, or
    one of ASCII without DEL (the one ASCII character ``ensure_ascii`` escapes)."""
    if isinstance(value, str):
        return value.isascii() and "\x7f" not in value
    return value is None or isinstance(value, int | float)
