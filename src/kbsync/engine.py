"""The pipeline every command shares: files -> checked tree -> desired state -> plan -> apply.

The engine is where the adapters meet the core. It reads and checks everything local
before the first request (bad input never costs a write, or even a read), renders only
the bodies the plan needs, asks the core (``plan.match``, ``plan.planner``) for the
plan, and runs a plan through the executor, keeping the lock and pull's merge bases in
step. Commands call it and print; they decide nothing.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kbsync.apply.bookkeeping import record_bases, sync_lock
from kbsync.apply.executor import ApplyHooks, ApplyResult, Executor
from kbsync.config import Config
from kbsync.coverage.spec import coverage_file_problems
from kbsync.errors import UsageError, ValidationFailed
from kbsync.local.bulk import ArticleParser, Job, Settings, render_templates, workers
from kbsync.local.parse_cache import ParseCache
from kbsync.local.renames import match_local
from kbsync.local.tree import LocalTree, read_tree
from kbsync.lock import load_lock, save_lock
from kbsync.markdown import (
    RENDER_VERSION,
    ArticleKeys,
    MarkdownRenderer,
    ParsedBody,
    renderer_for,
    resolve_relative,
    template_resolver,
)
from kbsync.model import ActualState, DesiredState, Lock, RemoteRef, RenderedBody
from kbsync.plan.diff import DiffOptions
from kbsync.plan.fresh import check_fresh
from kbsync.plan.lockcheck import check_lock_ids, check_lock_remote
from kbsync.plan.match import Matching
from kbsync.plan.model import Plan
from kbsync.plan.planner import bodies_needed, build_plan
from kbsync.portal_file import read_portal
from kbsync.problems import Problem, sort_key
from kbsync.remote.actual import read_actual, read_for_saved_plan
from kbsync.remote.client import HelpCenterClient
from kbsync.statedir import state_dir_problem
from kbsync.validate import check_tree

__all__ = ["Checked", "LocalState", "Planned", "accept_local", "apply_plan", "check_local",
           "open_lock", "plan_against", "plan_root", "plan_saved", "read_local", "read_remote",
           "render_bodies", "resolve_targets", "with_settings"]


@dataclass(frozen=True)
class Checked:
    """Everything local, read and checked; ``problems`` holds errors and warnings."""

    tree: LocalTree
    parsed: Mapping[str, ParsedBody]
    portal: Mapping[str, Any] | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


@dataclass(frozen=True)
class LocalState:
    """A tree that passed the checks, ready to become a desired state."""

    tree: LocalTree
    parsed: Mapping[str, ParsedBody]
    portal: Mapping[str, Any] | None
    warnings: tuple[Problem, ...]
    assets_base_url: str | None
    renderer: MarkdownRenderer = field(default_factory=renderer_for, repr=False)

    @property
    def render_key(self) -> str:
        """What, besides a file's bytes, shapes its HTML: a change re-renders every body."""
        return f"{RENDER_VERSION}|{self.assets_base_url or ''}|{self.renderer.dialect.key}"

    @functools.cached_property
    def article_keys(self) -> ArticleKeys:
        """The articles, found by links in either Unicode normal form."""
        return ArticleKeys(a.key for a in self.tree.articles)

    def desired(self) -> DesiredState:
        """The desired state, no body rendered yet (``with_bodies`` adds them)."""
        return DesiredState(collections=self.tree.collections, articles=self.tree.articles,
                            portal=self.portal,
                            links={a.key: self.link_targets(a.key) for a in self.tree.articles},
                            render_key=self.render_key)

    def link_targets(self, key: str) -> tuple[str, ...]:
        """The articles this body links to (root-relative keys), without rendering it."""
        targets = []
        for link in self.parsed[key].links:
            resolved = None if link.is_image else resolve_relative(key, link.target)
            if resolved is not None and resolved[0].endswith(".md"):
                targets.append(self.article_keys.find(resolved[0]))
        return tuple(targets)


@dataclass(frozen=True)
class Planned:
    """A plan and what it was made from (``desired`` is None for a saved plan)."""

    plan: Plan
    actual: ActualState
    desired: DesiredState | None = None
    matching: Matching | None = None


# -- local -------------------------------------------------------------------------------


def check_local(config: Config, *, strict: bool = False,
                known: Mapping[str, ParsedBody] | None = None) -> Checked:
    """Read every file and run every rule; problems are returned, never raised.

    ``known``: bodies parsed already, from line 1, by their text (``ArticleParser``).
    """
    renderer = renderer_for(config.content.dialect)
    usable = state_dir_problem(config.state_dir) is None  # else the writers say why
    cache = ParseCache(config.state_dir / "cache" / "parsed.json" if usable else None,
                       renderer.dialect)
    parser = ArticleParser(renderer, cache, known)  # parses as the files are read
    tree = read_tree(config.root, config.content, scanned=parser.expect, read=parser.add,
                     split=cache.split)
    parsed = parser.finish()
    problems = check_tree(tree, parsed, assets_base_url=config.content.assets_base_url,
                          strict=strict, heading_ids=config.content.heading_ids)
    portal, portal_problems = read_portal(config.root)
    files = [*portal_problems, *coverage_file_problems(config.root, tree.articles)]
    if strict:
        files = [replace(p, severity="error") for p in files]
    return Checked(tree, parsed, portal, tuple(sorted([*problems, *files], key=sort_key)))


def read_local(config: Config, *, strict: bool = False,
               identity_only: bool = False) -> LocalState:
    """Everything local, checked; ValidationFailed carries every problem at once.

    ``identity_only`` (pull) refuses only the errors that hide which remote item a file
    is; the other problems travel in ``LocalState.warnings`` for the caller to show.
    """
    return accept_local(config, check_local(config, strict=strict), identity_only=identity_only)


def accept_local(config: Config, checked: Checked, *, identity_only: bool = False) -> LocalState:
    """``read_local`` for a tree the caller has checked already (no second read)."""
    blocking = [p for p in checked.errors if p.identity or not identity_only]
    if blocking:
        raise ValidationFailed(checked.problems)
    return LocalState(checked.tree, checked.parsed, checked.portal, checked.problems,
                      config.content.assets_base_url, renderer_for(config.content.dialect))


def render_bodies(local: LocalState, keys: Sequence[str]) -> dict[str, RenderedBody]:
    """Rendered bodies (links to articles as placeholders), in bulk on every core when
    there are many."""
    if workers(len(keys)) > 1:
        jobs = [Job(a.key, a.body, a.body_line)
                for key in keys if (a := local.tree.article(key)) is not None]
        settings = Settings(local.renderer.dialect, local.assets_base_url, local.article_keys)
        return {key: rendered.template
                for key, rendered in render_templates(jobs, settings).items()}
    out: dict[str, RenderedBody] = {}
    for key in keys:
        article = local.tree.article(key)
        assert article is not None
        parsed = local.parsed[key]
        if parsed.tokens is None:  # checked from the cache or in a worker: parse it now
            parsed = local.renderer.parse(article.body, article.body_line)
        out[key] = local.renderer.render(parsed, article_key=key,
                                         resolve_article_url=template_resolver,
                                         assets_base_url=local.assets_base_url,
                                         article_keys=local.article_keys)
    return out


def resolve_targets(local: LocalState, targets: Sequence[str], cwd: Path) -> tuple[str, ...]:
    """``--target`` paths as knowledge-base keys; a path that matches nothing is a usage
    error naming the closest ones.

    A target may be written relative to the knowledge base or to the current folder
    (``kbsync -C kb plan --target kb/billing`` from the repository root, or
    ``--target billing``).
    """
    keys = [*(c.key for c in local.tree.collections), *(a.key for a in local.tree.articles)]
    out = []
    for target in targets:
        found = _target_key(target, keys, local.tree.root, cwd)
        if found is None:
            close = difflib.get_close_matches(target.strip("/"), keys, n=3, cutoff=0.4)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UsageError(f"--target {target}: matches nothing in the knowledge base{hint}")
        out.append(found)
    return tuple(out)


def _target_key(target: str, keys: Sequence[str], root: Path, cwd: Path) -> str | None:
    """The key ``target`` names: relative to the current folder first when that folder is
    inside the knowledge base (``--target refunds.md`` in ``billing/``, as git reads
    paths), else relative to the knowledge base first."""
    def matches(key: str) -> bool:
        return key in (".", "") or any(k == key or k.startswith(key + "/") for k in keys)

    written = target.strip().rstrip("/")
    as_written = written.removeprefix("./") or "."
    try:
        here = (cwd / written).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        here = None
    inside = cwd.resolve().is_relative_to(root.resolve())
    for candidate in ((here, as_written) if inside else (as_written, here)):
        if candidate is not None and matches(candidate):
            return candidate
    return None


# -- the lock and the remote ------------------------------------------------------------


def open_lock(config: Config, remote: RemoteRef) -> Lock:
    """kbsync.lock, refused before any request when it belongs to another Help Center.

    Every command that reads or writes the remote with the lock opens it here (plan,
    apply, apply PLANFILE, pull), so none can send a request for a lock made elsewhere.
    """
    lock = load_lock(config.lock_path)
    check_lock_remote(lock, remote)
    return lock


def read_remote(client: HelpCenterClient, lock: Lock, *, with_portal: bool) -> ActualState:
    """The Help Center as it is, after checking that the lock's ids still describe it
    (a hand-edited lock is refused before anything is planned or pulled)."""
    actual = read_actual(client, with_portal=with_portal)
    check_lock_ids(lock, actual)
    return actual


# -- plan --------------------------------------------------------------------------------


def plan_against(local: LocalState, client: HelpCenterClient, lock: Lock, remote: RemoteRef,
                 *, options: DiffOptions = DiffOptions(),
                 targets: Sequence[str] = ()) -> Planned:
    """Read the Help Center, render what changed, and plan.

    ``targets`` are knowledge-base keys: the command resolves what the user typed
    (:func:`resolve_targets`) before it opens the Help Center, so a typo costs nothing.
    The plan records the knowledge base it was made in, so a saved one is applied there
    only (``plan.fresh.check_plan_root``).
    """
    actual = read_remote(client, lock, with_portal=local.portal is not None)
    desired = local.desired()
    matching = match_local(desired, actual, lock, local.tree.root)
    todo = bodies_needed(desired, actual, lock, matching, targets)
    desired = desired.with_bodies(render_bodies(local, todo))
    plan = build_plan(desired=desired, actual=actual, lock=lock, remote=remote,
                      options=options, targets=targets, matching=matching)
    return Planned(replace(plan, root=plan_root(local.tree.root)), actual, desired, matching)


def plan_root(root: Path) -> str:
    """How a plan names the knowledge base it was made in: its absolute path."""
    return str(root.resolve())


def with_settings(options: DiffOptions, config: Config) -> DiffOptions:
    """The command line's options with kbsync.toml's part of them (``on_delete``)."""
    return replace(options, on_delete=config.on_delete)


def plan_saved(plan: Plan, client: HelpCenterClient, remote: RemoteRef,
               lock: Lock | None = None) -> Planned:
    """A saved plan, checked against the Help Center as it is now (StalePlanError), and
    the lock it will update against it."""
    actual = read_for_saved_plan(client, plan)
    if lock is not None:
        check_lock_ids(lock, actual)
    check_fresh(plan, actual, remote)
    return Planned(plan, actual)


# -- apply -------------------------------------------------------------------------------


def apply_plan(planned: Planned, client: HelpCenterClient, lock: Lock, config: Config, *,
               hooks: ApplyHooks | None = None,
               should_stop: Callable[[], bool] = lambda: False) -> ApplyResult:
    """Run the plan step by step, the lock saved after each, then settle the lock.

    After a complete run the lock also follows the items that were in sync but not in
    the plan, and every applied file's text is kept as pull's merge base. The remote
    is recorded in the lock before the first write.
    """
    plan = planned.plan
    lock.bind(plan.remote)
    result = ApplyResult()
    if plan.has_changes:
        executor = Executor(client, lock, lambda current: save_lock(current, config.lock_path),
                            hooks, should_stop=should_stop)
        result = executor.run(plan)
    if result.ok:
        settle_lock(planned, lock, config, result)
    elif result.interrupted:
        save_lock(lock, config.lock_path)
    return result


def settle_lock(planned: Planned, lock: Lock, config: Config, result: ApplyResult) -> None:
    """The lock after a complete run: in-sync items followed, bases kept, render key."""
    if planned.desired is not None and planned.matching is not None:
        sync_lock(lock, planned.desired, planned.actual, planned.matching, planned.plan)
        if not planned.plan.options.get("targets"):
            lock.render = planned.desired.render_key  # every body is what it renders to
    record_bases(config.root, lock, result.done)
    save_lock(lock, config.lock_path)
