"""Which files beside the articles readers may be shown: images and documents, by type.

An article may link to any file of the repository, and ``watch`` serves the files
articles link to. That must never make the preview (reachable from other machines with
``--host``) serve what readers never see: kbsync's settings and state, the team's
customer tickets, the repository's own files. One rule, asked by the preview before it
serves a file and by ``validate`` to warn about such a link:

* a file is served only by type: :data:`ASSET_TYPES` (images, PDF, office documents,
  text, archives, audio and video), and the type comes from our table, not from
  guessing;
* a private file never is, whatever it is called or linked as: kbsync.toml, kbsync.lock,
  portal.yaml, coverage.yaml, tickets.json, README.md and .kbsyncignore at the root,
  and anything hidden (``.git/``, ``.kbsync/``, ``.env``), judged on the path asked for
  and on where a symbolic link really leads.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable
from pathlib import Path

from kbsync.assets.names import content_digest, object_name
from kbsync.config import CONFIG_FILE, COVERAGE_FILE, LOCK_FILE, PORTAL_FILE
from kbsync.local.ignore import IGNORE_FILE, IgnoreRules
from kbsync.local.reading import inside
from kbsync.local.walk import MAX_SCAN_DEPTH, walk
from kbsync.model import LocalAsset

__all__ = ["ASSET_TYPES", "PRIVATE_FILES", "asset_file", "asset_type", "linkable_files",
           "private_reason", "published_assets"]

#: File extension (lower case) -> the MIME type the preview sends it with.
ASSET_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".svg": "image/svg+xml",
    ".bmp": "image/bmp", ".ico": "image/vnd.microsoft.icon",
    ".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8", ".csv": "text/csv",
    ".rtf": "application/rtf", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".epub": "application/epub+zip", ".zip": "application/zip",
    ".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime",
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg", ".wav": "audio/wav",
}
#: The root's files that belong to kbsync or the team, never to readers.
PRIVATE_FILES = {
    CONFIG_FILE: "kbsync's settings", LOCK_FILE: "kbsync's lock",
    PORTAL_FILE: "the portal settings", COVERAGE_FILE: "the coverage questions",
    "tickets.json": "customer tickets", "README.md": "the repository's README",
    IGNORE_FILE: "kbsync's ignore rules",
}


def asset_type(rel: str) -> str | None:
    """The MIME type a file of this name is served with, or None: not served by type."""
    return ASSET_TYPES.get(posixpath.splitext(rel)[1].lower())


def private_reason(rel: str) -> str | None:
    """What the root-relative ``rel`` is when readers must never get it ("customer
    tickets", "a hidden file or folder"), else None."""
    if rel in PRIVATE_FILES:
        return PRIVATE_FILES[rel]
    return "a hidden file or folder" if any(p.startswith(".") for p in rel.split("/")) else None


def asset_file(root: Path, rel: str) -> tuple[Path, str] | None:
    """``(the real file, its MIME type)`` when ``root/rel`` may be shown to readers: a
    regular file of an asset type, not private, inside ``root`` once symbolic links
    are followed, and just as much an asset where they lead. None otherwise."""
    parts = rel.split("/")
    if (not rel or "\\" in rel or "\0" in rel or any(part in ("", ".", "..") for part in parts)
            or private_reason(rel) or asset_type(rel) is None):
        return None
    base = os.path.realpath(root)
    real = os.path.realpath(os.path.join(base, rel))
    if real == base or not inside(real, base):
        return None
    real_rel = os.path.relpath(real, base).replace(os.sep, "/")
    if private_reason(real_rel) or asset_type(real_rel) is None:
        return None  # an image-looking link to kbsync.toml, .git/config, notes.sh
    try:
        if not stat.S_ISREG(os.stat(real).st_mode):
            return None
    except OSError:
        return None
    return Path(real), asset_type(real_rel) or ""


def linkable_files(root: Path) -> list[str]:
    """Every file under ``root`` an article may link to for readers (what
    :func:`asset_file` accepts), root-relative and sorted: not hidden, not matched by
    .kbsyncignore, not kbsync's or the team's own. ``validate --unused`` lists those no
    article links to; the editor completes image links from it."""
    rules, _ = IgnoreRules.load(root)  # its problems are the tree read's to report
    found = []

    def enter(rel: str) -> bool:
        return private_reason(rel) is None and not rules.is_ignored(rel, is_dir=True)

    for folder in walk(root, max_depth=MAX_SCAN_DEPTH, enter=enter):
        for entry in folder.files:
            rel = f"{folder.rel}/{entry.name}" if folder.rel else entry.name
            if not rules.is_ignored(rel, is_dir=False) and asset_file(root, rel) is not None:
                found.append(rel)
    return sorted(found)


def published_assets(root: Path, paths: Iterable[str]) -> dict[str, LocalAsset]:
    """The files at ``paths`` (root-relative, as articles link to them) that are
    published to a store, each read and hashed once: what :func:`asset_file` accepts,
    so the store gets exactly what the preview serves and nothing private. A path that
    is missing or not publishable is left out (validate reports it)."""
    out: dict[str, LocalAsset] = {}
    for rel in sorted(set(paths)):
        found = asset_file(root, rel)
        if found is None:
            continue
        real, content_type = found
        try:
            data = real.read_bytes()
        except OSError:
            continue  # gone since the check: the next run sees why
        digest = content_digest(data)
        out[rel] = LocalAsset(rel, object_name(rel, digest), digest, len(data), content_type)
    return out
