"""Uploading a plan's asset changes: the file read again, checked, then put in the store.

The executor runs an asset change through an :class:`AssetUploader`, so it never opens a
file or knows the store's kind. The bytes uploaded must be the bytes planned: a file
edited between ``plan --out`` and ``apply PLANFILE`` has another name by now, and
uploading it under the planned name would publish the wrong picture forever (names are
never reused), so that is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kbsync.assets.names import content_digest
from kbsync.assets.store import AssetStore
from kbsync.errors import KbsyncError
from kbsync.local.assets import asset_file

__all__ = ["AssetUploader", "StoreUploader"]


class AssetUploader(Protocol):
    @property
    def location(self) -> str: ...

    def upload(self, path: str, name: str, digest: str, content_type: str) -> None: ...


class StoreUploader:
    def __init__(self, root: Path, store: AssetStore) -> None:
        self.root = root
        self.store = store

    @property
    def location(self) -> str:
        return self.store.location

    def upload(self, path: str, name: str, digest: str, content_type: str) -> None:
        found = asset_file(self.root, path)
        if found is None:
            raise KbsyncError(f"{path}: planned for upload, but it is gone or no longer a "
                              "file readers may get; run `kbsync plan` again")
        data = found[0].read_bytes()
        if content_digest(data) != digest:
            raise KbsyncError(f"{path}: changed since it was planned (another SHA-256): not "
                              "uploaded; run `kbsync plan` again")
        self.store.put(name, data, content_type)
