"""Decide what ``pull`` (and ``init --from-remote``) does to each file. No writes here.

For every article the three texts are: *base*, the file as last synced (the lock's blob
id, see ``pull.bases``); *local*, the file now; *theirs*, the remote article written as
a file, using the base as template so that it differs from the base only where initdesk
changed something. Then:

- remote unchanged since the sync (same fingerprint): the file is left as it is; local
  edits are apply's business;
- only the remote changed (the file is the base): theirs is written;
- both changed: ``git merge-file`` of base, local and theirs; a clean merge is written;
  a conflict leaves the file untouched unless ``on_conflict`` says markers / theirs /
  ours. A file with uncommitted git changes is never overwritten except by a clean merge.

The lock records, per written article, the remote fingerprint and the blob id of
*theirs*: a file that is theirs exactly is then "clean" for the next plan (no render,
no change), and a merged file differs from it, so apply pushes the local half.

Moves and new siblings can shift relative links and default positions; those mechanical
edits (``markdown.relocate``, an explicit ``position:``) are applied to base and local alike,
so they never cause a conflict and never count as a local change.

A managed article or collection whose file or folder was deleted here is a local change
too: it stays deleted (apply deletes it remotely, as ``on_delete`` says). One edited in
initdesk since the last sync is a conflict: deleting it would lose that edit.

This module runs the decision; each kind of item has its decider (``pull.articles``,
``pull.collections``, ``pull.portal``), the positions to write are ``pull.ordering``'s,
and what they share is ``pull.decision``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from kbsync.assets.home import AssetHome
from kbsync.config import ContentSettings
from kbsync.local.bases import BaseStore
from kbsync.local.renames import match_local
from kbsync.local.tree import LocalTree
from kbsync.model import ActualState, DesiredState, Lock
from kbsync.pull.articles import ArticleDecider
from kbsync.pull.collections import CollectionDecider
from kbsync.pull.convert import Converted, Way
from kbsync.pull.decision import (
    FileChange,
    OnConflict,
    Pass,
    PullOptions,
    PullResult,
    along,
)
from kbsync.pull.layout import Layout, plan_layout
from kbsync.pull.ordering import numbered_names, pins, sibling_groups
from kbsync.pull.portal import decide_portal

__all__ = ["FileChange", "OnConflict", "PullOptions", "PullResult", "decide"]

_DEFAULT_OPTIONS = PullOptions()
#: A first pass's conversions, for the second: reused where the links read the same.
Reuse = tuple[Way, Mapping[str, Converted]]


def decide(*, root: Path, tree: LocalTree, actual: ActualState, lock: Lock,
           content: ContentSettings, bases: BaseStore, dirty: set[str],
           options: PullOptions = _DEFAULT_OPTIONS, portal: bool = False,
           parse: bool = False, assets: AssetHome | None = None) -> PullResult:
    """Everything pull would do, and the lock as it will be; ``lock`` is updated in place.

    Which file is which remote item is ``plan.match``'s answer, the same the plan gets.
    ``portal``: also manage ``portal.yaml`` (it exists, or init writes it). ``parse``:
    fill ``PullResult.parsed``. ``assets``: where local files are published, so their
    URLs come back as the files' paths.
    """
    matching = match_local(DesiredState(collections=tree.collections, articles=tree.articles),
                           actual, lock, root, bases)
    def placed(kept: set[str]) -> Layout:
        """Every item's place, the own moves of ``kept`` undone; then, where the names do
        not give the Help Center's order, numbered names (``pull.ordering``)."""
        layout = _without_moves(plan_layout(root, tree, actual, lock, matching), kept)
        names = numbered_names(root, layout, tree, actual)
        if not names:
            return layout
        return _without_moves(plan_layout(root, tree, actual, lock, matching, names), kept)

    def new_pass(layout: Layout) -> Pass:
        return Pass(root, tree, actual, lock, content, bases, dirty, options, layout, matching,
                    assets)

    final = new_pass(placed(set()))
    result, articles = _run(final, parse)
    if final.kept_in_place:  # a conflicting file stays put: decide again without its move
        final = new_pass(placed(final.kept_in_place))
        result, _ = _run(final, parse, reuse=(articles.way, articles.converted))
    if portal and actual.portal is not None:
        decide_portal(final, result)
    final.commit_lock()
    return result


def _run(p: Pass, parse: bool,
         reuse: Reuse | None = None) -> tuple[PullResult, ArticleDecider]:
    """One pass over every collection and article; ``reuse``: a first pass's conversions,
    kept where the links read the same."""
    result = PullResult()
    collections, articles = CollectionDecider(p), ArticleDecider(p, parse=parse)
    collections.skipped(result)
    articles.homeless(result)
    articles.deleted_remotely(result)
    collections.deleted_remotely(result)  # after the articles: --prune empties folders
    articles.deleted_here(result)
    collections.deleted_here(result)
    result.deleted_here.sort()
    result.deleted_conflicts.sort()
    articles.convert_new(reuse)  # on every core when many; the rest goes on meanwhile
    p.pins = pins(sibling_groups(p.layout, p.tree, p.actual, p.pruned))
    collections.folder_moves(result)
    collections.decide_all(result)
    articles.decide_all(result)
    articles.finish(result)
    return result, articles


def _without_moves(layout: Layout, keys: set[str]) -> Layout:
    """The layout with the own moves of ``keys`` undone (they move only with a folder)."""
    for remote_id, placed in list(layout.articles.items()):
        old = placed.local_key
        if old in keys and placed.own_move:
            key = along(layout, old)
            layout.files[old] = key
            layout.articles[remote_id] = replace(placed, key=key, own_move=False)
    return layout
