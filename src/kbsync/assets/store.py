"""The asset store: where ``[assets] publish`` puts the files articles link to.

A store answers two questions and does one thing, which is all publishing needs:
whether an object of a content-addressed name is there (a HEAD, asked only for names
the lock does not know), and putting one. :func:`open_store` makes the store the
settings name; only S3-compatible stores exist today (AWS S3, Cloudflare R2, MinIO,
Google Cloud Storage's S3 interface), through boto3, which the core install leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from kbsync.errors import AssetStoreError, ConfigError

__all__ = ["INSTALL_HINT", "AssetStore", "StoreLocation", "open_store", "parse_location"]

INSTALL_HINT = "pip install 'kbsync[s3]'"


class AssetStore(Protocol):
    @property
    def location(self) -> str:
        """``s3://bucket/prefix``: what the lock records its uploads under."""
        ...

    def has(self, name: str) -> bool:
        """Whether the object ``name`` (under the prefix) exists."""
        ...

    def put(self, name: str, data: bytes, content_type: str) -> None:
        """Store ``data`` as ``name``, served with ``content_type``."""
        ...


@dataclass(frozen=True, slots=True)
class StoreLocation:
    bucket: str
    prefix: str  # no leading or trailing "/"; "" for the bucket's top

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name


def parse_location(value: str) -> StoreLocation:
    """``s3://bucket/prefix`` -> its parts; ValueError saying what is wrong otherwise."""
    parts = urlsplit(value.strip())
    if parts.scheme != "s3":
        raise ValueError("must be an s3:// URL (any S3-compatible store)")
    if not parts.netloc or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError("must be s3://BUCKET or s3://BUCKET/PREFIX")
    return StoreLocation(parts.netloc, parts.path.strip("/"))


def open_store(publish: str, *, endpoint_url: str | None = None,
               region: str | None = None) -> AssetStore:
    """The store ``publish`` names, connected on its first question: a plan whose files
    the lock knows asks none, and so needs neither boto3 nor credentials. Without boto3,
    that first question is one line saying what to install."""
    try:
        location = parse_location(publish)
    except ValueError as exc:
        raise ConfigError(f"kbsync.toml: assets.publish: {exc}") from None
    return _Lazy(location, endpoint_url, region)


class _Lazy:
    def __init__(self, where: StoreLocation, endpoint_url: str | None,
                 region: str | None) -> None:
        self.where = where
        self.endpoint_url = endpoint_url
        self.region = region
        self._store: AssetStore | None = None

    @property
    def location(self) -> str:
        return str(self.where)

    def has(self, name: str) -> bool:
        return self._open().has(name)

    def put(self, name: str, data: bytes, content_type: str) -> None:
        self._open().put(name, data, content_type)

    def _open(self) -> AssetStore:
        if self._store is None:
            try:
                from kbsync.assets.s3 import S3Store
            except ImportError:
                raise AssetStoreError(
                    f"[assets] publish = \"{self.where}\" needs boto3, which the core "
                    f"install leaves out: {INSTALL_HINT}") from None
            self._store = S3Store(self.where, endpoint_url=self.endpoint_url,
                                  region=self.region)
        return self._store
