"""Where readers load a local file from, as the renderer writes it and pull reads it back.

Two homes, from ``[assets]`` in kbsync.toml:

* ``base_url`` (a public repository's raw URL): the path as it is, under that URL;
* ``publish`` + ``public_url`` (a store, e.g. S3 behind a CDN): the file's
  content-addressed name (``names.object_name``) under ``public_url``, so the URL
  changes exactly when the bytes do. The digests come from the engine, which hashes
  each linked file once before rendering.

Plain frozen data, so the render workers get it pickled like the rest of their settings.
The workspace renders with :data:`TEMPLATE` (each file a stand-in, ``kbsync://asset/``)
and each use fills the stand-ins (``plan.links.fill_assets``) with :meth:`AssetHome.url`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from kbsync.assets.names import object_name, path_of_name
from kbsync.plan.links import asset_placeholder

__all__ = ["TEMPLATE", "AssetHome"]


@dataclass(frozen=True, slots=True)
class AssetHome:
    base_url: str | None = None  # with its trailing "/"
    public_url: str | None = None  # without a trailing "/"
    #: root-relative path -> SHA-256 of the bytes, for every file published to the store
    digests: Mapping[str, str] = field(default_factory=dict)
    #: every file as its stand-in (``plan.links.asset_placeholder``), filled per use
    template: bool = False

    @property
    def key(self) -> str:
        """What of this home shapes an article's HTML besides the digests (render key)."""
        return f"publish={self.public_url}" if self.public_url else (self.base_url or "")

    def url(self, path: str) -> str | None:
        """The public URL of the root-relative ``path``; None when it is not published
        (a store's file that is missing, private or of a type readers are not sent)."""
        if self.template:
            return asset_placeholder(path)
        if self.public_url is not None:
            digest = self.digests.get(path)
            if digest is None:
                return None
            return f"{self.public_url}/{quote(object_name(path, digest))}"
        return self.base_url + quote(path) if self.base_url else None

    def path_of(self, url: str) -> str | None:
        """The local path a URL made by :meth:`url` stands for (an older version's URL
        too: the name says the path), or None for any other URL."""
        if self.public_url is not None:
            prefix = self.public_url + "/"
            if not url.startswith(prefix) or len(url) == len(prefix):
                return None
            return path_of_name(unquote(url[len(prefix):].partition("?")[0]))
        if self.base_url and url.startswith(self.base_url) and len(url) > len(self.base_url):
            return unquote(url[len(self.base_url):])
        return None


#: What the workspace renders with: bodies whose files are stand-ins, made once and
#: filled per use (apply: where readers load them; the preview: the folder).
TEMPLATE = AssetHome(template=True)
