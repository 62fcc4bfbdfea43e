"""Ordering, targeting and the safety gates of a plan.

Parents are created before children and deleted after them; the portal goes first;
conflicts, unmanaged and kept items (which write nothing) come last. Gates live here, on the
plan, not in the executor: the executor runs whatever plan it is handed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kbsync.errors import UnsafePlanError
from kbsync.model import ActualState, DesiredState, LocalAsset, Lock, RemoteRef
from kbsync.plan.diff import Differ, DiffMemo, DiffOptions, portal_change, unresolved_links
from kbsync.plan.match import Matching
from kbsync.plan.model import Action, Change, FieldChange, Plan
from kbsync.words import plural

_ORDER = {
    ("portal", Action.UPDATE): 0,
    ("collection", Action.CREATE): 1,
    ("collection", Action.ADOPT): 2,
    ("collection", Action.UPDATE): 3,
    ("collection", Action.MOVE): 3,
    ("collection", Action.REORDER): 3,
    ("article", Action.CREATE): 4,
    ("article", Action.ADOPT): 5,
    ("article", Action.UPDATE): 6,
    ("article", Action.MOVE): 6,
    ("article", Action.REORDER): 6,
    ("article", Action.DELETE): 7,
    ("collection", Action.DELETE): 8,
}


def asset_changes(uploads: Sequence[LocalAsset]) -> tuple[Change, ...]:
    """One create per file to upload, by path. They come first in a plan: apply uploads
    every image before any article that shows it, and stops at a failed upload, so no
    article ever points at a missing image."""
    return tuple(Change("asset", asset.path, Action.CREATE, asset.name, "", fields=(
        FieldChange("name", None, asset.name), FieldChange("bytes", None, asset.size),
        FieldChange("content_type", None, asset.content_type),
        FieldChange("sha256", None, asset.digest)), local_fingerprint=asset.digest)
        for asset in sorted(uploads, key=lambda a: a.path))


def bodies_needed(desired: DesiredState, actual: ActualState, lock: Lock,
                  matching: Matching | None = None, targets: Sequence[str] = (),
                  memo: DiffMemo | None = None) -> list[str]:
    """The articles whose bodies must be rendered before :func:`build_plan`.

    An article whose file is byte for byte what was last synced, whose remote copy is
    what was last synced, and whose link targets keep their URLs needs no rendering:
    its remote body stands. Rendering is most of a plan's cost, so the engine renders
    only these. ``memo`` keeps what was worked out (each remote body's hash, and
    whether it stands) for :func:`build_plan` over the same state.
    """
    differ = Differ(desired, actual, lock, DiffOptions(), matching, memo)
    return [a.key for a in desired.articles
            if a.key not in desired.bodies and targeted(a.key, targets)
            and differ.clean_body(a) is None]


def targeted(key: str, targets: Sequence[str]) -> bool:
    """No targets, or ``key`` is under one of them."""
    return not targets or any(_under(key, target) for target in targets)


def in_lock(lock: Lock, article_key: str) -> bool:
    """The article at this path is in the Help Center already (its URL can be read)."""
    return lock.by_path("articles", article_key) is not None


def build_plan(
    *,
    desired: DesiredState,
    actual: ActualState,
    lock: Lock,
    remote: RemoteRef,
    options: DiffOptions = DiffOptions(),
    targets: Sequence[str] = (),
    matching: Matching | None = None,
    memo: DiffMemo | None = None,
) -> Plan:
    """The ordered, gated plan that turns ``actual`` into ``desired`` (``memo``: see
    :func:`bodies_needed`)."""
    differ = Differ(desired, actual, lock, options, matching, memo)
    changes: list[Change] = []
    portal_item = portal_change(desired.portal, actual, lock, options.force)
    if portal_item is not None:
        changes.append(portal_item)
    for collection in desired.collections:  # parents first
        change = differ.collection_change(collection)
        if change is not None:
            changes.append(change)
    for article in desired.articles:
        if not targeted(article.key, targets):
            continue  # its change would be dropped by the targets: not worth rendering
        change = differ.article_change(article)
        if change is not None:
            changes.append(change)
    changes.extend(differ.orphan_changes())
    changes = keep_nonempty_collections(changes, actual)
    if targets:
        changes = select_targets(changes, targets)
    changes = link_targets_first(changes)
    ordered = sorted(enumerate(changes), key=lambda pair: (_rank(pair[1]), pair[0]))
    plan_options: dict[str, object] = {"prune": options.prune, "force": options.force,
                                       "targets": list(targets)}
    if options.on_delete != "delete":  # shown on the plan's Options line: only when set
        plan_options["on_delete"] = options.on_delete
    return Plan(remote=remote, changes=tuple(c for _, c in ordered), options=plan_options)


def keep_nonempty_collections(changes: list[Change], actual: ActualState) -> list[Change]:
    """A collection that would still hold something after this run is not deleted.

    initdesk refuses (409) to delete a collection with articles or child collections in
    it; planning that delete would stop apply half-way. Such a collection stays, listed as
    kept with the reason.
    """
    gone_articles = {c.remote_id for c in changes
                     if c.kind == "article" and c.action is Action.DELETE}
    moved = {c.remote_id for c in changes if c.field("collection_id") or c.field("parent_id")}
    gone_collections = {c.remote_id for c in changes
                        if c.kind == "collection" and c.action is Action.DELETE}
    out = list(changes)
    for index, change in enumerate(out):  # deletes are deepest first
        if change.kind != "collection" or change.action is not Action.DELETE:
            continue
        articles = sum(1 for a in actual.articles.values()
                       if a.fields.collection_id == change.remote_id
                       and a.id not in gone_articles and a.id not in moved)
        children = sum(1 for c in actual.collections.values()
                       if c.fields.parent_id == change.remote_id
                       and c.id not in gone_collections and c.id not in moved)
        if articles or children:
            gone_collections.discard(change.remote_id)
            out[index] = replace(change, action=Action.KEEP, reason=(
                f"not deleted: it still holds {plural(articles, 'article')} and "
                f"{plural(children, 'collection')} that stay"))
    return out


def link_targets_first(changes: list[Change]) -> list[Change]:
    """Order article creates so that a link's target is created before the linking
    article where the links allow it (no cycle), which saves a fix-up request each."""
    creates = {c.key: c for c in changes if c.kind == "article" and c.action is Action.CREATE}
    done: dict[str, None] = {}
    visiting: set[str] = set()

    def visit(key: str) -> None:
        if key in done or key in visiting:
            return
        visiting.add(key)
        for target in creates[key].link_targets:
            if target in creates:
                visit(target)
        visiting.discard(key)
        done[key] = None

    for key in creates:
        visit(key)
    rest = [c for c in changes if c.key not in creates or c.kind != "article"]
    return rest + [creates[key] for key in done]


def _rank(change: Change) -> int:
    if not change.action.writes:
        return 9 if change.action is Action.CONFLICT else 10
    return _ORDER.get((change.kind, change.action), 6)


def _under(key: str, target: str) -> bool:
    target = target.strip("/")
    return target in ("", ".") or key == target or key.startswith(target + "/")


def select_targets(changes: list[Change], targets: Sequence[str]) -> list[Change]:
    """Keep changes under the given paths, plus the creates of the parents they need.

    The changes keep their order (parents before children), however deep the target.
    """
    kept = {c.key for c in changes if any(_under(c.key, t) for t in targets)}
    creates = {c.key: c for c in changes if c.kind == "collection" and c.action is Action.CREATE}
    pending = [c.parent_key for c in changes if c.key in kept and c.parent_key]
    while pending:
        key = pending.pop()
        if key and key in creates and key not in kept:
            kept.add(key)
            pending.append(creates[key].parent_key or "")
    return [c for c in changes if c.key in kept]


def check_safe(plan: Plan, lock: Lock, *, max_deletes: int, force: bool) -> None:
    """Refuse a plan that deletes more than ``max_deletes`` items unless forced, and one
    that would publish a link placeholder (never, whatever the options)."""
    unresolved = unresolved_links(plan.changes, lambda key: in_lock(lock, key))
    if unresolved:
        raise UnsafePlanError("; ".join(unresolved))
    deletes = plan.count(Action.DELETE)
    if deletes > max_deletes and not force:
        raise UnsafePlanError(
            f"the plan deletes {plural(deletes, 'item')}, more than max_deletes = "
            f"{max_deletes}; "
            "check it, then raise max_deletes under [apply] in kbsync.toml or use --force"
        )
