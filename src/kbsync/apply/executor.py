"""Runs a Plan through the client, one step at a time, making the lock durable after each.

The executor never prints: it reports through ``ApplyHooks`` (the console's progress bar,
tests' recorders). Its promises:

* the lock is made durable after every successful remote step (``save_lock``: the
  engine's journal record, ``lock.journaled``), so a crash or Ctrl-C leaves a state the
  next run converges from;
* a create whose outcome is unknown (``AmbiguousWriteError``) is looked up by slug before
  it is tried again, so nothing is ever created twice;
* a stop request (Ctrl-C) is honoured between steps, never in the middle of one;
* no request body ever holds a ``kbsync://`` link placeholder (an internal URL no
  reader can follow): a link to an article this run creates later is sent as ``#`` and
  completed once the target exists, and a link that nothing will resolve (a tampered
  parse cache, a hand-edited plan file) refuses the plan before its first write.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kbsync.apply.uploads import AssetUploader
from kbsync.errors import AmbiguousWriteError, KbsyncError, NotFoundError
from kbsync.fingerprint import fields_fingerprint
from kbsync.model import (
    ArticleFields,
    CollectionFields,
    Lock,
    LockEntry,
    Portal,
    PortalEntry,
    RemoteArticle,
    RemoteCollection,
    Section,
)
from kbsync.plan.diff import unresolved_targets
from kbsync.plan.links import LINK_PLACEHOLDER, fill_html, placeholder, placeholder_targets
from kbsync.plan.model import Action, Change, Plan
from kbsync.plan.planner import in_lock
from kbsync.problems import clipped
from kbsync.remote.client import HelpCenterClient

_AMBIGUOUS_RETRIES = 3
_ANY_PLACEHOLDER = re.compile(re.escape(LINK_PLACEHOLDER) + r"""[^\s"'#<>]*""")


def refuse_placeholders(change: Change, values: Mapping[str, Any]) -> None:
    """Raise KbsyncError if a value about to be sent for ``change`` holds a placeholder.

    The last guard before the wire: whatever went wrong upstream (a stale or edited
    parse cache, a hand-edited plan file, a bug), ``kbsync://`` never reaches initdesk.
    """
    for name, value in values.items():
        if isinstance(value, str) and LINK_PLACEHOLDER in value:
            raise _placeholder_error(change, name, value)


def _placeholder_error(change: Change, name: str, value: str,
                       target: str | None = None) -> KbsyncError:
    if target is None:
        found = _ANY_PLACEHOLDER.search(value)
        target = found.group(0)[len(LINK_PLACEHOLDER):] if found else ""
    target = target or "?"
    link = LINK_PLACEHOLDER + target
    return KbsyncError(
        f"{clipped(change.key)} links to {clipped(target)}, which has no public URL "
        f"(neither in the Help Center nor created by this plan): refusing to send {name} "
        f"with the internal link {clipped(link)}. Nothing of it was sent. Run `kbsync "
        "validate`; if it finds nothing, delete .kbsync/cache (stale or edited) and plan "
        "again")


def _stand_in(html: str) -> str:
    """``html`` with every placeholder link pointing nowhere (``#``) for the time being."""

    def nowhere(match: re.Match[str]) -> str:
        follows = match.string[match.end():match.end() + 1]
        return "" if follows == "#" else "#"

    return _ANY_PLACEHOLDER.sub(nowhere, html)


class ApplyHooks(Protocol):
    def started(self, total: int) -> None: ...
    def step_done(self, change: Change, note: str) -> None: ...


class SilentHooks:
    def started(self, total: int) -> None:
        return None

    def step_done(self, change: Change, note: str) -> None:
        return None


@dataclass
class ApplyResult:
    done: list[Change] = field(default_factory=list)
    not_done: list[Change] = field(default_factory=list)
    failed: Change | None = None
    error: KbsyncError | None = None
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.interrupted


class Executor:
    def __init__(
        self,
        client: HelpCenterClient,
        lock: Lock,
        save_lock: Callable[[Lock], None],
        hooks: ApplyHooks | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        uploader: AssetUploader | None = None,
    ) -> None:
        self.client = client
        self.uploader = uploader
        self.lock = lock
        self.save_lock = save_lock
        self.hooks = hooks or SilentHooks()
        self.should_stop = should_stop
        self.collection_ids: dict[str, int] = {}
        self.article_urls: dict[str, str] = {}
        self._fixups: dict[str, tuple[int, str]] = {}  # article key -> (id, html to fill)
        self._templates: dict[str, str] = {}  # article key -> html with pending links

    def run(self, plan: Plan) -> ApplyResult:
        steps = list(plan.writes)
        result = ApplyResult()
        unresolvable = self._unresolvable_links(steps)
        if unresolvable is not None:
            result.failed, result.error = unresolvable
            result.not_done = [c for c in steps if c is not unresolvable[0]]
            return result
        link_pass = _needs_link_pass(steps)
        self.hooks.started(len(steps) + link_pass)
        for index, change in enumerate(steps):
            if self.should_stop():
                result.interrupted = True
                result.not_done = steps[index:]
                return result
            try:
                note = self._step(change)
            except KbsyncError as exc:
                result.failed, result.error = change, exc
                result.not_done = steps[index + 1:]
                return result
            result.done.append(change)
            self.hooks.step_done(change, note)
        try:
            self._fix_links()
        except KbsyncError as exc:
            result.error = exc
        if link_pass:
            self.hooks.step_done(Change("article", "links to new articles", Action.UPDATE, "",
                                        ""), "links")
        return result

    # -- one step ------------------------------------------------------------------------

    def _step(self, change: Change) -> str:
        if change.kind == "asset":
            return self._asset(change)
        if change.kind == "portal":
            return self._portal(change)
        if change.action is Action.DELETE:
            return self._delete(change)
        if change.kind == "collection":
            return self._collection(change)
        return self._article(change)

    def _portal(self, change: Change) -> str:
        portal = self.client.patch_portal({f.field: f.after for f in change.fields})
        self._record_portal(portal)
        return "portal updated"

    def _asset(self, change: Change) -> str:
        """Upload one file under its content-addressed name, then record it in the lock
        (so the next plan asks the store nothing about it)."""
        if self.uploader is None:
            raise KbsyncError(f"{change.key}: the plan uploads it, but [assets] publish is "
                              "not set in kbsync.toml; set it, or plan again")
        values = {f.field: f.after for f in change.fields}
        self.uploader.upload(change.key, str(values["name"]), str(values["sha256"]),
                             str(values["content_type"]))
        self.lock.add_asset(self.uploader.location, str(values["name"]))
        self.save_lock(self.lock)
        return "uploaded"

    def _delete(self, change: Change) -> str:
        assert change.remote_id is not None
        section: Section = "collections" if change.kind == "collection" else "articles"
        try:
            if change.kind == "collection":
                self.client.delete_collection(change.remote_id)
            else:
                self.client.delete_article(change.remote_id)
        except NotFoundError:
            pass  # already gone: the goal of the step holds
        found = self.lock.by_id(section, change.remote_id)
        if found is not None:
            self.lock.remove(section, found[0])
            self.save_lock(self.lock)
        return "deleted"

    def _collection(self, change: Change) -> str:
        values = self._values(change)
        if change.action is Action.CREATE:
            created = self._create(change, lambda: self.client.create_collection(
                CollectionFields(**values)), self.client.find_collection_by_slug)
            assert isinstance(created, RemoteCollection)
            remote = created
        else:
            assert change.remote_id is not None
            remote = (self.client.patch_collection(change.remote_id, values) if values
                      else self.client.get_collection(change.remote_id))
        self.collection_ids[change.key] = remote.id
        self._record("collections", change, remote.id, fields_fingerprint(remote.fields),
                     remote.updated_at)
        return change.action.value

    def _unresolvable_links(self, steps: list[Change]) -> tuple[Change, KbsyncError] | None:
        """The first article whose body would keep a placeholder to the end of the run
        (the plan's own rule, ``unresolved_targets``), or that holds one in another field
        (a bug): refused up front, so no write at all happens for such a plan."""
        for change in steps:
            if change.kind != "article":
                continue
            for item in change.fields:
                if item.field != "content_html" and isinstance(item.after, str) \
                        and LINK_PLACEHOLDER in item.after:
                    return change, _placeholder_error(change, item.field, item.after)
        for change, target in unresolved_targets(steps, lambda key: in_lock(self.lock, key)):
            body = next(f.after for f in change.fields if f.field == "content_html"
                        and isinstance(f.after, str) and placeholder(target) in f.after)
            return change, _placeholder_error(change, "content_html", str(body), target)
        return None

    def _article(self, change: Change) -> str:
        values = self._values(change)
        refuse_placeholders(change, values)
        template = self._templates.pop(change.key, None)
        if change.action is Action.CREATE:
            created = self._create(change, lambda: self.client.create_article(
                ArticleFields(**values)), self.client.find_article_by_slug)
            assert isinstance(created, RemoteArticle)
            remote = created
        else:
            assert change.remote_id is not None
            remote = (self.client.patch_article(change.remote_id, values) if values
                      else self.client.get_article(change.remote_id))
        if remote.url:
            self.article_urls[change.key] = remote.url
        if template is not None:
            self._fixups[change.key] = (remote.id, template)
        self._record("articles", change, remote.id, fields_fingerprint(remote.fields),
                     remote.updated_at)
        return change.action.value

    def _create(self, change: Change, create: Callable[[], Any],
                find: Callable[[str], Any]) -> Any:
        """Create once; after an ambiguous failure, look the slug up before trying again."""
        for attempt in range(_AMBIGUOUS_RETRIES):
            try:
                return create()
            except AmbiguousWriteError:
                existing = find(change.slug)
                if existing is not None:
                    return existing
                if attempt == _AMBIGUOUS_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _values(self, change: Change) -> dict[str, Any]:
        """The fields to send, with ids of items created in this run and known URLs."""
        values = {f.field: f.after for f in change.fields}
        if change.kind == "collection" and "parent_id" in values and values["parent_id"] is None:
            values["parent_id"] = self._parent_id(change.parent_key)
        if change.kind == "article" and "collection_id" in values \
                and values["collection_id"] is None:
            values["collection_id"] = self._parent_id(change.parent_key)
        html = values.get("content_html")
        if isinstance(html, str) and LINK_PLACEHOLDER in html:
            filled = self._resolve_links(html, final=False)
            if LINK_PLACEHOLDER in filled:  # targets created later in this run
                self._templates[change.key] = filled
                filled = _stand_in(filled)
            values["content_html"] = filled
        return values

    def _parent_id(self, key: str | None) -> int | None:
        if key is None:
            return None
        if key in self.collection_ids:
            return self.collection_ids[key]
        found = self.lock.by_path("collections", key)
        if found is None:
            raise KbsyncError(f"collection {key!r} was not created; cannot place its content")
        return found[1].id

    def _resolve_links(self, html: str, *, final: bool) -> str:
        def url(key: str) -> str | None:
            return self.article_urls.get(key) or (self._lookup_url(key) if final else None)

        return fill_html(html, url)

    def _lookup_url(self, key: str) -> str | None:
        found = self.lock.by_path("articles", key)
        if found is None:
            return None
        url = self.client.get_article(found[1].id).url
        if url:
            self.article_urls[key] = url
        return url

    def _fix_links(self) -> None:
        """Second pass: bodies sent while a link target did not exist yet."""
        for key, (article_id, template) in sorted(self._fixups.items()):
            html = self._resolve_links(template, final=True)
            change = Change("article", key, Action.UPDATE, "", "")
            refuse_placeholders(change, {"content_html": html})
            remote = self.client.patch_article(article_id, {"content_html": html})
            found = self.lock.by_id("articles", article_id)
            if found is not None:
                slug, entry = found
                self.lock.put("articles", slug, LockEntry(
                    article_id, entry.path, fields_fingerprint(remote.fields),
                    remote.updated_at, entry.local))
                self.save_lock(self.lock)
        self._fixups.clear()

    # -- the lock ------------------------------------------------------------------------

    def _record(self, section: Section, change: Change, remote_id: int, fingerprint: str,
                updated_at: str | None) -> None:
        self.lock.put(section, change.slug, LockEntry(
            id=remote_id, path=change.key, remote=fingerprint, updated_at=updated_at,
            local=change.local_fingerprint))
        self.save_lock(self.lock)

    def _record_portal(self, portal: Portal) -> None:
        self.lock.portal = PortalEntry(fields_fingerprint(portal.settings), portal.updated_at)
        self.save_lock(self.lock)


def _needs_link_pass(steps: list[Change]) -> bool:
    """Whether a body links to an article whose URL its own step cannot know yet (one
    written by the same step or a later one): then a second pass fills those links in,
    and the progress counts it as a step. Bodies whose targets are all known by then
    need none, so a one-article update is one step."""
    written: set[str] = set()
    for change in steps:
        if change.kind != "article":
            continue
        for item in change.fields:
            if item.field == "content_html" and isinstance(item.after, str) and any(
                    target not in written for target in placeholder_targets(item.after)):
                return True
        if change.action.writes and change.action is not Action.DELETE:
            written.add(change.key)
    return False
