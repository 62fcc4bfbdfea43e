"""``init --from-remote`` brings the published files home: the images and documents the
Help Center's articles show from ``[assets]`` are downloaded to the paths their URLs name.

The articles' Markdown links to those paths (the writer turns published URLs back into
them), so the new knowledge base validates and previews at once. A store's file is
checked against the hash in its name before it is written, and recorded in the lock as
published, so the first ``plan`` neither uploads it again nor asks the store about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kbsync.assets.home import AssetHome
from kbsync.assets.names import HASH_CHARS, content_digest, object_name
from kbsync.local.assets import asset_type, private_reason
from kbsync.model import ActualState
from kbsync.problems import clipped

__all__ = ["Downloaded", "download_assets", "published_urls"]

#: Gets a URL's bytes, or None when it cannot (the caller passes its HTTP client).
Fetch = Callable[[str], bytes | None]
_HASHED = re.compile(rf"\.([0-9a-f]{{{HASH_CHARS}}})(?:\.[^./]+)?$")
_URL = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")


@dataclass
class Downloaded:
    names: list[str] = field(default_factory=list)  # store names checked and written
    paths: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def published_urls(actual: ActualState, home: AssetHome) -> dict[str, str]:
    """Local path -> the URL to fetch it from: the first one found, articles by id."""
    found: dict[str, str] = {}
    for remote_id in sorted(actual.articles):
        for url in _URL.findall(actual.articles[remote_id].fields.content_html):
            path = home.path_of(url.replace("&amp;", "&").partition("#")[0])
            if path is not None and path not in found:
                found[path] = url.replace("&amp;", "&").partition("#")[0]
    return found


def download_assets(root: Path, urls: dict[str, str], fetch: Fetch) -> Downloaded:
    """Each file written under ``root``; one that cannot be fetched, whose bytes do not
    match its name, or that readers may not get (a private path, a type not served)
    is a warning, never a stop: validate then names the articles that show it."""
    done = Downloaded()
    for path, url in sorted(urls.items()):
        if private_reason(path) or asset_type(path) is None or ".." in path.split("/"):
            done.warnings.append(f"{clipped(url)}: not downloaded: {clipped(path)} is not a "
                                 "file readers may get")
            continue
        data = fetch(url)
        name = url.rsplit("/", 1)[1]
        hashed = _HASHED.search(name)
        if data is None or (hashed and content_digest(data)[:HASH_CHARS] != hashed[1]):
            done.warnings.append(f"{clipped(url)}: could not be downloaded to {clipped(path)}"
                                 + ("" if data is None else " (its bytes do not match its "
                                    "name)") + "; add the file by hand")
            continue
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        done.paths.append(path)
        if hashed:
            done.names.append(object_name(path, content_digest(data)))
    return done
