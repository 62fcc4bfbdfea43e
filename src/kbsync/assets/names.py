"""Content-addressed names: the same bytes under the same path get the same name, always.

A published file is named after its path and the start of the SHA-256 of its bytes:
``images/invoice.png`` becomes ``images/invoice.3f2a9c1d0b4e77aa.png``. So

* an unchanged image is never uploaded twice (its name is in the lock, or the store
  has it already);
* a changed image gets a new name and so a new URL: no cache, CDN or browser anywhere
  can show the old picture under an article that means the new one, and articles
  published before keep the picture they were written for;
* ``pull`` reads the local path back out of a published URL (:func:`path_of_name`).

16 hex characters are 64 bits: two versions of one file's path do not collide.
"""

from __future__ import annotations

import hashlib
import posixpath
import re

__all__ = ["HASH_CHARS", "content_digest", "object_name", "path_of_name"]

HASH_CHARS = 16
_NAMED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_CHARS}}})(?P<ext>\.[^./]+)?$")


def content_digest(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex: what the name and the lock record."""
    return hashlib.sha256(data).hexdigest()


def object_name(path: str, digest: str) -> str:
    """The name ``path`` (root-relative, ``/``-separated) is published under: the hash
    goes before the extension, so the name keeps the type a browser or CDN reads."""
    folder, base = posixpath.split(path)
    stem, ext = posixpath.splitext(base)
    return posixpath.join(folder, f"{stem or base}.{digest[:HASH_CHARS]}{ext if stem else ''}")


def path_of_name(name: str) -> str | None:
    """The local path a published name was made from, or None when it is not one."""
    folder, base = posixpath.split(name)
    found = _NAMED.match(base)
    if found is None:
        return None
    return posixpath.join(folder, found["stem"] + (found["ext"] or ""))
