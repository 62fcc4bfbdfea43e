"""``watch --push-drafts``: each saved article also goes to initdesk, as a draft only.

So a writer can check a page in the real portal while writing. The push is a one-article
plan with the status forced to ``draft``, run by apply's own executor (the lock follows,
so the next ``plan`` sees the draft as synced, not as a web-UI edit, and the text pushed
is kept as a merge base, as apply keeps it). It never publishes, never deletes, never
creates a collection, and refuses an article that is published in initdesk (a save must
not unpublish it) or that was edited there since the last sync. Every request goes
through the client's budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from kbsync.apply.bookkeeping import record_bases
from kbsync.apply.executor import Executor
from kbsync.apply.uploads import StoreUploader
from kbsync.assets.store import AssetStore
from kbsync.config import Config
from kbsync.engine import Checked, Workspace
from kbsync.engine.remote import open_lock, read_remote, unknown_assets
from kbsync.errors import NotFoundError
from kbsync.frontend import open_workspace
from kbsync.local.renames import match_local
from kbsync.lock import save_lock
from kbsync.model import ActualState, DesiredState, Lock, RemoteRef
from kbsync.plan.diff import DiffOptions
from kbsync.plan.links import LINK_PLACEHOLDER
from kbsync.plan.model import Action, Change, Plan
from kbsync.plan.planner import asset_changes, build_plan
from kbsync.remote.client import HelpCenterClient
from kbsync.runlock import RunLocked, hold_run_lock

__all__ = ["DraftPusher", "Pushed", "describe"]


@dataclass(frozen=True, slots=True)
class Pushed:
    """What happened to one saved article: ``action`` is created, updated, unchanged or
    refused (``reason`` says why)."""

    key: str
    action: str
    reason: str = ""


class DraftPusher:
    """Pushes saved articles as drafts; one client and one read of the Help Center.

    It keeps a workspace of its own (pushes run on their own thread, beside the
    preview's rebuilds), so a push checks the tree from kept parses and renders only
    what changed.
    """

    def __init__(self, config: Config, client: HelpCenterClient, remote: RemoteRef,
                 workspace: Workspace | None = None, store: AssetStore | None = None) -> None:
        self.config = config
        self.client = client
        self.remote = remote
        self.store = store  # a pushed draft's new images are uploaded first, as apply does
        self.workspace = workspace or open_workspace(config)
        self.actual: ActualState | None = None

    def push(self, keys: Iterable[str]) -> list[Pushed]:
        keys = sorted(set(keys))
        if not keys:
            return []
        checked = self.workspace.check()
        blocking = {p.path for p in checked.errors}
        identity = [p for p in checked.errors if p.identity]
        out = [Pushed(key, "refused", "it has errors (see above)") for key in keys
               if key in blocking or identity]
        todo = [key for key in keys if key not in blocking and not identity]
        if todo:
            out.extend(self._push(todo, checked))
        return sorted(out, key=lambda p: p.key)

    def _push(self, keys: list[str], checked: Checked) -> list[Pushed]:
        try:
            with hold_run_lock(self.config.state_dir, "watch --push-drafts"):
                return self._push_locked(keys, checked)
        except RunLocked as exc:  # an apply or pull is running: the next save tries again
            return [Pushed(key, "refused", str(exc)) for key in keys]

    def _push_locked(self, keys: list[str], checked: Checked) -> list[Pushed]:
        local = self.workspace.accept(checked, identity_only=True)
        lock = open_lock(self.config, self.remote)
        desired = local.desired()
        actual = self._actual(lock, keys, desired)
        drafts = tuple(replace(a, status="draft") if a.key in keys else a
                       for a in local.tree.articles)
        desired = replace(desired, articles=drafts)
        desired = desired.with_bodies(local.filled(self.workspace.render(keys)))
        plan = build_plan(desired=desired, actual=actual, lock=lock, remote=self.remote,
                          options=DiffOptions(), targets=keys,
                          matching=match_local(desired, actual, lock, self.config.root))
        out: list[Pushed] = []
        allowed: list[Change] = []
        for key in keys:
            changes = [c for c in plan.changes if c.key == key or (
                c.kind == "collection" and key.startswith(c.key + "/"))]
            verdict = _verdict(key, changes, actual)
            if verdict is not None:
                out.append(verdict)
            else:
                allowed.extend(c for c in changes if c.key == key)
        if allowed:
            uploads, _ = unknown_assets(local, lock, self.store, [c.key for c in allowed])
            lock.bind(self.remote)
            executor = Executor(self.client, lock,
                                lambda now: save_lock(now, self.config.lock_path),
                                uploader=(StoreUploader(self.config.root, self.store)
                                          if self.store is not None else None))
            result = executor.run(Plan(self.remote, (*asset_changes(uploads), *allowed)))
            # as apply does: pull merges against these texts, and a file renamed and
            # edited before the next apply is found by them
            record_bases(self.config.root, lock, result.done)
            for change in result.done:
                if change.kind == "asset":
                    continue  # uploaded for the draft: not an article of its own
                out.append(Pushed(change.key, "created" if change.action is Action.CREATE
                                  else "updated"))
                self._remember(lock, change)
            if result.failed is not None:
                out.append(Pushed(result.failed.key, "refused", str(result.error)))
        return out

    def _actual(self, lock: Lock, keys: list[str], desired: DesiredState) -> ActualState:
        """The Help Center as last read, with the items about to be pushed read again."""
        if self.actual is None:
            self.actual = read_remote(self.client, lock, with_portal=False)
            return self.actual
        matching = match_local(desired, self.actual, lock, self.config.root)
        articles = dict(self.actual.articles)
        for key in keys:
            found = matching.articles.get(key)
            if found is None or found.remote_id is None:
                continue
            try:
                articles[found.remote_id] = self.client.get_article(found.remote_id)
            except NotFoundError:
                articles.pop(found.remote_id, None)
        self.actual = replace(self.actual, articles=articles)
        return self.actual

    def _remember(self, lock: Lock, change: Change) -> None:
        """Keep a created draft in the state read, so the next save updates it."""
        entry = lock.articles.get(change.slug)
        if self.actual is not None and entry is not None:
            articles = {**self.actual.articles, entry.id: self.client.get_article(entry.id)}
            self.actual = replace(self.actual, articles=articles)


def describe(pushed: Pushed) -> str:
    """One line for the terminal."""
    if pushed.action == "refused":
        return f"not pushed: {pushed.key}: {pushed.reason}"
    if pushed.action == "unchanged":
        return f"draft in initdesk already up to date: {pushed.key}"
    return f"pushed as a draft ({pushed.action}): {pushed.key}"


def _verdict(key: str, changes: list[Change], actual: ActualState) -> Pushed | None:
    """Why ``key`` is not pushed, or None when it may be."""
    own = next((c for c in changes if c.key == key), None)
    if any(c.kind == "collection" and c.action is Action.CREATE for c in changes):
        folder = next(c.key for c in changes if c.kind == "collection")
        return Pushed(key, "refused", f"its collection {folder} is not in initdesk yet; "
                                      "`kbsync apply` creates it")
    if own is None:
        return Pushed(key, "unchanged")
    if own.action is Action.CONFLICT:
        return Pushed(key, "refused", "edited in initdesk since the last sync; "
                                      "`kbsync pull` first")
    remote = actual.articles.get(own.remote_id) if own.remote_id is not None else None
    if remote is not None and remote.fields.status == "published":
        return Pushed(key, "refused", "published in initdesk: watch pushes drafts only, "
                                      "`kbsync apply` updates it")
    html = own.field("content_html")
    if html is not None and isinstance(html.after, str) and LINK_PLACEHOLDER in html.after:
        return Pushed(key, "refused", "it links to an article not in initdesk yet; "
                                      "`kbsync apply` first")
    return None
