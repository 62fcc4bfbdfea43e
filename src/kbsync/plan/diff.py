"""diff(desired state, actual state, lock) -> changes. Pure and deterministic.

Which local item is which remote one is ``plan.match``'s answer (the one identity
rule); this module compares each pair field by field and decides what the change is:
create, adopt, update, move, reorder, conflict (edited in initdesk since the last sync).
A remote item that no local item claims is either managed (the lock has it: its file
or folder was deleted here, and ``on_delete`` says whether it is deleted, unpublished or
kept, as Terraform deletes what left the configuration) or was never in this folder
(left alone, labelled so, unless ``--prune``).

Bodies come rendered in the desired state, with links to other articles as
placeholders; here they get the public URLs those articles have (or will have).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kbsync.fingerprint import fields_fingerprint
from kbsync.model import (
    ARTICLE_FIELDS,
    COLLECTION_FIELDS,
    ActualState,
    ArticleFields,
    CollectionFields,
    DesiredState,
    LocalArticle,
    LocalCollection,
    Lock,
    LockEntry,
    PortalSettings,
    RemoteArticle,
    RemoteCollection,
    RenderedBody,
    Status,
)
from kbsync.plan.links import LINK_PLACEHOLDER, fill_links, placeholder, placeholder_targets
from kbsync.plan.match import Match, Matching, edited_remotely, match
from kbsync.plan.model import Action, Change, FieldChange, OnDelete
from kbsync.plan.order import Sibling, in_place, positions_to_send

#: ``managed`` is kept for scripts written before managed items were deleted without
#: it: it now changes nothing (``off``); ``all`` also deletes what was never managed.
Prune = Literal["off", "managed", "all"]
#: How a plan labels a remote item the lock never managed.
NOT_HERE = "in the Help Center, not in this folder"


@dataclass(frozen=True)
class DiffOptions:
    prune: Prune = "off"
    force: bool = False
    on_delete: OnDelete = "delete"


def changed_fields(before: Any, after: Any, names: tuple[str, ...]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, getattr(before, name), getattr(after, name))
        for name in names
        if getattr(before, name) != getattr(after, name)
    )


def classify(fields: tuple[FieldChange, ...], parent_field: str) -> Action:
    names = {f.field for f in fields}
    if names == {"position"}:
        return Action.REORDER
    if parent_field in names:
        return Action.MOVE
    return Action.UPDATE


@dataclass
class DiffMemo:
    """What the planner's two passes over one state (which bodies to render, then the
    plan) work out once: hashing a remote body and deciding whether it stands cost
    most of a no-op plan, so a second pass asks this instead."""

    #: remote article id -> its fingerprint
    fingerprints: dict[int, str] = dataclasses.field(default_factory=dict)
    #: article key -> :meth:`Differ.clean_body`'s answer
    clean: dict[str, RenderedBody | None] = dataclasses.field(default_factory=dict)


class Differ:
    """Computes the changes for one run; holds the matches the link resolver needs."""

    def __init__(self, desired: DesiredState, actual: ActualState, lock: Lock,
                 options: DiffOptions, matching: Matching | None = None,
                 memo: DiffMemo | None = None) -> None:
        self.desired = desired
        self.actual = actual
        self.lock = lock
        self.options = options
        self.matching = matching or match(desired, actual, lock)
        #: shared by passes over the same state (its bodies aside)
        self.memo = DiffMemo() if memo is None else memo
        self.positions = self._positions()

    # -- order ---------------------------------------------------------------------------

    def _positions(self) -> dict[tuple[str, str], int]:
        """(kind, key) -> the position to send: only what keeps the files' order."""
        groups: dict[tuple[str, str | None], list[Sibling]] = {}
        for coll in self.desired.collections:
            found = self.matching.collections[coll.key]
            remote = self.actual.collections.get(found.remote_id) \
                if found.remote_id is not None else None
            parent = (remote.fields.parent_id, remote.fields.position) if remote else None
            groups.setdefault(("collection", coll.parent_key), []).append(self._sibling(
                coll.key, coll.index, coll.position if coll.explicit_position else None,
                coll.parent_key, parent, found.remote_id))
        for art in self.desired.articles:
            found = self.matching.articles[art.key]
            remote_article = self.actual.articles.get(found.remote_id) \
                if found.remote_id is not None else None
            where = ((remote_article.fields.collection_id, remote_article.fields.position)
                     if remote_article else None)
            groups.setdefault(("article", art.collection_key), []).append(self._sibling(
                art.key, art.index, art.position if art.explicit_position else None,
                art.collection_key, where, found.remote_id))
        out: dict[tuple[str, str], int] = {}
        for (kind, _parent), siblings in groups.items():
            out.update({(kind, key): value
                        for key, value in positions_to_send(siblings).items()})
        return out

    def _sibling(self, key: str, index: int, explicit: int | None, parent_key: str | None,
                 remote: tuple[int | None, int] | None, remote_id: int | None) -> Sibling:
        """A sibling whose remote position counts only if it is in this parent already."""
        parent_id = self.collection_id(parent_key)
        here = remote is not None and in_place(remote[0], parent_id,
                                               top_level=parent_key is None)
        return Sibling(key, index, explicit, remote[1] if here and remote else None, remote_id)

    # -- ids and URLs --------------------------------------------------------------------

    def collection_id(self, key: str | None) -> int | None:
        return self.matching.collection_id(key)

    def _collection_slug_stays(self, key: str | None) -> bool:
        if key is None:
            return True
        local = self.desired.collection(key)
        assert local is not None
        remote_id = self.collection_id(key)
        remote = self.actual.collections.get(remote_id) if remote_id is not None else None
        return remote is not None and remote.fields.slug == local.slug

    def url_of(self, article_key: str) -> str | None:
        """The public URL a link to this article should carry, or a placeholder.

        A placeholder stands for a URL that only exists after this run's writes (a new
        article, or one whose slug or collection changes); the executor fills it in.
        """
        local = self.desired.article(article_key)
        if local is None:
            return None
        found = self.matching.articles[article_key]
        remote = self.actual.articles.get(found.remote_id) if found.remote_id else None
        if (
            remote is not None
            and remote.url
            and remote.fields.slug == local.slug
            and remote.fields.collection_id == self.collection_id(local.collection_key)
            and self._collection_slug_stays(local.collection_key)
        ):
            return remote.url
        return placeholder(article_key)

    # -- collections ---------------------------------------------------------------------

    def desired_collection(self, local: LocalCollection) -> CollectionFields:
        return CollectionFields(
            name=local.name,
            slug=local.slug,
            description=local.description,
            parent_id=self.collection_id(local.parent_key),
            position=self.positions[("collection", local.key)],
        )

    def collection_change(self, local: LocalCollection) -> Change | None:
        desired = self.desired_collection(local)
        match = self.matching.collections[local.key]
        base = {"kind": "collection", "key": local.key, "slug": local.slug, "title": local.name,
                "parent_key": local.parent_key}
        if match.remote_id is None:
            return Change(action=Action.CREATE, fields=_all_fields(desired, COLLECTION_FIELDS),
                          reason=_create_reason(match), **base)  # type: ignore[arg-type]
        remote = self.actual.collections[match.remote_id]
        fields = changed_fields(remote.fields, desired, COLLECTION_FIELDS)
        if local.parent_key is not None and desired.parent_id is None:
            fields = _with_pending_parent(fields, remote.fields.parent_id)
        fingerprint = fields_fingerprint(remote.fields)
        renamed = _renamed(match, fields, "slug" in local.lines,
                           f"{local.key}/_collection.yaml")
        return self._existing_change(base, match, fields, fingerprint, "parent_id", None,
                                     renamed)

    # -- articles ------------------------------------------------------------------------

    def article_fingerprint(self, remote: RemoteArticle) -> str:
        """Hashing a body costs; each is needed up to three times a run."""
        found = self.memo.fingerprints.get(remote.id)
        if found is None:
            found = self.memo.fingerprints[remote.id] = fields_fingerprint(remote.fields)
        return found

    def clean_body(self, local: LocalArticle) -> RenderedBody | None:
        """:meth:`_clean_body`, decided once per article (see :class:`DiffMemo`)."""
        if local.key not in self.memo.clean:
            self.memo.clean[local.key] = self._clean_body(local)
        return self.memo.clean[local.key]

    def _clean_body(self, local: LocalArticle) -> RenderedBody | None:
        """The remote body, when it is known to be what this file renders to.

        True when the file is byte for byte what was last synced, the remote article is
        what was last synced, rendering has not changed since, every link target keeps
        its URL and every published file it shows is the version it shows (its
        content-addressed URL is in the body): then rendering (most of a no-op plan's
        cost) can be skipped.
        """
        found = self.matching.articles[local.key]
        entry = found.lock_entry
        if entry is None or found.remote_id is None or entry.local != local.source_hash:
            return None
        if self.lock.render is not None and self.lock.render != self.desired.render_key:
            return None
        remote = self.actual.articles[found.remote_id]
        if LINK_PLACEHOLDER in remote.fields.content_html \
                or entry.remote != self.article_fingerprint(remote):
            return None
        for target in self.desired.links.get(local.key, ()):
            url = self.url_of(target)
            if url is None or url.startswith(LINK_PLACEHOLDER):
                return None
        if any(html.escape(url) not in remote.fields.content_html
               for url in self.desired.asset_urls.get(local.key, ())):
            return None  # an image it shows was replaced: its URL is another now
        return RenderedBody(remote.fields.content_html, remote.fields.content)

    def body(self, local: LocalArticle) -> RenderedBody:
        """The body to send: the remote one when it stands, else the rendered one with
        its links filled in."""
        clean = self.clean_body(local)
        if clean is not None:
            return clean
        template = self.desired.bodies.get(local.key)
        if template is None:
            raise ValueError(f"{local.key}: its body was not rendered (bodies_needed)")
        return fill_links(template, self.url_of)

    def desired_article(self, local: LocalArticle) -> tuple[ArticleFields, tuple[str, ...]]:
        body = self.body(local)
        fields = ArticleFields(
            title=local.title,
            slug=local.slug,
            excerpt=local.excerpt,
            status=local.status,
            collection_id=self.collection_id(local.collection_key),
            position=self.positions[("article", local.key)],
            content_html=body.html,
            content=body.text,
        )
        return fields, placeholder_targets(body.html)

    def article_change(self, local: LocalArticle) -> Change | None:
        desired, pending_links = self.desired_article(local)
        match = self.matching.articles[local.key]
        base = {"kind": "article", "key": local.key, "slug": local.slug, "title": local.title,
                "parent_key": local.collection_key, "link_targets": pending_links,
                "local_fingerprint": local.source_hash}
        if match.remote_id is None:
            return Change(action=Action.CREATE, fields=_all_fields(desired, ARTICLE_FIELDS),
                          reason=_create_reason(match), **base)  # type: ignore[arg-type]
        remote = self.actual.articles[match.remote_id]
        fields = _with_stale_links(changed_fields(remote.fields, desired, ARTICLE_FIELDS),
                                   remote.fields, desired)
        if local.collection_key is not None and desired.collection_id is None:
            fields = _with_pending_parent(fields, remote.fields.collection_id, "collection_id")
        fingerprint = self.article_fingerprint(remote)
        renamed = _renamed(match, fields, "slug" in local.lines, local.key)
        return self._existing_change(base, match, fields, fingerprint, "collection_id",
                                     local.source_hash, renamed)

    def _existing_change(self, base: dict[str, Any], match: Match,
                         fields: tuple[FieldChange, ...], fingerprint: str, parent_field: str,
                         local_fingerprint: str | None, renamed: str = "") -> Change | None:
        assert match.remote_id is not None
        common = {**base, "remote_id": match.remote_id, "remote_fingerprint": fingerprint,
                  "previous_parent": self._previous_parent(fields, parent_field),
                  "renamed_from": match.renamed_from}
        if match.adopted:
            reason = "already in initdesk with this slug; taken over"
            return Change(action=Action.ADOPT, fields=fields, reason=reason, **common)
        entry = match.lock_entry
        if not fields:
            return None
        if edited_remotely(entry, fingerprint):
            if not self.options.force:
                return Change(action=Action.CONFLICT, fields=fields, reason=_joined(
                    renamed, "edited in initdesk since the last sync"), **common)
            return Change(action=classify(fields, parent_field), fields=fields, reason=_joined(
                renamed, "overwrites edits made in initdesk (--force)"), **common)
        reason = "content changed" if _content_changed(fields) else ""
        if entry is not None and entry.local is not None and local_fingerprint is not None \
                and entry.local == local_fingerprint and not reason and not renamed:
            reason = "links or settings changed"
        return Change(action=classify(fields, parent_field), fields=fields,
                      reason=_joined(renamed, reason), **common)

    def _previous_parent(self, fields: tuple[FieldChange, ...], parent_field: str) -> str | None:
        """Where a move leaves from, for people reading the plan: the folder it was synced
        from (per the lock), else the remote collection's slug."""
        moved = next((f for f in fields if f.field == parent_field), None)
        if moved is None or moved.before is None:
            return None
        synced = self.lock.by_id("collections", moved.before)
        if synced is not None:
            return synced[1].path
        parent = self.actual.collections.get(moved.before)
        return parent.fields.slug if parent is not None else None

    # -- remote items no local item claims ------------------------------------------------

    def orphan_changes(self) -> list[Change]:
        out: list[Change | None] = []
        claimed_articles = {m.remote_id for m in self.matching.articles.values()}
        for article in sorted(self.actual.articles.values(), key=lambda a: a.fields.slug):
            if article.id not in claimed_articles:
                out.append(self._orphan(
                    "article", article.id, article.fields.slug, article.fields.title,
                    self.article_fingerprint(article), article.fields.status))
        claimed = {m.remote_id for m in self.matching.collections.values()}
        for coll in sorted(self.actual.collections.values(), key=_depth_key(self.actual)):
            if coll.id not in claimed:
                out.append(self._orphan("collection", coll.id, coll.fields.slug,
                                        coll.fields.name, fields_fingerprint(coll.fields)))
        return [change for change in out if change is not None]

    def _orphan(self, kind: Literal["article", "collection"], remote_id: int, slug: str,
                title: str, fingerprint: str, status: Status | None = None) -> Change | None:
        """A managed item deleted here (as ``on_delete`` says), or one never in this
        folder (left alone unless ``--prune``). A deleted item is shown at the path it
        was synced from, unless another item is there now."""
        synced = self.lock.by_id("articles" if kind == "article" else "collections",
                                 remote_id)
        key = f"remote:{slug}"
        fields: tuple[FieldChange, ...] = ()
        if synced is None:
            action, reason = ((Action.DELETE, f"{NOT_HERE}; deleted: --prune")
                              if self.options.prune == "all"
                              else (Action.UNMANAGED, f"{NOT_HERE}; kept: plan --prune deletes it"))
        else:
            entry = synced[1]
            taken = (self.desired.article(entry.path) if kind == "article"
                     else self.desired.collection(entry.path))
            if taken is None:
                key = entry.path
            decided = self._deleted_here(entry, fingerprint, status, kind)
            if decided is None:
                return None
            action, reason = decided
            if action is Action.UPDATE:
                fields = (FieldChange("status", status, "draft"),)
        return Change(kind=kind, key=key, action=action, slug=slug, title=title,
                      remote_id=remote_id, fields=fields, reason=reason,
                      remote_fingerprint=fingerprint, deleted_here=synced is not None,
                      local_fingerprint=synced[1].local if synced and fields else None)

    def _deleted_here(self, entry: LockEntry, fingerprint: str, status: Status | None,
                      kind: str) -> tuple[Action, str] | None:
        """What becomes of a managed item whose file or folder is gone: deleted,
        unpublished (an UPDATE of ``status``) or kept; a conflict when it was edited in
        initdesk since the last sync (unless --force); None when there is nothing to do."""
        on_delete = self.options.on_delete
        if on_delete == "keep":
            return Action.KEEP, 'deleted locally; kept: on_delete = "keep"'
        if on_delete == "draft" and kind == "collection":
            return Action.KEEP, ('deleted locally; kept: on_delete = "draft" unpublishes its '
                                 "articles, collections stay")
        if on_delete == "draft" and status == "draft":
            return None  # unpublished already
        verb = "unpublish" if on_delete == "draft" else "delete"
        forced = ""
        if edited_remotely(entry, fingerprint):
            if not self.options.force:
                return Action.CONFLICT, (
                    "deleted here, edited in initdesk since the last sync: restore it with "
                    f"`git checkout`, or apply the {verb} with --force")
            forced = "; overwrites edits made in initdesk (--force)"
        if on_delete == "draft":
            return Action.UPDATE, f'deleted locally; unpublished: on_delete = "draft"{forced}'
        return Action.DELETE, f"deleted locally{forced}"


def portal_change(desired: Mapping[str, Any] | None, actual: ActualState, lock: Lock,
                  force: bool) -> Change | None:
    """Compare the keys portal.yaml sets (only those) with the live portal."""
    if desired is None or actual.portal is None:
        return None
    current = actual.portal.settings
    fields = tuple(
        FieldChange(name, getattr(current, name), value)
        for name, value in sorted(desired.items())
        if getattr(current, name) != value
    )
    if not fields:
        return None
    fingerprint = fields_fingerprint(current)
    base = {"kind": "portal", "key": "portal.yaml", "slug": "portal", "title": current.name,
            "remote_id": actual.portal.id, "remote_fingerprint": fingerprint, "fields": fields}
    if lock.portal is not None and lock.portal.remote != fingerprint and not force:
        return Change(action=Action.CONFLICT, reason="edited in initdesk since the last sync",
                      **base)  # type: ignore[arg-type]
    return Change(action=Action.UPDATE, reason="portal settings", **base)  # type: ignore[arg-type]


def unresolved_targets(changes: Sequence[Change], synced: Callable[[str], bool]
                       ) -> Iterator[tuple[Change, str]]:
    """Each article write whose body links, through a ``kbsync://`` placeholder, to an
    article that will have no URL by the end of the run, with that target.

    A placeholder stands for a URL only known once this run's writes are done. It is
    filled in when the target is written by the plan (created, moved or renamed: its
    step answers with the URL) or is already in the Help Center (``synced``: in the lock;
    its URL is read once its collection's rename is done). Any other target (a new
    article left out by ``--target``) would reach initdesk as a dead link. The one rule
    for ``plan`` (which warns), ``apply`` (which refuses before any write) and the
    executor (which refuses again, for a saved plan).
    """
    written = {c.key for c in changes if c.kind == "article" and c.action.writes
               and c.action is not Action.DELETE}
    for change in changes:
        if change.kind != "article" or not change.action.writes:
            continue
        bodies = [f.after for f in change.fields  # every one: a plan file may be edited
                  if f.field == "content_html" and isinstance(f.after, str)]
        for target in (t for body in bodies for t in placeholder_targets(body)):
            if target not in written and not synced(target):
                yield change, target


def unresolved_links(changes: Sequence[Change], synced: Callable[[str], bool]) -> list[str]:
    """:func:`unresolved_targets`, one message each."""
    return [f"{change.key} links to {target}, whose public URL this plan does not make "
            f"(add --target {target}, or plan without --target)"
            for change, target in unresolved_targets(changes, synced)]


def _all_fields(fields: ArticleFields | CollectionFields | PortalSettings,
                names: tuple[str, ...]) -> tuple[FieldChange, ...]:
    values = dataclasses.asdict(fields)
    return tuple(FieldChange(name, None, values[name]) for name in names)


def _with_pending_parent(fields: tuple[FieldChange, ...], before: int | None,
                         name: str = "parent_id") -> tuple[FieldChange, ...]:
    """The parent is created in this run: its id is filled in by the executor."""
    rest = tuple(f for f in fields if f.field != name)
    return (*rest, FieldChange(name, before, None))


def _with_stale_links(fields: tuple[FieldChange, ...], remote: ArticleFields,
                      desired: ArticleFields) -> tuple[FieldChange, ...]:
    """A remote body still holding a placeholder (a run stopped before its link fix-up)
    is rewritten even when the desired body has a placeholder too: this run creates
    the target, and the executor fills in its URL."""
    if LINK_PLACEHOLDER not in remote.content_html or any(
            f.field == "content_html" for f in fields):
        return fields
    return (*fields, FieldChange("content_html", remote.content_html, desired.content_html))


def _renamed(match: Match, fields: tuple[FieldChange, ...], explicit_slug: bool,
             source: str) -> str:
    """"renamed from ...", and what happens to the public URL when the slug follows the
    new name (no ``slug:`` written): the old one stops working, unless pinned."""
    if match.renamed_from is None:
        return ""
    note = f"renamed from {match.renamed_from}"
    slug = next((f for f in fields if f.field == "slug"), None)
    if slug is not None and not explicit_slug:
        note += (f"; its public URL changes (slug {slug.before} -> {slug.after}): "
                 f"add `slug: {slug.before}` to {source} to keep it")
    return note


def _joined(*reasons: str) -> str:
    return "; ".join(reason for reason in reasons if reason)


def _create_reason(match: Match) -> str:
    return "deleted in initdesk since the last sync; recreated" if match.recreated else ""


def _content_changed(fields: tuple[FieldChange, ...]) -> bool:
    return any(f.field in ("content_html", "content") for f in fields)


def _depth_key(actual: ActualState) -> Callable[[RemoteCollection], tuple[int, str]]:
    """Deepest collections first, so children are deleted before their parents."""

    def depth(coll: RemoteCollection) -> int:
        level, parent = 1, coll.fields.parent_id
        while parent is not None and parent in actual.collections and level < 10:
            level, parent = level + 1, actual.collections[parent].fields.parent_id
        return level

    return lambda coll: (-depth(coll), coll.fields.slug)
