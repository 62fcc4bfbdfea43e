"""Pull's decision for articles: each ``.md`` file written, merged, moved or left alone.

For every article the three texts are: *base*, the file as last synced (the lock's blob
id, see ``pull.bases``); *local*, the file now; *theirs*, the remote article written as
a file, using the base as template so that it differs from the base only where initdesk
changed something (``pull.puller`` says what follows from them). New remote bodies are
converted to Markdown ahead, on every core (``pull.convert``). No writes here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial

from markdown_it.token import Token

from kbsync.local.tree import LocalArticle
from kbsync.markdown import ArticleKeys, ParsedBody, html_to_markdown, renderer_for
from kbsync.markdown.relocate import relocate_links
from kbsync.model import ArticleFields, RemoteArticle, RenderedBody
from kbsync.pull.blocks import in_own_layout
from kbsync.pull.convert import (
    CONVERSION_ERRORS,
    Converted,
    Remote,
    Way,
    convert_all,
    convert_one,
)
from kbsync.pull.decision import ACTIONS, Action, FileChange, Pass, PullResult, Source
from kbsync.pull.layout import Placed
from kbsync.pull.writer import article_text, pin_position, split_article

__all__ = ["ArticleDecider"]


class ArticleDecider:
    """Every article of one pass: remote ones placed by the layout, local-only files."""

    def __init__(self, p: Pass, *, parse: bool = False) -> None:
        self.p = p
        self.parse = parse
        self.renderer = renderer_for(p.content.dialect)
        self.url_of: dict[str, str] = {}
        self.key_of: dict[str, str] = {}
        for remote_id, placed in p.layout.articles.items():
            url = p.actual.articles[remote_id].url
            if url:
                self.url_of[placed.key] = url
                self.key_of[url] = placed.key
        self.article_keys = ArticleKeys(self.url_of)
        self.way = Way(dict(self.key_of), p.assets, p.content.dialect)
        self.converted: Mapping[str, Converted] = {}
        self.unconverted: list[str] = []  # files whose remote body stays HTML (why)

    def homeless(self, result: PullResult) -> None:
        """Warn of articles whose collection has no folder here."""
        gone_folders = {c.id for c in self.p.layout.gone_collections}
        for article in self.p.layout.homeless:
            where = ("a collection whose folder was deleted here"
                     if article.fields.collection_id in gone_folders
                     else "an unknown collection")
            result.warnings.append(
                f"article {article.fields.slug!r} is in {where} "
                f"({article.fields.collection_id}); written at the top level")

    def convert_new(self, reuse: tuple[Way, Mapping[str, Converted]] | None = None) -> None:
        """The bodies of new articles as Markdown, on every core when many; ``reuse``: a
        first pass's conversions, kept where the links read the same."""
        layout, actual = self.p.layout, self.p.actual
        new = [Remote(p.key, actual.articles[p.remote_id].fields.content,
                      actual.articles[p.remote_id].fields.content_html)
               for p in sorted(layout.articles.values(), key=lambda p: p.key)
               if p.local_key is None]  # in the order decide asks for them
        done = reuse[1] if reuse is not None and reuse[0] == self.way else {}
        self.converted = convert_all(new, self.way, parse=self.parse,
                                     done={r.key: done[r.key] for r in new if r.key in done})

    def finish(self, result: PullResult) -> None:
        """What the conversions had to say, and the bodies they parsed."""
        result.warnings.extend(self.unconverted)
        result.parsed = {c.body: c.parsed for c in self.converted.values() if c.parsed}

    # -- deletions -----------------------------------------------------------------------

    def deleted_remotely(self, result: PullResult) -> None:
        """Files of articles deleted in initdesk: reported and kept, or with ``--prune``
        deleted too, unless changed here since the last sync."""
        p = self.p
        live = {placed.local_key for placed in p.layout.articles.values()}
        for local in p.tree.articles:
            found = p.matching.articles[local.key]
            entry = found.lock_entry
            if local.key in live or not found.recreated or entry is None:
                continue
            if not p.options.prune:
                result.deleted_remotely.append(local.key)
            elif entry.local != local.source_hash or local.key in p.dirty:
                result.deleted_remotely.append(local.key)
                result.warnings.append(f"{local.key}: deleted in initdesk but changed locally "
                                       "since the last sync; kept")
            else:
                p.pruned.add(local.key)
                result.changes.append(FileChange("deleted", p.along(local.key)))
                p.later(partial(p.lock.remove, "articles", local.slug))

    def deleted_here(self, result: PullResult) -> None:
        self.p.deleted_here("articles", self.p.layout.gone_articles, "", result)

    # -- articles ------------------------------------------------------------------------

    def decide_all(self, result: PullResult) -> None:
        """Every remote article in key order, then the files initdesk does not have."""
        p = self.p
        for placed in sorted(p.layout.articles.values(), key=lambda placed: placed.key):
            self.decide(placed, result)
        placed_keys = {placed.local_key for placed in p.layout.articles.values()}
        for local in p.tree.articles:
            if local.key not in placed_keys and local.key not in p.pruned:
                self._local_only(local, result)

    def decide(self, placed: Placed, result: PullResult) -> None:
        p = self.p
        remote = p.actual.articles[placed.remote_id]
        fingerprint = placed.fingerprint
        if placed.local_key is None:
            data = self._theirs(remote, placed.key, None).encode("utf-8")
            result.changes.append(FileChange("new", placed.key, data))
            p.lock_synced("articles", remote.fields.slug, remote.id, remote.updated_at,
                          placed.key, fingerprint, data)
            return
        local = p.tree.article(placed.local_key)
        assert local is not None
        current = self._current(local)
        if current is None:
            result.warnings.append(f"{local.key}: not UTF-8 text; left alone")
            return
        entry = placed.entry
        clean = entry is not None and entry.local == local.source_hash
        mine = self._mechanical(current.text, local, placed.key)
        if not placed.remote_changed:
            self._unchanged(local, placed, current, mine, clean, result)
            return
        base: str | None = mine if clean else None
        if not clean and entry is not None and (raw := p.bases.get(entry.local)) is not None:
            old = Source.decode(raw)
            base = self._mechanical(old.text, local, placed.key) if old is not None else None
        theirs = self._theirs(remote, placed.key, base if base is not None else mine)
        outcome = p.three_way(placed.key, base, mine, theirs, local.key in p.dirty, result)
        src = p.along(local.key)
        if outcome is None:
            if placed.key != src:
                p.kept_in_place.add(local.key)
            return
        text, how = outcome
        action = "moved" if placed.key != src and text == mine else ACTIONS[how]
        self._record(result, placed.key, src, current, text, action)
        p.lock_synced("articles", remote.fields.slug, remote.id, remote.updated_at,
                      p.lock_path(placed), fingerprint, current.encode(theirs))

    def _record(self, result: PullResult, key: str, src: str, current: Source, text: str,
                action: Action) -> None:
        """A change for ``key`` when its content or place differs."""
        changed = text != current.text
        moved = key != src
        if changed or moved:
            result.changes.append(FileChange(
                action if changed or action != "adjusted" else "moved", key,
                current.encode(text) if changed else None, src if moved else None))

    def _unchanged(self, local: LocalArticle, placed: Placed, current: Source, mine: str,
                   clean: bool, result: PullResult) -> None:
        """Remote as last synced: only moves and mechanical edits reach the file."""
        p = self.p
        self._record(result, placed.key, p.along(local.key), current, mine, "adjusted")
        entry = placed.entry
        if entry is None:
            return
        new_local = entry.local
        if mine != current.text and clean:
            new_local = p.bases.put(current.encode(mine))
        elif mine != current.text and (raw := p.bases.get(entry.local)) is not None \
                and (base := Source.decode(raw)) is not None:
            new_local = p.bases.put(base.encode(self._mechanical(base.text, local,
                                                                 placed.key)))
        path = p.lock_path(placed)
        if new_local != entry.local or path != entry.path:
            p.relock("articles", p.actual.articles[placed.remote_id].fields.slug,
                     replace(entry, path=path, local=new_local))

    def _local_only(self, local: LocalArticle, result: PullResult) -> None:
        """A file initdesk does not have (new, or deleted there): mechanical edits only."""
        key = self.p.layout.files.get(local.key, local.key)
        current = self._current(local)
        if current is not None:  # renamed when its folder is numbered (pull.ordering)
            self._record(result, key, self.p.along(local.key), current,
                         self._mechanical(current.text, local, key), "adjusted")

    def _current(self, local: LocalArticle) -> Source | None:
        raw = self.p.read(local.key)
        return Source.decode(raw) if raw is not None else None

    def _mechanical(self, text: str, local: LocalArticle, key: str) -> str:
        """Relative links fixed for the moves, and the position pinned where the order of
        file names no longer gives the Help Center's order."""
        if self.p.relocator:
            text = relocate_links(text, local.key, key, self.p.relocator)
        if not local.explicit_position and key in self.p.pins:
            text = pin_position(text, self.p.pins[key])
        return text

    # -- theirs --------------------------------------------------------------------------

    def _theirs(self, remote: RemoteArticle, key: str, template: str | None) -> str:
        """The remote article as this file: the template's body kept when it renders to
        the remote body, else the remote body in the template's own layout where it can
        be (``pull.blocks``), else the remote HTML (or text) converted to Markdown."""
        body: str | None = None
        fields = remote.fields
        tree_body = split_article(template).tree_body if template is not None else None
        if tree_body is None or self._render(tree_body, key) != \
                RenderedBody(fields.content_html, fields.content):
            body = (self._in_own_layout(tree_body, fields, key) if tree_body else None) \
                or self._converted(key, fields, like=tree_body)
        return article_text(fields, name=posixpath.basename(key), pinned=key in self.p.pins,
                            body=body, template=template)

    def _converted(self, key: str, fields: ArticleFields, like: str | None = None) -> str:
        """The whole remote body as Markdown (converted ahead for new articles), in the
        syntax of the file it replaces (``like``) where the dialect has two."""
        done = self.converted.get(key)
        if done is None:
            done = convert_one(Remote(key, fields.content, fields.content_html, like), self.way)
        if done.problem is not None:
            self.unconverted.append(f"{key}: {done.problem}")
        return done.body

    def _in_own_layout(self, tree_body: str, fields: ArticleFields, key: str) -> str | None:
        """The remote HTML body, keeping the template's blocks initdesk did not change."""
        if not fields.content_html or len(fields.content_html) < len(fields.content):
            return None  # the plain text is what readers see: nothing to keep
        content = self.p.content

        def render(tokens: Sequence[Token]) -> str:
            return self.renderer.render(
                ParsedBody(tuple(tokens), (), frozenset()), article_key=key,
                resolve_article_url=self.url_of.get,
                assets=self.p.assets,
                article_keys=self.article_keys).html

        def convert(html: str) -> str:
            return html_to_markdown(html, url_to_key=self.key_of.get, article_key=key,
                                    assets=self.p.assets,
                                    dialect=content.dialect, like=tree_body)

        try:
            return in_own_layout(tree_body, fields.content_html, self.renderer, render,
                                 convert)
        except CONVERSION_ERRORS:
            return None  # the whole body's conversion keeps it as HTML and says why

    def _render(self, body: str, key: str) -> RenderedBody:
        parsed = self.renderer.parse(body)
        return self.renderer.render(parsed, article_key=key, resolve_article_url=self.url_of.get,
                                    assets=self.p.assets,
                                    article_keys=self.article_keys)
