"""Pull's decision for collections: folders moved, ``_collection.yaml`` written or merged.

A folder is a collection whether or not it holds a ``_collection.yaml``; the file is
written when the collection is new here, when initdesk changed it (three-way, as for an
article), or when its position must be written (``pull.ordering``). A folder that keeps
no article after this pull is deleted only by ``--prune`` of a collection deleted in
initdesk. No writes here.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from functools import partial

from kbsync.fingerprint import blob_id
from kbsync.local.tree import COLLECTION_FILE
from kbsync.pull.decision import ACTIONS, FileChange, Pass, PullResult, Source
from kbsync.pull.layout import Placed
from kbsync.pull.writer import collection_text, pin_collection_position

__all__ = ["CollectionDecider"]


class CollectionDecider:
    """Every collection of one pass, and the folders that move."""

    def __init__(self, p: Pass) -> None:
        self.p = p

    def skipped(self, result: PullResult) -> None:
        """Warn of remote collections with no article in their folder here."""
        for remote in self.p.layout.skipped:
            result.warnings.append(
                f"collection {remote.fields.slug!r} has no article in its folder here: "
                "its folder is not written (`kbsync apply --prune` deletes it)")

    # -- deletions -----------------------------------------------------------------------

    def deleted_remotely(self, result: PullResult) -> None:
        """Folders of collections deleted in initdesk: reported and kept, or with
        ``--prune`` forgotten, and deleted once no article stays in them."""
        p = self.p
        live_folders = {placed.local_key for placed in p.layout.collections.values()}
        for collection in p.tree.collections:
            found = p.matching.collections[collection.key]
            if collection.key in live_folders or not found.recreated:
                continue
            if not p.options.prune:
                result.deleted_remotely.append(collection.key + "/")
                continue
            p.later(partial(p.lock.remove, "collections", collection.slug))
            if self._emptied(collection.key):
                p.pruned.add(collection.key)
                result.changes.append(FileChange("deleted", p.layout.folders[collection.key],
                                                 kind="collection"))
            else:
                result.deleted_remotely.append(collection.key + "/")

    def deleted_here(self, result: PullResult) -> None:
        self.p.deleted_here("collections", self.p.layout.gone_collections, "/", result)

    def _holds_articles(self, final_folder: str) -> bool:
        """Some article is in ``final_folder`` (a final key) or below it after this pull."""
        prefix = final_folder + "/"
        layout = self.p.layout
        return any(new.startswith(prefix) for old, new in layout.files.items()
                   if old not in self.p.pruned) or any(
            placed.key.startswith(prefix) for placed in layout.articles.values())

    def _emptied(self, folder: str) -> bool:
        """No article stays in ``folder`` or below it after this pull."""
        prefix = folder + "/"
        layout = self.p.layout
        staying = [old for old, new in layout.files.items()
                   if old.startswith(prefix) and old not in self.p.pruned
                   and new.startswith(prefix)]
        return not staying and not any(
            placed.key.startswith(prefix) for placed in layout.articles.values())

    # -- folders -------------------------------------------------------------------------

    def folder_moves(self, result: PullResult) -> None:
        """Own folder moves, parents first; each from where it is once its parent moved."""
        moving = [placed for placed in self.p.layout.collections.values() if placed.own_move]
        for placed in sorted(moving, key=lambda placed: (placed.local_key or "").count("/")):
            assert placed.local_key is not None
            here = self.p.along(placed.local_key)
            if here != placed.key:
                result.folder_moves.append((here, placed.key))

    def decide_all(self, result: PullResult) -> None:
        for placed in sorted(self.p.layout.collections.values(), key=lambda placed: placed.key):
            self.decide(placed, result)

    def decide(self, placed: Placed, result: PullResult) -> None:
        p = self.p
        remote = p.actual.collections[placed.remote_id]
        path = f"{placed.key}/{COLLECTION_FILE}"
        pinned = placed.key in p.pins
        name = posixpath.basename(placed.key)
        if placed.local_key is None:
            data = collection_text(remote.fields, name=name, pinned=pinned).encode("utf-8")
            result.changes.append(FileChange("new", path, data, kind="collection"))
            p.lock_synced("collections", remote.fields.slug, remote.id, remote.updated_at,
                          placed.key, placed.fingerprint, data)
            return
        local = p.tree.collection(placed.local_key)
        assert local is not None
        old_path = f"{placed.local_key}/{COLLECTION_FILE}"
        raw = p.read(old_path)
        decoded = Source.decode(raw) if raw is not None else Source("")
        if decoded is None:
            result.warnings.append(f"{old_path}: not UTF-8 text; left alone")
            return
        if raw is None and not self._holds_articles(placed.key):
            # Its last article leaves (moved or deleted in initdesk): the collection stays
            # in initdesk, so it stays here as a folder (a deleted one would be deleted).
            data = collection_text(remote.fields, name=name, pinned=pinned).encode("utf-8")
            result.changes.append(FileChange("new", path, data, kind="collection"))
            p.lock_synced("collections", remote.fields.slug, remote.id, remote.updated_at,
                          p.lock_path(placed), placed.fingerprint, data)
            return
        current = decoded
        if not placed.remote_changed:
            self._pin(placed, current, "position" in local.lines, path, result)
            return
        entry = placed.entry
        dirty = old_path in p.dirty
        base: str | None = None
        if entry is not None and entry.local == blob_id(raw or b""):
            base = current.text
        elif entry is not None and (base_raw := p.bases.get(entry.local)) is not None \
                and (old := Source.decode(base_raw)) is not None:
            base = old.text
        elif not dirty:  # no base was recorded (apply made the entry): trust a clean file
            base = current.text
        theirs = collection_text(remote.fields, name=name, pinned=pinned,
                                 template=(base if base is not None else current.text) or None)
        outcome = p.three_way(path, base, current.text, theirs, dirty, result)
        if outcome is None:
            return
        text, how = outcome
        if text != current.text:
            result.changes.append(FileChange(ACTIONS[how], path, current.encode(text),
                                             kind="collection"))
        p.lock_synced("collections", remote.fields.slug, remote.id, remote.updated_at,
                      p.lock_path(placed), placed.fingerprint, current.encode(theirs))

    def _pin(self, placed: Placed, current: Source, explicit: bool, path: str,
             result: PullResult) -> None:
        """Remote unchanged: pin the position if the folders' names no longer give the
        Help Center's order (a new or moved sibling folder)."""
        p = self.p
        text = current.text
        if not explicit and placed.key in p.pins:
            pinned = pin_collection_position(text, p.pins[placed.key])
            if pinned is not None:
                text = pinned
                result.changes.append(FileChange("adjusted", path, current.encode(text),
                                                 kind="collection"))
        entry = placed.entry
        path = p.lock_path(placed)
        if entry is not None and (path != entry.path or text != current.text):
            clean = entry.local is not None and entry.local == blob_id(current.encode(
                current.text))
            local = p.bases.put(current.encode(text)) if clean else entry.local
            p.relock("collections", p.actual.collections[placed.remote_id].fields.slug,
                     replace(entry, path=path, local=local))
