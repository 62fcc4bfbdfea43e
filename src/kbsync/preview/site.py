"""The preview's model: which pages exist, what each shows, and what is wrong.

A :class:`Build` is an immutable snapshot the server reads without locks; :class:`Site`
makes a new one after each batch of file changes and swaps it in. A failed rebuild
leaves the previous build in place, so the last good preview keeps being served.

Incremental on purpose: a saved article is re-read and re-rendered alone (the whole
tree is only re-read when files or folders appear, vanish or move, or a
``_collection.yaml`` / ``.kbsyncignore`` / ``kbsync.toml`` changes). The whole-tree
checks run after every change, from the kept parses, so a rename that breaks links in
other articles shows on their pages at once.

A file with errors keeps showing its last valid version, with the errors above it;
warnings show with the new version. A file that never was valid shows as read.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

from kbsync.config import (
    CONFIG_FILE,
    COVERAGE_FILE,
    LOCK_FILE,
    PORTAL_FILE,
    STATE_DIR,
    Config,
)
from kbsync.coverage.local_index import LocalIndex
from kbsync.engine import Checked, Workspace
from kbsync.engine.workspace import WHOLE_TREE_FILES
from kbsync.errors import ConfigError
from kbsync.frontend import open_workspace
from kbsync.local.tree import LocalArticle, LocalCollection, LocalTree
from kbsync.model import ArticleFields, CollectionFields, PortalSettings, RenderedBody
from kbsync.plan.links import fill_assets, fill_links
from kbsync.problems import Problem, sort_key

DEFAULT_NAME = "Help Center"
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_CONFIG_LINE = re.compile(rf"^{re.escape(CONFIG_FILE)}(?::(\d+))?: ?(.*)$")
#: Root files that are neither content nor shown.
_NOT_SHOWN = frozenset({LOCK_FILE})


def article_url(key: str) -> str:
    """``billing/refunds.md`` -> ``/billing/refunds``: the page sits where the file does,
    so a relative image path in the body resolves to the image's path in the folder."""
    return "/" + quote(key[: -len(".md")] if key.endswith(".md") else key)


def collection_url(key: str) -> str:
    return "/" + quote(key) + "/"


@dataclass(frozen=True, slots=True)
class Look:
    """What readers see of the portal settings: its name and primary colour."""

    name: str = DEFAULT_NAME
    color: str = PortalSettings(name=DEFAULT_NAME).primary_color


@dataclass(frozen=True, slots=True)
class Rendering:
    """One article body as the preview shows it."""

    source_hash: str
    html: str  # apply's HTML, article links pointing into the preview
    text: str  # the plain text apply sends as ``content`` (what search indexes)
    targets: frozenset[str]  # root-relative paths its links and images point at


@dataclass(frozen=True, slots=True)
class Page:
    """One article as the preview shows it: the file's fields and its rendered body."""

    article: LocalArticle
    rendering: Rendering

    @property
    def key(self) -> str:
        return self.article.key

    @property
    def url(self) -> str:
        return article_url(self.article.key)


@dataclass(frozen=True)
class Build:
    """One consistent state of the preview; read by server threads, never mutated."""

    id: str
    root: Path
    look: Look
    collections: tuple[LocalCollection, ...]  # shown versions, parents before children
    pages: Mapping[str, Page]  # article key -> shown version
    stale: frozenset[str]  # articles showing an older version than the file (it has errors)
    problems: tuple[Problem, ...]  # everything validate would report now, sorted
    moved: Mapping[str, str] = field(default_factory=dict)  # gone key -> key with its slug
    built_ms: float = 0.0
    ready: bool = True  # False only before the first read: pages say it is coming

    @cached_property
    def by_path(self) -> Mapping[str, tuple[Problem, ...]]:
        grouped: dict[str, list[Problem]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.path, []).append(problem)
        return {path: tuple(found) for path, found in grouped.items()}

    @cached_property
    def collection_by_key(self) -> Mapping[str, LocalCollection]:
        return {c.key: c for c in self.collections}

    @cached_property
    def children(self) -> Mapping[str | None, tuple[tuple[LocalCollection, ...],
                                                    tuple[Page, ...]]]:
        """Per collection key (None: the top level), its collections and articles in
        reader order: by position, then by path."""
        folders: dict[str | None, list[LocalCollection]] = {}
        articles: dict[str | None, list[Page]] = {}
        for collection in self.collections:
            folders.setdefault(collection.parent_key, []).append(collection)
        for page in self.pages.values():
            articles.setdefault(page.article.collection_key, []).append(page)
        keys = set(folders) | set(articles) | {None}
        return {key: (tuple(sorted(folders.get(key, ()), key=lambda c: (c.position, c.key))),
                      tuple(sorted(articles.get(key, ()),
                                   key=lambda p: (p.article.position, p.key))))
                for key in keys}

    @cached_property
    def error_paths(self) -> frozenset[str]:
        return frozenset(p.path for p in self.problems if p.is_error)

    @cached_property
    def site_problems(self) -> tuple[Problem, ...]:
        """Problems of no page: settings files, ignore rules, unreadable folders."""
        own = set(self.pages) | {c.source for c in self.collections} | {
            c.key for c in self.collections}
        return tuple(p for p in self.problems if p.path not in own)

    def problems_of_collection(self, collection: LocalCollection) -> tuple[Problem, ...]:
        found = self.by_path.get(collection.source, ())
        if collection.source != collection.key:
            found += self.by_path.get(collection.key, ())
        return found

    def ancestors(self, collection_key: str | None) -> list[LocalCollection]:
        """The collection and its parents, top level first."""
        chain = []
        while collection_key is not None:
            collection = self.collection_by_key.get(collection_key)
            if collection is None:
                break
            chain.append(collection)
            collection_key = collection.parent_key
        return chain[::-1]

    def article_count(self, collection_key: str) -> int:
        prefix = collection_key + "/"
        return sum(1 for key in self.pages if key.startswith(prefix))

    @cached_property
    def outline(self) -> tuple[object, ...]:
        """Everything a page shows besides one article's body: when this differs between
        two builds, every open page is refreshed, not just the edited article's."""
        return (self.look, self.collections, self.problems,
                tuple((p.key, p.article.title, p.article.excerpt, p.article.status,
                       p.article.position, p.article.collection_key)
                      for p in self.pages.values()))


@dataclass(frozen=True)
class Update:
    """What one rebuild changed, for the browsers and the terminal."""

    build: Build
    pages: frozenset[str] = frozenset()  # article keys whose page changed
    outline: bool = False  # navigation, lists or problems changed: refresh every page
    assets: frozenset[str] = frozenset()  # articles showing a changed local file
    new_problems: tuple[Problem, ...] = ()  # to print: new, or in a file saved just now
    fixed: tuple[str, ...] = ()  # saved files whose errors are gone
    summary: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.pages or self.outline or self.assets)


class Site:
    """Keeps the preview up to date with the files; :meth:`update` is the rebuild."""

    def __init__(self, load_config: Callable[[], Config], *,
                 workspace: Workspace | None = None, index: LocalIndex | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self._load_config = load_config
        self._config = load_config()
        self.root = self._config.root.resolve()
        self.workspace = workspace or open_workspace(self._config)
        self._index = index or LocalIndex()
        self._index_lock = threading.Lock()
        self._indexed: dict[str, Page] = {}
        self._indexed_collections: dict[str, LocalCollection] = {}
        self._clock = clock or time.perf_counter
        self._instance = uuid.uuid4().hex[:8]
        self._number = 0
        self._tree = LocalTree(self.root, (), (), ())
        self._renderings: dict[str, Rendering] = {}
        self._filled: dict[str, tuple[RenderedBody, Rendering]] = {}  # key -> template, shown
        self._good: dict[str, Page] = {}
        self._good_collections: dict[str, LocalCollection] = {}
        self._look = Look()
        self._config_problems: list[Problem] = []
        self._whole_tree_wanted = True
        self._first_id = self._build_id()
        self._build = Build(self._first_id, self.root, Look(), (), {}, frozenset(), (),
                            ready=False)

    # -- reading (any thread) ----------------------------------------------------------

    @property
    def current(self) -> Build:
        return self._build

    def search(self, query: str, limit: int = 20) -> list[tuple[Page, float]]:
        """Published articles for ``query``, best first, as initdesk's search ranks them."""
        build = self._build
        with self._index_lock:
            hits = self._index.search(query, limit=limit)
        return [(build.pages[key], hit.score) for key, hit in hits if key in build.pages]

    def close(self) -> None:
        with self._index_lock:
            self._index.close()

    # -- rebuilding (the watcher's thread) -------------------------------------------

    def update(self, paths: Collection[str] = ()) -> Update:
        """Bring the preview up to date after ``paths`` (root-relative) changed.

        Raises whatever reading fails with; the previous build then stays current and
        the next update reads everything again.
        """
        started = self._clock()
        try:
            update = self._update(set(paths), started)
        except BaseException:
            self._whole_tree_wanted = True
            raise
        return update

    def _update(self, paths: set[str], started: float) -> Update:
        if self._whole_tree_wanted or paths & WHOLE_TREE_FILES:
            return self._read_everything(paths, started)
        edited: list[str] = []
        assets: set[str] = set()
        portal = checks = False
        for path in paths:
            kind = self._classify(path)
            if kind == "structure":
                return self._read_everything(paths, started)
            if kind == "article":
                edited.append(path)
            elif kind == "portal":
                portal = True
            elif kind == "checks":
                checks = True
            elif kind == "asset":
                assets.add(path)
        if not (edited or portal or assets or checks):
            return Update(self._build)
        checked = self.workspace.check(paths)
        if any(checked.tree.article(key) is None for key in edited):  # gone: a whole read
            return self._publish(checked, [p for p in paths if checked.tree.article(p)],
                                 paths, set(), started, _whole(checked.tree))
        what = (", ".join(sorted(edited)) or ("portal.yaml" if portal else "")
                or ", ".join(sorted(assets)) or COVERAGE_FILE)
        return self._publish(checked, edited, paths, assets, started, what)

    def _classify(self, path: str) -> str:
        """'article', 'portal', 'checks', 'asset', 'structure' or 'none' for one changed
        path ('checks': only the problems change)."""
        if path == PORTAL_FILE:
            return "portal"
        if path == COVERAGE_FILE:
            return "checks"
        if path in _NOT_SHOWN or path.startswith(STATE_DIR + "/"):
            return "none"
        if path.endswith(".md") and self._tree.article(path) is not None:
            return "article"
        if self.workspace.reshapes(path):
            return "structure"
        return "asset" if path in self._targets else "none"  # an image a page shows

    def links_to(self, path: str) -> bool:
        """Some article links to this file (an image, a PDF): the preview may serve it.
        Nothing else is served, so neither kbsync's own files nor a team's data beside
        the articles (``tickets.json``, the lock) are readable by whoever reaches it."""
        return path in self._targets

    @cached_property
    def _targets(self) -> frozenset[str]:
        """Every path a link or image of an article points at."""
        return frozenset().union(*(r.targets for r in self._renderings.values()))

    def _read_everything(self, paths: set[str], started: float) -> Update:
        self._read_config()
        checked = self.workspace.check(render=True)  # every page shows: parse and render once
        tree = checked.tree
        edited = [p for p in paths if tree.article(p) is not None]
        return self._publish(checked, edited, paths, set(), started, _whole(tree))

    def _read_config(self) -> None:
        """Reload kbsync.toml into the workspace (what the old settings shaped is made
        again). An invalid file is shown as a problem and the last valid settings stay."""
        try:
            config = self._load_config()
        except ConfigError as exc:
            self._config_problems = [_config_problem(line) for line in str(exc).splitlines()]
            return
        self._config_problems = []
        self._config = config
        self.workspace.configure(config)

    def _read_look(self, checked: Checked) -> None:
        """The portal's name and colour; the last valid look stays while portal.yaml has
        errors."""
        if any(p.is_error and p.path == PORTAL_FILE for p in checked.problems):
            return
        settings = checked.portal or {}
        name = settings.get("name")
        color = settings.get("primary_color")
        self._look = Look(
            name=name if isinstance(name, str) and name.strip() else DEFAULT_NAME,
            color=color if isinstance(color, str) and _COLOR.match(color) else Look().color)

    def _render(self, tree: LocalTree) -> dict[str, Rendering]:
        """Every page's body: the workspace's template (made once per content), its
        links filled with the preview's URLs once per template, and its images and files
        with their paths: they load from the folder, whatever ``[assets]`` says (a new
        screenshot shows before it is published)."""
        templates = self.workspace.render(a.key for a in tree.articles)
        out: dict[str, Rendering] = {}
        for article in tree.articles:
            template = templates[article.key]
            kept = self._filled.get(article.key)
            if kept is None or kept[0] is not template:
                local = fill_assets(fill_links(template, article_url), _in_folder, article.key)
                kept = template, Rendering(article.source_hash, local.html,
                                           template.text, self.workspace.linked(article.key))
            out[article.key] = kept[1]
        self._filled = {key: (templates[key], rendering) for key, rendering in out.items()}
        return out

    def _publish(self, checked: Checked, edited: Iterable[str], paths: set[str],
                 assets: set[str], started: float, what: str) -> Update:
        tree = checked.tree
        self._renderings = self._render(tree)
        self._read_look(checked)
        problems = sorted([*checked.problems, *self._config_problems], key=sort_key)
        self._tree = tree
        self.__dict__.pop("_targets", None)
        self._whole_tree_wanted = False
        old = self._build
        build = self._new_build(tree, problems, old, started)
        update = _difference(old, build, set(edited), paths, assets, what)
        if not update.changed and old.id != self._first_id:
            return Update(old)  # a save that changed nothing: no new build, no event
        self._build = build
        self._sync_index(build)
        return update

    def _new_build(self, tree: LocalTree, problems: list[Problem], old: Build,
                   started: float) -> Build:
        errors = {p.path for p in problems if p.is_error}
        pages: dict[str, Page] = {}
        stale = set()
        for article in tree.articles:
            previous = old.pages.get(article.key)
            rendering = self._renderings[article.key]
            if (previous is not None and previous.article == article
                    and previous.rendering == rendering):
                current = previous  # kept as is: unchanged pages compare by identity
            else:
                current = Page(article, rendering)
            if article.key not in errors:
                self._good[article.key] = current
            shown = self._good.get(article.key, current)
            if shown is not current:
                stale.add(article.key)
            pages[article.key] = shown
        self._good = {k: v for k, v in self._good.items() if k in pages}
        collections = []
        for collection in tree.collections:
            if collection.source not in errors:
                self._good_collections[collection.key] = collection
            collections.append(self._good_collections.get(collection.key, collection))
        self._good_collections = {c.key: c for c in collections}
        moved = _moved(old, pages)
        self._number += 1
        return Build(self._build_id(), self.root, self._look, tuple(collections), pages,
                     frozenset(stale), tuple(problems), moved,
                     built_ms=(self._clock() - started) * 1000)

    def _build_id(self) -> str:
        return f"{self._instance}.{self._number}"

    def _sync_index(self, build: Build) -> None:
        """Put what changed into the search index; readers' view: the shown versions."""
        with self._index_lock:
            for collection in build.collections:
                if self._indexed_collections.get(collection.key) != collection:
                    self._index.put_collection(collection.key, CollectionFields(
                        name=collection.name, slug=collection.slug,
                        description=collection.description, position=collection.position),
                        collection.parent_key)
                    self._indexed_collections[collection.key] = collection
            for key in [k for k in self._indexed if k not in build.pages]:
                self._index.remove_article(key)
                del self._indexed[key]
            for key, page in build.pages.items():
                if self._indexed.get(key) == page:
                    continue
                article = page.article
                self._index.put_article(key, ArticleFields(
                    title=article.title, slug=article.slug, excerpt=article.excerpt,
                    status=article.status, position=article.position,
                    content_html=page.rendering.html, content=page.rendering.text),
                    article.collection_key)
                self._indexed[key] = page


def _whole(tree: LocalTree) -> str:
    """What a rebuild that read everything says it read."""
    count = len(tree.articles)
    return f"the knowledge base ({count} article{'s' if count != 1 else ''})"


def _difference(old: Build, new: Build, edited: set[str], paths: set[str],
                assets: set[str], what: str) -> Update:
    keys = set(old.pages) | set(new.pages)
    pages = frozenset(
        key for key in keys
        if old.pages.get(key) != new.pages.get(key)
        or old.by_path.get(key) != new.by_path.get(key)
        or (key in old.stale) != (key in new.stale))
    showing_assets = frozenset(
        key for key, page in new.pages.items() if page.rendering.targets & assets)
    old_problems = set(old.problems)
    touched = edited | paths
    new_problems = tuple(p for p in new.problems if p not in old_problems or p.path in touched)
    fixed = tuple(sorted(path for path in touched
                         if path in old.error_paths and path not in new.error_paths))
    return Update(new, pages, old.outline != new.outline, showing_assets, new_problems,
                  fixed, what)


def _moved(old: Build, pages: Mapping[str, Page]) -> dict[str, str]:
    """Keys that vanished, pointing at the article that now has their slug (a rename or
    a move keeps the slug, so an open page can follow its article)."""
    by_slug = {page.article.slug: key for key, page in pages.items()}
    moved = {gone: target for gone, target in old.moved.items()
             if gone not in pages and target in pages}
    for key, page in old.pages.items():
        if key not in pages and page.article.slug in by_slug:
            moved[key] = by_slug[page.article.slug]
    return moved


def _config_problem(line: str) -> Problem:
    match = _CONFIG_LINE.match(line)
    if match is None:
        return Problem(CONFIG_FILE, line, hint="the preview keeps the last valid settings")
    number = int(match.group(1)) if match.group(1) else None
    return Problem(CONFIG_FILE, match.group(2), line=number,
                   hint="the preview keeps the last valid settings")


def _in_folder(path: str) -> None:
    """No published URL for any file: the preview serves each from the folder."""
    return None
