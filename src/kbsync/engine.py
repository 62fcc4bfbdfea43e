"""The shared pipeline of plan, apply and pull: files -> checked tree -> plan.

Everything local is read and validated before the first request, so bad input never
costs a write (or even a read). The Markdown is parsed once per run and reused by the
checks and by the renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kbsync.commands.validate import cache_path, check_tree
from kbsync.config import Config
from kbsync.errors import ValidationFailed
from kbsync.local.bulk import Job, render_templates, workers
from kbsync.local.markdown import (
    RENDER_VERSION,
    MarkdownRenderer,
    ParsedBody,
    RenderedBody,
    fill_links,
    resolve_relative,
    template_resolver,
)
from kbsync.local.parse_cache import ParseCache
from kbsync.local.tree import LocalTree, read_tree
from kbsync.lock import Lock
from kbsync.plan.diff import DiffOptions
from kbsync.plan.model import Plan, RemoteRef
from kbsync.plan.planner import build_plan
from kbsync.portal_file import read_portal
from kbsync.problems import Problem, sort_key
from kbsync.remote.actual import ActualState, read_actual
from kbsync.remote.client import HelpCenterClient


@dataclass(frozen=True)
class LocalState:
    tree: LocalTree
    parsed: Mapping[str, ParsedBody]
    portal: Mapping[str, Any] | None
    warnings: tuple[Problem, ...]
    renderer: MarkdownRenderer
    assets_base_url: str | None
    templates: dict[str, RenderedBody] = field(default_factory=dict)

    def prepare(self, keys: Sequence[str]) -> None:
        """Render these bodies now, in bulk (on every core when there are many)."""
        todo = [key for key in keys if key not in self.templates]
        if workers(len(todo)) == 1:
            for key in todo:
                self.templates[key] = self._template(key)
            return
        jobs = [Job(a.key, a.body, a.body_line)
                for key in todo if (a := self.tree.article(key)) is not None]
        for key, rendered in render_templates(jobs, self.assets_base_url).items():
            self.templates[key] = rendered.template

    def render(self, key: str, resolve: Callable[[str], str | None]) -> RenderedBody:
        template = self.templates.get(key)
        if template is None:
            template = self.templates[key] = self._template(key)
        return fill_links(template, resolve)

    def _template(self, key: str) -> RenderedBody:
        parsed = self.parsed[key]
        if parsed.tokens is None:  # checked from the cache or in a worker: parse it now
            article = self.tree.article(key)
            assert article is not None
            parsed = self.renderer.parse(article.body, article.body_line)
        return self.renderer.render(parsed, article_key=key,
                                    resolve_article_url=template_resolver,
                                    assets_base_url=self.assets_base_url)

    def link_targets(self, key: str) -> tuple[str, ...]:
        """The articles this body links to (root-relative keys), without rendering it."""
        targets = []
        for link in self.parsed[key].links:
            resolved = None if link.is_image else resolve_relative(key, link.target)
            if resolved is not None and resolved[0].endswith(".md"):
                targets.append(resolved[0])
        return tuple(targets)

    @property
    def render_key(self) -> str:
        """What, besides a file's bytes, shapes its HTML: a change re-renders every body."""
        return f"{RENDER_VERSION}|{self.assets_base_url or ''}"


def read_local(config: Config, *, strict: bool = False) -> LocalState:
    """Read and check everything local; raise ValidationFailed with every problem."""
    renderer = MarkdownRenderer()
    tree = read_tree(config.root, config.content)
    problems, parsed = check_tree(tree, config, renderer,
                                  cache=ParseCache(cache_path(config)))
    portal, portal_problems = read_portal(config.root)
    problems = sorted([*problems, *portal_problems], key=sort_key)
    errors = [p for p in problems if p.is_error or strict]
    if errors:
        raise ValidationFailed(problems)
    warnings = tuple(p for p in problems if not p.is_error)
    return LocalState(tree, parsed, portal, warnings, renderer, config.content.assets_base_url)


def plan_against(
    local: LocalState,
    client: HelpCenterClient,
    lock: Lock,
    remote: RemoteRef,
    *,
    options: DiffOptions = DiffOptions(),
    targets: Sequence[str] = (),
) -> tuple[Plan, ActualState]:
    actual = read_actual(client, with_portal=local.portal is not None)
    plan = build_plan(tree=local.tree, actual=actual, lock=lock, bodies=local,
                      remote=remote, portal=local.portal, options=options, targets=targets)
    return plan, actual
