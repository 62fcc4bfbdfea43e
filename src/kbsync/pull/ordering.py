"""The order of siblings after a pull: said by file names, a ``position:`` only when the
names cannot say it.

A file that writes no position takes its place among its siblings by name
(``plan.order``). So when the Help Center's order differs from the names', pull (and
``init --from-remote``) renames the files of that folder with numbered prefixes in the
Help Center's order (``01-welcome.md``, ``02-create-your-account.md``), which keep the
slugs (the number is not part of them): positions stay implicit, and a file added later
never shares a written position with a sibling. Files not in the Help Center yet keep
their place among the others.

A folder where a file writes its own ``position:`` (the team chose numbers) keeps its
names, and so does one where a numbered name would clash with a file already there or
be ignored: there the files that need it write their position (``positions_to_pin``).
"""

from __future__ import annotations

import os
import posixpath
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path

from kbsync.local.fields import strip_number
from kbsync.local.ignore import IgnoreRules
from kbsync.local.tree import ARTICLE_SUFFIX, LocalArticle, LocalCollection, LocalTree
from kbsync.model import (
    ActualState,
    ArticleFields,
    CollectionFields,
    RemoteArticle,
    RemoteCollection,
)
from kbsync.plan.order import Sibling, in_place, local_order, positions_to_pin
from kbsync.pull.layout import Layout, Names, Placed, folder_indexes

__all__ = ["numbered_names", "pins", "sibling_groups"]


@dataclass(frozen=True)
class _Member:
    """One sibling: its order data, and what a new name would be given for."""

    sibling: Sibling
    remote_id: int | None
    local_key: str | None  # a file only here (not in the Help Center): its key now
    on_disk: bool  # a file (or folder) that exists: renaming it is a change to review


def sibling_groups(layout: Layout, tree: LocalTree, actual: ActualState,
                   pruned: Iterable[str] = ()) -> dict[str, list[Sibling]]:
    """Every file (or folder) after the pull, grouped by what it is ordered among: its
    parent folder's key, plus ``/`` for folders (files and folders are ordered apart)."""
    groups: dict[str, list[Sibling]] = {}
    for group, member in _members(layout, tree, actual, set(pruned)):
        groups.setdefault(group, []).append(member.sibling)
    return groups


def pins(groups: Mapping[str, list[Sibling]]) -> dict[str, int]:
    """Final key -> the position its file must write, so that the files order their
    siblings the way the Help Center does: only where the names do not already."""
    out: dict[str, int] = {}
    for siblings in groups.values():
        out.update(positions_to_pin(siblings))
    return out


def numbered_names(root: Path, layout: Layout, tree: LocalTree,
                   actual: ActualState) -> Names:
    """Numbered names for the folders whose names do not give the Help Center's order,
    where that can be done (see the module's docstring)."""
    groups: dict[str, list[_Member]] = {}
    for group, member in _members(layout, tree, actual, set()):
        groups.setdefault(group, []).append(member)
    rules, _ = IgnoreRules.load(root)
    names = Names()
    for group, members in groups.items():
        siblings = [m.sibling for m in members]
        pinned = positions_to_pin(siblings)
        if not pinned or any(s.explicit is not None for s in siblings):
            continue
        if any(m.on_disk for m in members) and _out_of_reach(pinned, len(siblings)):
            continue  # a few positions beyond every name's place: cheaper than renames
        renamed = _renamed(members, is_dir=group.endswith("/"))
        folder = group.rstrip("/")
        if _fits(root, layout, folder, renamed, members, rules, is_dir=group.endswith("/")):
            for member in members:
                name = renamed[member.sibling.key]
                if member.remote_id is None:
                    assert member.local_key is not None
                    names.local[member.local_key] = name
                elif group.endswith("/"):
                    names.collections[member.remote_id] = name
                else:
                    names.articles[member.remote_id] = name
    return names


def _out_of_reach(pinned: Mapping[str, int], count: int) -> bool:
    """Positions no sibling's place by name can share (each at least the number of
    siblings, and no two alike): pinning them warns of nothing, now or when a file or
    two are added (a collection created last in initdesk: ``position: 5``)."""
    values = list(pinned.values())
    return min(values) >= count and len(set(values)) == len(values)


def _renamed(members: list[_Member], *, is_dir: bool) -> dict[str, str]:
    """Key -> ``NN-name``, numbered in the Help Center's order; a file not there keeps its
    place after the sibling it follows now."""
    siblings = [m.sibling for m in members]
    by_key = {s.key: s for s in siblings}
    present = sorted((s for s in siblings if s.remote is not None),
                     key=lambda s: (s.remote, s.remote_id or 0))
    leading: list[str] = []
    following: dict[str, list[str]] = {}
    anchor: str | None = None
    for key in local_order(siblings):
        if by_key[key].remote is not None:
            anchor = key
        else:
            (following.setdefault(anchor, []) if anchor is not None else leading).append(key)
    final = leading + list(chain.from_iterable([s.key, *following.get(s.key, [])]
                                               for s in present))
    width = max(2, len(str(len(final))))
    suffix = "" if is_dir else ARTICLE_SUFFIX
    out = {}
    for number, key in enumerate(final, start=1):
        stem = posixpath.basename(key).removesuffix(suffix)
        out[key] = f"{number:0{width}d}-{strip_number(stem)}{suffix}"
    return out


def _fits(root: Path, layout: Layout, folder: str, renamed: Mapping[str, str],
          members: list[_Member], rules: IgnoreRules, *, is_dir: bool) -> bool:
    """The new names order the members as wanted, are not ignored, and clash with no
    other name in the folder (case folded, as macOS and Windows see names)."""
    ordered = [replace(m.sibling, index=i) for i, m in enumerate(
        sorted(members, key=lambda m: _number(renamed[m.sibling.key])))]
    if positions_to_pin(ordered):
        return False
    now = {_folded(posixpath.basename(key)): key for key in renamed}
    others = {_folded(name) for name in _on_disk(root, layout, folder)} - set(now)
    for key, name in renamed.items():
        folded = _folded(name)
        if folded in others or now.get(folded, key) != key or rules.is_ignored(
                f"{folder}/{name}" if folder else name, is_dir=is_dir):
            return False  # a name taken (by another sibling too: one move would overwrite)
    return True


def _number(name: str) -> int:
    return int(name.split("-", 1)[0])


def _on_disk(root: Path, layout: Layout, folder: str) -> list[str]:
    """Names in the final ``folder`` as it is on disk now (nothing for a new folder)."""
    source = next((old for old, new in layout.folders.items() if new == folder),
                  "" if not folder else None)
    if source is None:
        return []
    try:
        return os.listdir(root / source if source else root)
    except OSError:
        return []


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


# -- the siblings --------------------------------------------------------------------------


def _members(layout: Layout, tree: LocalTree, actual: ActualState,
             pruned: set[str]) -> Iterator[tuple[str, _Member]]:
    collection_at = {p.key: remote_id for remote_id, p in layout.collections.items()}
    yield from _each(layout.files, layout.articles, tree.article, actual.articles,
                     collection_at, pruned, group_suffix="")
    yield from _each(layout.folders, layout.collections, tree.collection, actual.collections,
                     collection_at, pruned, group_suffix="/")


def _each(moves: Mapping[str, str], placed: Mapping[int, Placed],
          local_of: Callable[[str], LocalArticle | LocalCollection | None],
          remotes: Mapping[int, RemoteArticle] | Mapping[int, RemoteCollection],
          collection_at: Mapping[str, int], pruned: set[str], *,
          group_suffix: str) -> Iterator[tuple[str, _Member]]:
    keys = [new for old, new in moves.items() if old not in pruned]
    keys += [p.key for p in placed.values() if p.local_key is None]
    placed_at = {p.key: p for p in placed.values()}
    local_at = {new: (old, local_of(old)) for old, new in moves.items()}
    for key, index in folder_indexes(keys).items():
        found = placed_at.get(key)
        old, local = local_at.get(key, (None, None))
        remote = remotes[found.remote_id] if found is not None else None
        parent = posixpath.dirname(key)
        sibling = _sibling(
            key, index, local.position if local and local.explicit_position else None,
            remote.fields if remote else None, remote.id if remote else None,
            collection_at.get(parent) if parent else None,
            found is not None and found.remote_changed)
        yield f"{parent}{group_suffix}", _Member(
            sibling, remote.id if remote else None, old if remote is None else None,
            on_disk=old is not None)


def _sibling(key: str, index: int, explicit: int | None,
             remote: ArticleFields | CollectionFields | None, remote_id: int | None,
             parent_id: int | None, remote_changed: bool) -> Sibling:
    """One file or folder among its siblings after this pull.

    A remote item counts as here by plan's rule (``order.in_place``): its remote parent
    is this folder's collection (a local move not applied yet is plan's business). A
    file that writes a position will write the remote one when initdesk changed it.
    """
    if remote is None:
        return Sibling(key, index, explicit)
    remote_parent = (remote.collection_id if isinstance(remote, ArticleFields)
                     else remote.parent_id)
    here = in_place(remote_parent, parent_id, top_level="/" not in key)
    if explicit is not None and remote_changed:
        explicit = remote.position
    return Sibling(key, index, explicit, remote.position if here else None, remote_id)
