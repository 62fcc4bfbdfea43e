"""A local file published for readers (an image, a document), as plan and apply see it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ASSET_FIELDS", "LocalAsset"]

#: What a plan's asset change carries (its fields): enough for apply to upload it and
#: to check that the file is still the one planned.
ASSET_FIELDS = ("name", "bytes", "content_type", "sha256")


@dataclass(frozen=True, slots=True)
class LocalAsset:
    path: str  # root-relative, as articles link to it
    name: str  # its content-addressed name in the store (``assets.names``)
    digest: str  # SHA-256 of its bytes
    size: int
    content_type: str
