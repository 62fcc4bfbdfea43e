"""The preview's one door into the engine: read, check and render exactly as apply does.

Every call the preview makes into reading, validation and rendering is in this module,
so the rest of ``kbsync.preview`` can be tested and changed without them: it sees only
:class:`Engine`, :class:`Rendering` and the local model types (``LocalTree``,
``LocalArticle``, ``LocalCollection``, ``Problem``).

It calls ``local.tree`` (read the tree, or one article), ``kbsync.validate`` (the rules
every command runs; after a save, the per-article rules only on the articles the save
can affect: see :meth:`Engine.check`), ``markdown.render`` / ``local.bulk`` (parse and
render the template with ``kbsync://article/<key>`` placeholders, then
``plan.links.fill_links``) and ``portal_file``.
The HTML is the template apply fills with public URLs, filled here with the preview's
own URLs instead, so it is otherwise byte for byte what apply sends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kbsync.config import Config, ContentSettings
from kbsync.coverage.spec import coverage_file_problems
from kbsync.local.bulk import Job, Settings, parse_articles, render_templates, workers
from kbsync.local.ignore import IGNORE_FILE
from kbsync.local.parse_cache import ParseCache
from kbsync.local.tree import (
    COLLECTION_FILE,
    LocalArticle,
    LocalTree,
    read_article,
    read_tree,
)
from kbsync.markdown import (
    ArticleKeys,
    ParsedBody,
    renderer_for,
    resolve_relative,
    template_resolver,
)
from kbsync.model import RenderedBody
from kbsync.plan.links import fill_links
from kbsync.portal_file import read_portal
from kbsync.problems import Problem, sort_key
from kbsync.validate import check_articles, check_tree, check_whole

__all__ = ["COLLECTION_FILE", "IGNORE_FILE", "Engine", "Rendering"]


@dataclass(frozen=True, slots=True)
class Rendering:
    """One article body as the preview shows it."""

    source_hash: str
    html: str  # apply's HTML, article links pointing into the preview
    text: str  # the plain text apply sends as ``content`` (what search indexes)
    targets: frozenset[str]  # root-relative paths its links and images point at


class Engine:
    """Reads, checks and renders with the engine's own functions, keeping what it can.

    Parses are kept by file content (git blob id) in memory, so the whole-tree checks
    after a save parse only the saved file; renderings are kept by (key, content).
    """

    def __init__(self) -> None:
        self.renderer = renderer_for()
        self._parses = ParseCache(None, self.renderer.dialect)  # by blob id, in memory
        self._renderings: dict[tuple[str, str], Rendering] = {}
        self._metas: dict[str, ParsedBody] = {}  # blob id -> links and anchors
        self._checked: _Checked | None = None

    def read_tree(self, config: Config) -> LocalTree:
        return read_tree(config.root, config.content)

    def reread(self, tree: LocalTree, keys: Iterable[str], config: Config) -> LocalTree | None:
        """``tree`` with the articles at ``keys`` read again from disk, or None when one
        of them is no longer an article (the structure changed: read the whole tree)."""
        fresh: dict[str, LocalArticle] = {}
        problems: list[Problem] = []
        for key in keys:
            article, found = read_article(config.root, key, config.content)
            if article is None or tree.article(key) is None:
                return None
            fresh[key] = article
            problems.extend(found)
        articles = tuple(fresh.get(a.key, a) for a in tree.articles)
        kept = [p for p in tree.problems if p.path not in fresh]
        return LocalTree(tree.root, tree.collections, articles,
                         tuple(sorted([*kept, *problems], key=sort_key)))

    def is_article(self, key: str, config: Config) -> bool:
        """Whether the file at ``key`` is an article now (not hidden, ignored or gone)."""
        return read_article(config.root, key, config.content)[0] is not None

    def render(self, articles: Sequence[LocalArticle], config: Config,
               url_of: Callable[[str], str]) -> dict[str, Rendering]:
        """The rendering of each article, made only where its content is new.

        A big batch (the first build of a large knowledge base) renders on every core,
        as plan does; a save renders in-process.
        """
        self._use_dialect(config)
        keys = ArticleKeys(a.key for a in articles)
        settings = Settings(self.renderer.dialect, config.content.assets_base_url, keys)
        out: dict[str, Rendering] = {}
        todo = []
        for article in articles:
            kept = self._renderings.get((article.key, article.source_hash))
            if kept is None:
                todo.append(article)
            else:
                out[article.key] = kept
        if workers(len(todo)) > 1:
            done = render_templates([Job(a.key, a.body, a.body_line) for a in todo], settings)
            made = {key: (r.meta, r.template) for key, r in done.items()}
        else:
            made = {a.key: self._render_one(a, settings) for a in todo}
        for article in todo:
            meta, template = made[article.key]
            self._parses.put(article.source_hash, meta)
            self._metas[article.source_hash] = meta
            rendering = Rendering(article.source_hash, fill_links(template, url_of).html,
                                  template.text, _targets(article.key, meta))
            self._renderings[(article.key, article.source_hash)] = out[article.key] = rendering
        return out

    def _render_one(self, article: LocalArticle,
                    settings: Settings) -> tuple[ParsedBody, RenderedBody]:
        parsed = self.renderer.parse(article.body, article.body_line)
        template = self.renderer.render(parsed, article_key=article.key,
                                        resolve_article_url=template_resolver,
                                        assets_base_url=settings.assets_base_url,
                                        article_keys=settings.article_keys)
        return replace(parsed, tokens=None), template

    def _use_dialect(self, config: Config) -> None:
        """The renderer of the settings' Markdown dialect; what another one made is gone."""
        renderer = renderer_for(config.content.dialect)
        if renderer.dialect != self.renderer.dialect:
            self.renderer = renderer
            self._parses = ParseCache(None, renderer.dialect)
            self.forget()

    def check(self, tree: LocalTree, config: Config,
              changed: Collection[str] | None = None) -> list[Problem]:
        """Every problem validate would report for ``tree`` (rendered first: no parsing).

        With ``changed`` (paths saved since the last check, the tree's files and folders
        otherwise the same) only what they can affect is checked again: the saved
        articles, the articles linking to a changed path, and the cheap whole-tree rules
        (slugs, positions). The rest is the last check's. On 2,000 articles that is a
        few milliseconds instead of a hundred, which is most of a save's latency.
        """
        self._use_dialect(config)
        last = self._checked
        whole = _whole_tree(tree)
        if (changed is None or last is None or last.content != config.content
                or {a.key for a in last.tree.articles} != {a.key for a in tree.articles}):
            parsed = parse_articles(tree.articles, self.renderer, self._parses)
            problems = check_tree(tree, parsed,
                                  assets_base_url=config.content.assets_base_url,
                                  heading_ids=config.content.heading_ids)
        else:
            paths = frozenset(changed)
            affected = {a.key for a in tree.articles
                        if a.key in paths or self._targets_of(a) & paths
                        or self._targets_of(last.tree.article(a.key)) & paths}
            # the last check's per-article problems (all of them carry the article's
            # path), except those of the affected articles, which are checked again
            kept = Counter({p: n for p, n in (Counter(last.problems) - last.whole).items()
                            if p.path not in affected})
            fresh = whole + self._per_article(tree, affected, config.content.assets_base_url)
            problems = sorted((kept + fresh).elements(), key=sort_key)
        self._checked = _Checked(tree, config.content, tuple(problems), whole)
        return problems

    def _per_article(self, tree: LocalTree, keys: Iterable[str],
                     assets: str | None) -> Counter[Problem]:
        parsed = {a.key: self._metas[a.source_hash] for a in tree.articles}
        return Counter(check_articles(tree, parsed, keys, assets_base_url=assets))

    def _targets_of(self, article: LocalArticle | None) -> frozenset[str]:
        if article is None:
            return frozenset()
        kept = self._renderings.get((article.key, article.source_hash))
        return kept.targets if kept is not None else frozenset()

    def forget(self, keep: Mapping[str, str] | None = None) -> None:
        """Drop renderings of files that are gone (``keep``: key -> current blob id), or
        all of them (``None``, after a settings change that reshapes the HTML)."""
        if keep is None:
            self._renderings.clear()
            self._metas.clear()
            self._checked = None
            return
        self._renderings = {k: r for k, r in self._renderings.items() if keep.get(k[0]) == k[1]}
        blobs = set(keep.values())
        self._metas = {b: m for b, m in self._metas.items() if b in blobs}


@dataclass(frozen=True, slots=True)
class _Checked:
    tree: LocalTree
    content: ContentSettings  # the settings the check ran with
    problems: tuple[Problem, ...]
    whole: Counter[Problem]  # the part of ``problems`` from the whole-tree rules


def _whole_tree(tree: LocalTree) -> Counter[Problem]:
    return Counter(check_whole(tree))


def read_portal_file(root: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    return read_portal(root)


def coverage_problems(root: Path, tree: LocalTree) -> list[Problem]:
    """coverage.yaml's problems, as validate reports them (its expect: slugs checked
    against the tree's articles)."""
    return coverage_file_problems(root, tree.articles)


def _targets(key: str, meta: ParsedBody) -> frozenset[str]:
    found = set()
    for link in meta.links:
        resolved = resolve_relative(key, link.target)
        if resolved is not None:
            found.add(resolved[0])
    return frozenset(found)
