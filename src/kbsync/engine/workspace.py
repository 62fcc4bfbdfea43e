"""The workspace: one knowledge base, read, checked and rendered, and kept.

Every front end goes through one :class:`Workspace`. A one-shot command (validate,
plan, apply, pull, init, coverage) makes one, checks once and drops it; ``watch`` keeps
one alive across saves, and so will the editor integration. What it keeps:

* the parse cache (front matter and the body's links and anchors, by file content; on
  disk in ``.kbsync/cache/`` when the state folder is usable, so a warm run parses
  nothing);
* the renderings (templates with ``kbsync://article/...`` placeholders, by article and
  content), so a body is rendered once however often the tree is checked;
* the last check, so that after a save only what the save can affect is checked again:
  the saved articles, those that link to a changed path, and the cheap whole-tree
  rules (slugs, positions). On 2,000 articles that is a few milliseconds instead of a
  hundred, most of a preview's latency.

A caller can hand it a file's text instead of the disk's (:meth:`Workspace.set_text`:
an editor's unsaved buffer); the file is still found by the walk of the folders.

Files the engine does not own (coverage.yaml) are checked by the ``checks`` the front
end passes in: the engine never imports the front ends above it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from posixpath import basename
from typing import TYPE_CHECKING, Any

from kbsync.assets.home import TEMPLATE
from kbsync.config import CONFIG_FILE, PORTAL_FILE, Config
from kbsync.engine.columns import Locator
from kbsync.engine.local import Checked, LocalState, linked_paths
from kbsync.errors import ValidationFailed
from kbsync.local.assets import published_assets
from kbsync.local.bulk import ArticleParser, Job, Settings, render_templates, warm_up, workers
from kbsync.local.frontmatter import decode
from kbsync.local.ignore import IGNORE_FILE
from kbsync.local.parse_cache import ParseCache
from kbsync.local.reading import read_capped
from kbsync.local.tree import (
    COLLECTION_FILE,
    LocalArticle,
    LocalTree,
    git_blob_sha1,
    read_article,
    read_tree,
)
from kbsync.markdown import ArticleKeys, ParsedBody, renderer_for, template_resolver
from kbsync.model import LocalAsset, RenderedBody
from kbsync.portal_file import read_portal
from kbsync.problems import Problem, sort_key
from kbsync.statedir import state_dir_problem
from kbsync.validate import capped_per_file, check_articles, check_tree, check_whole

if TYPE_CHECKING:
    from kbsync.apply.executor import ApplyHooks, ApplyResult
    from kbsync.assets.store import AssetStore
    from kbsync.engine.remote import Planned
    from kbsync.model import Lock, RemoteRef
    from kbsync.plan.diff import DiffOptions
    from kbsync.plan.model import Plan
    from kbsync.remote.client import HelpCenterClient

__all__ = ["WHOLE_TREE_FILES", "FileCheck", "Workspace"]

#: A check of a file the engine does not own, run with every check of the tree: given the
#: root and the articles, its problems (``coverage.coverage_file_problems``).
FileCheck = Callable[[Path, Sequence[LocalArticle]], Iterable[Problem]]
#: Files whose change can reshape every item: after one, the whole tree is read again.
WHOLE_TREE_FILES = frozenset({CONFIG_FILE, IGNORE_FILE, ""})


class Workspace:
    """One knowledge base and what has been learnt about it; see the module docstring.

    Not thread-safe: one thread checks and renders (the preview's rebuild loop).
    """

    def __init__(self, config: Config, *, checks: Sequence[FileCheck] = ()) -> None:
        self.checks = tuple(checks)
        self._config = config
        self._texts: dict[str, str] = {}
        self._renderings: dict[tuple[str, str], RenderedBody] = {}
        self._article_keys = ArticleKeys()
        self._last: _Last | None = None
        self._parsed: dict[str, ParsedBody] = {}
        self._links: dict[str, frozenset[str]] = {}  # key -> linked(key), made when asked
        self._locator = Locator()  # the columns of the problems with a key
        self.renderer = renderer_for(config.content.dialect)
        self._cache = self._open_cache()

    @property
    def config(self) -> Config:
        return self._config

    def configure(self, config: Config) -> None:
        """New settings (``watch`` after kbsync.toml changed). What the old ones shaped,
        the renderings and the last check, is dropped; the parse cache goes only with
        a new Markdown dialect."""
        old, self._config = self._config, config
        if config.content.dialect != old.content.dialect or config.state_dir != old.state_dir:
            self.renderer = renderer_for(config.content.dialect)
            self._cache = self._open_cache()
        if config.content != old.content or config.root != old.root:
            self._renderings.clear()
            self._last = None
            self._locator.forget(None)

    def _open_cache(self) -> ParseCache:
        usable = state_dir_problem(self._config.state_dir) is None  # else the writers say why
        path = self._config.state_dir / "cache" / "parsed.json" if usable else None
        return ParseCache(path, self.renderer.dialect)

    # -- the files ---------------------------------------------------------------------

    def set_text(self, key: str, text: str | None) -> None:
        """Read ``key`` as ``text`` from now on instead of the file (an editor's unsaved
        buffer), or from the file again (``None``). The next :meth:`check` with ``key``
        among the changed paths sees it."""
        if text is None:
            self._texts.pop(key, None)
        else:
            self._texts[key] = text

    def text_of(self, key: str) -> str | None:
        """The text of the file at ``key`` as the checks read it (an editor's, else the
        disk's), line ends made LF; None when it cannot be read as text."""
        given = self._texts.get(key)
        try:
            raw = (given.encode("utf-8", "surrogateescape") if given is not None else
                   read_capped(self._config.root / key, self._config.content.max_article_bytes))
            return None if raw is None else decode(raw)
        except (OSError, UnicodeError):
            return None

    def is_article(self, key: str) -> bool:
        """Whether the file at ``key`` is an article now (not hidden, ignored or gone)."""
        config = self._config
        return read_article(config.root, key, config.content, texts=self._texts)[0] is not None

    def reshapes(self, path: str) -> bool:
        """Whether a change at ``path`` can add, remove or move items (a settings file, a
        folder, a ``_collection.yaml``, a new article): then only a whole read of the
        tree is right. An article that vanished shows when it is read again."""
        last = self._last
        if last is None or path in WHOLE_TREE_FILES:
            return True
        if path.endswith(".md"):
            return last.tree.article(path) is None and self.is_article(path)
        return (basename(path) == COLLECTION_FILE or path in last.folders
                or (self._config.root / path).is_dir())

    # -- checking ----------------------------------------------------------------------

    def check(self, changed: Collection[str] | None = None, *, strict: bool = False,
              known: Mapping[str, ParsedBody] | None = None,
              render: bool = False, unused: bool = False) -> Checked:
        """Every problem validate reports, the tree and what each body links to.

        ``changed``: the root-relative paths changed since the last check (saved,
        created, deleted, or given a text by :meth:`set_text`); None reads everything.
        When none of them reshapes the tree, only the changed articles are read again
        and only what they can affect is checked again. ``known``: bodies parsed
        already, from line 1, by their text (``init`` parses each as it converts it).
        ``render``: the caller renders every article next (the preview), so a whole read
        renders the new bodies as it parses them, once, instead of parsing them for the
        check and again for the rendering. ``unused`` (``validate --unused``): a whole
        check that also lists the images and documents no article links to.
        """
        last = self._last
        self._locator.forget(changed)
        if (changed is None or last is None or last.strict != strict or unused
                or any(self.reshapes(path) for path in changed)):
            return self._check_all(strict, known, render, unused)
        return self._check_some(last, frozenset(changed))

    def read(self) -> LocalTree:
        """Every collection and article as the checks read them now (the texts given by
        :meth:`set_text` instead of the files'), front matter from the parse cache."""
        config = self._config
        return read_tree(config.root, config.content, split=self._cache.split,
                         texts=self._texts)

    def glance(self, keys: Collection[str], *, tree: LocalTree | None = None) -> Checked:
        """A first look at the articles at ``keys``, before a whole check: every file is
        read (front matter, from the parse cache when it can), but only those bodies and
        the bodies they link to are parsed and checked. The problems of ``keys`` are
        what a whole check finds for them; the others' links are not looked at. Nothing
        is kept as the last check: the next :meth:`check` reads the whole tree.

        What an editor shows first, while the whole check (seconds on a cold tree of
        thousands of articles) is still to come. ``tree``: one :meth:`read` earlier,
        looked at if it holds what the texts given since hold (the editor's server
        reads the tree while it starts, before it hears what the open files hold);
        else the tree is read again.
        """
        config = self._config
        if tree is None or not self._holds_texts(tree):
            tree = self.read()
        parsed = {a.key: self._parse(a) for key in keys if (a := tree.article(key))}
        article_keys = ArticleKeys(a.key for a in tree.articles)
        for key in list(parsed):
            for link, path in linked_paths(key, parsed[key]):
                target = tree.article(article_keys.find(path)) if not link.is_image else None
                if target is not None and target.key not in parsed:
                    parsed[target.key] = self._parse(target)
        problems = [*check_whole(tree), *check_articles(
            tree, parsed, [k for k in keys if k in parsed], assets=config.assets)]
        located = self._locator.located(capped_per_file(sorted(problems, key=sort_key)),
                                        self.text_of)
        return Checked(tree, parsed, None, tuple(located))

    def _holds_texts(self, tree: LocalTree) -> bool:
        """Whether each text given is what ``tree`` read for its file (the same bytes)."""
        for key, text in self._texts.items():
            article = tree.article(key)
            raw = text.encode("utf-8", "surrogateescape")
            if article is None or article.source_hash != git_blob_sha1(raw):
                return False
        return True

    def local(self, *, strict: bool = False, identity_only: bool = False) -> LocalState:
        """Everything local, checked; ValidationFailed carries every problem at once.

        ``identity_only`` (pull) refuses only the errors that hide which remote item a
        file is; the other problems travel in ``LocalState.warnings`` for the caller to
        show.
        """
        return self.accept(self.check(strict=strict), identity_only=identity_only)

    def accept(self, checked: Checked, *, identity_only: bool = False) -> LocalState:
        """:meth:`local` for a tree the caller has checked already (no second read)."""
        blocking = [p for p in checked.errors if p.identity or not identity_only]
        if blocking:
            raise ValidationFailed(checked.problems)
        config = self._config
        published: dict[str, LocalAsset] = {}
        if config.assets.publish:  # each linked file read and hashed: its name and URL
            local = LocalState(checked)
            published = published_assets(config.root, (path for _, path in local.linked_files()))
        home = config.assets.home({path: asset.digest for path, asset in published.items()})
        return LocalState(checked, home, self.renderer, published)

    def _check_all(self, strict: bool, known: Mapping[str, ParsedBody] | None,
                   render: bool = False, unused: bool = False) -> Checked:
        config = self._config
        self._cache.start_pass()
        parser = ArticleParser(self.renderer, self._cache, known)  # parses as files are read
        if render:  # render what is new first: its parse lands in the cache on the way
            tree = read_tree(config.root, config.content, scanned=warm_up,
                             split=self._cache.split, texts=self._texts)
            self._forget_renderings(tree)
            self._parsed = {}  # the last check's parses may be of other contents
            self._make_renderings(tree.articles)
            for article in tree.articles:
                parser.add(article)
        else:
            tree = read_tree(config.root, config.content, scanned=parser.expect,
                             read=parser.add, split=self._cache.split, texts=self._texts)
        self._parsed = parser.finish()
        self._links.clear()
        problems = check_tree(tree, self._parsed, assets=config.assets, strict=strict,
                              heading_ids=config.content.heading_ids, unused=unused, cap=False)
        portal, portal_problems = read_portal(config.root)
        last = _Last(tree, strict, tuple(problems), Counter(check_whole(tree)), portal,
                     tuple(portal_problems))
        return self._checked(last)

    def _check_some(self, last: _Last, paths: frozenset[str]) -> Checked:
        """The check after ``paths`` changed, the tree's files and folders the same."""
        config = self._config
        tree = self._reread(last.tree, [p for p in paths if last.tree.article(p) is not None])
        if tree is None:  # an article is no longer one after all
            return self._check_all(last.strict, None)
        for article in tree.articles:
            if article.key in paths:
                self._parsed[article.key] = self._parse(article)
                self._links.pop(article.key, None)
        # a saved article, and every article that links to (or shows) a changed path;
        # the others' links are what they were
        affected = {a.key for a in tree.articles
                    if a.key in paths or self.linked(a.key) & paths}
        # the last check's per-article problems (all of them carry the article's path),
        # except those of the affected articles, which are checked again
        kept = Counter({p: n for p, n in (Counter(last.problems) - last.whole).items()
                        if p.path not in affected})
        whole = Counter(check_whole(tree))
        fresh = whole + Counter(check_articles(tree, self._parsed, affected,
                                               assets=config.assets))
        problems = tuple(sorted((kept + fresh).elements(), key=sort_key))
        portal, portal_problems = (read_portal(config.root) if PORTAL_FILE in paths
                                   else (last.portal, list(last.portal_problems)))
        return self._checked(replace(last, tree=tree, problems=problems, whole=whole,
                                     portal=portal, portal_problems=tuple(portal_problems)))

    def _checked(self, last: _Last) -> Checked:
        """Keep ``last``; the check with the portal's and the front ends' problems."""
        self._last = last
        self._forget_renderings(last.tree)
        files = [*last.portal_problems,
                 *(p for check in self.checks for p in check(self._config.root,
                                                             last.tree.articles))]
        if last.strict:
            files = [replace(p, severity="error") for p in files]
        problems = tuple(self._locator.located(
            capped_per_file(sorted([*last.problems, *files], key=sort_key)), self.text_of))
        return Checked(last.tree, dict(self._parsed), last.portal, problems)

    def _reread(self, tree: LocalTree, keys: Iterable[str]) -> LocalTree | None:
        """``tree`` with the articles at ``keys`` read again, or None when one of them is
        no longer an article (the structure changed: read the whole tree)."""
        config = self._config
        fresh: dict[str, LocalArticle] = {}
        problems: list[Problem] = []
        for key in keys:
            article, found = read_article(config.root, key, config.content,
                                          split=self._cache.split, texts=self._texts)
            if article is None:
                return None
            fresh[key] = article
            problems.extend(found)
        articles = tuple(fresh.get(a.key, a) for a in tree.articles)
        kept = [p for p in tree.problems if p.path not in fresh]
        return LocalTree(tree.root, tree.collections, articles,
                         tuple(sorted([*kept, *problems], key=sort_key)))

    def _parse(self, article: LocalArticle) -> ParsedBody:
        """One body's links and anchors (its tokens too, when parsed here: a render
        right after reuses them). An editor's text is not cached: it changes with every
        keystroke, and the cache would keep each version."""
        hit = self._cache.get(article.source_hash)
        if hit is None:
            hit = self.renderer.parse(article.body, article.body_line)
            if article.key not in self._texts:
                self._cache.put(article.source_hash, hit)
        return hit

    def linked(self, key: str) -> frozenset[str]:
        """Every root-relative path the body at ``key`` links to or shows (articles,
        images, files), as of the last check."""
        found = self._links.get(key)
        if found is None:
            parsed = self._parsed.get(key)
            found = frozenset() if parsed is None else frozenset(
                path for _, path in linked_paths(key, parsed))
            self._links[key] = found
        return found

    # -- rendering ---------------------------------------------------------------------

    def render(self, keys: Iterable[str]) -> dict[str, RenderedBody]:
        """The rendered body of each article at ``keys`` (as of the last check): links to
        articles as ``kbsync://article/...`` placeholders, filled per use
        (``plan.links.fill_links``). Made only where the content is new: a big batch on
        every core, a few in-process (reusing the check's parse)."""
        last = self._last
        assert last is not None, "render after a check"
        articles = [a for key in keys if (a := last.tree.article(key)) is not None]
        self._make_renderings(articles)
        return {a.key: self._renderings[(a.key, a.source_hash)] for a in articles}

    def _make_renderings(self, articles: Sequence[LocalArticle]) -> None:
        """Render the articles whose content has no rendering yet; their parses go to
        the parse cache (a check after parses none of them again)."""
        todo = [a for a in articles if (a.key, a.source_hash) not in self._renderings]
        settings = Settings(self.renderer.dialect, TEMPLATE, self._article_keys)
        if workers(len(todo)) > 1:
            done = render_templates([Job(a.key, a.body, a.body_line) for a in todo], settings)
            for article in todo:
                self._cache.put(article.source_hash, done[article.key].meta)
                self._renderings[(article.key, article.source_hash)] = done[
                    article.key].template
            return
        for article in todo:
            self._renderings[(article.key, article.source_hash)] = self._render_one(
                article, settings)
            parsed = self._parsed.get(article.key)
            if parsed is not None and parsed.tokens is not None:
                self._parsed[article.key] = replace(parsed, tokens=None)  # memory back

    def _render_one(self, article: LocalArticle, settings: Settings) -> RenderedBody:
        parsed = self._parsed.get(article.key)
        if parsed is None or parsed.tokens is None:  # checked from the cache or in a worker
            parsed = self.renderer.parse(article.body, article.body_line)
            self._cache.put(article.source_hash, parsed)
        return self.renderer.render(parsed, article_key=article.key,
                                    resolve_article_url=template_resolver,
                                    assets=settings.assets,
                                    article_keys=settings.article_keys)

    def _forget_renderings(self, tree: LocalTree) -> None:
        """Keep the renderings of the files as they are now; all of them go when a link
        in the other Unicode form would find another article (``ArticleKeys``)."""
        keys = ArticleKeys(a.key for a in tree.articles)
        if keys != self._article_keys:
            self._renderings.clear()
            self._article_keys = keys
        current = {a.key: a.source_hash for a in tree.articles}
        self._renderings = {k: r for k, r in self._renderings.items()
                            if current.get(k[0]) == k[1]}

    # -- plan and apply ----------------------------------------------------------------

    def plan(self, local: LocalState, client: HelpCenterClient, lock: Lock,
             remote: RemoteRef, *, options: DiffOptions, targets: Sequence[str] = (),
             store: AssetStore | None = None) -> Planned:
        """Read the Help Center, render what changed, plan, and judge the plan's safety
        (``engine.remote.plan_against``); ``store``: where published files go."""
        from kbsync.engine.remote import plan_against

        return plan_against(self, local, client, lock, remote, options=options,
                            targets=targets, store=store)

    def plan_saved(self, plan: Plan, client: HelpCenterClient, remote: RemoteRef,
                   lock: Lock, *, force: bool = False) -> Planned:
        """A saved plan, checked against the Help Center as it is now, and judged."""
        from kbsync.engine.remote import plan_saved

        return plan_saved(plan, client, remote, lock, config=self._config, force=force)

    def apply(self, planned: Planned, client: HelpCenterClient, lock: Lock, *,
              hooks: ApplyHooks | None = None,
              should_stop: Callable[[], bool] = lambda: False,
              store: AssetStore | None = None) -> ApplyResult:
        """Run the plan step by step, the lock saved after each (``engine.apply``); the
        uploads to ``store`` first."""
        from kbsync.engine.apply import apply_plan

        return apply_plan(planned, client, lock, self._config, hooks=hooks,
                          should_stop=should_stop, store=store)


@dataclass(frozen=True)
class _Last:
    """The last check: what an incremental one starts from."""

    tree: LocalTree
    strict: bool
    problems: tuple[Problem, ...]  # the tree's rules, without the portal's or files'
    whole: Counter[Problem]  # the part of ``problems`` from the whole-tree rules
    portal: Mapping[str, Any] | None
    portal_problems: tuple[Problem, ...]

    @property
    def folders(self) -> frozenset[str]:
        return frozenset(c.key for c in self.tree.collections)

