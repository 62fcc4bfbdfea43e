"""Markdown body -> initdesk ``content_html`` + ``content``, and the links it contains.

Parsing and rendering are separate steps so that a run parses each body once:
``validate`` checks the links and anchors of the parse, and the engine renders the
same parse, possibly twice (a second pass once new articles have public URLs).
Rendering never mutates the tokens: link rewriting happens in render rules that read
the per-render context from markdown-it's ``env``.

The HTML is always the longer of the two fields: initdesk shows the longer one, and it
must be the HTML (see the display rule in the contract).
"""

from __future__ import annotations

import contextlib
import gc
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from kbsync.local.text import html_to_text
from kbsync.model import RenderedBody
from kbsync.plan.links import ArticleUrlResolver, placeholder

__all__ = [
    "RENDER_VERSION",
    "Link",
    "MarkdownRenderer",
    "ParsedBody",
    "RenderedBody",
    "heading_anchor",
    "html_to_text",
    "resolve_relative",
    "template_resolver",
]

#: Bump when the HTML made from the same Markdown changes: every body is then re-rendered.
RENDER_VERSION = "1"


def template_resolver(target_key: str) -> str:
    """Every article link as a placeholder: what the plan fills with public URLs."""
    return placeholder(target_key)


_ENV_KEY = "kbsync_links"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_ANCHOR = re.compile(r"[^\w\- ]")


@dataclass(frozen=True, slots=True)
class Link:
    target: str  # the href / src as markdown-it normalised it (percent-encoded)
    line: int  # 1-based line in the file
    is_image: bool


@dataclass(frozen=True, slots=True)
class ParsedBody:
    tokens: tuple[Token, ...] | None  # None: links and anchors came from the parse cache
    links: tuple[Link, ...]
    anchors: frozenset[str]  # heading ids


def heading_anchor(text: str) -> str:
    """GitHub's heading id: lowercase, punctuation dropped (not ``-``/``_``), spaces -> ``-``.

    Repeated headings get ``-1``, ``-2``... from the anchors plugin, as on GitHub, so a
    link that works in the repository's web view works on initdesk too.
    """
    return _NOT_ANCHOR.sub("", text.strip().lower()).replace(" ", "-")


def resolve_relative(article_key: str, href: str) -> tuple[str, str | None] | None:
    """A relative href in ``article_key`` -> (root-relative target path, fragment or None).

    None for external (``https:``, ``mailto:``...), scheme-relative and absolute links,
    which are not ours to check. ``#frag`` alone targets the article itself. A target that
    climbs out of the root starts with ``..``; the caller decides what that means.
    """
    if not href or _SCHEME.match(href) or href.startswith(("/", "\\")):
        return None
    path, _, fragment = href.partition("#")
    path = path.partition("?")[0]
    anchor = unquote(fragment) or None
    if not path:
        return article_key, anchor
    joined = posixpath.join(posixpath.dirname(article_key), unquote(path))
    return posixpath.normpath(joined), anchor


class MarkdownRenderer:
    """One configured markdown-it instance, reused for every body (building one is slow)."""

    def __init__(self) -> None:
        md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
        md.enable(["table", "strikethrough"])
        md.use(tasklists_plugin)
        md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_anchor)
        md.add_render_rule("link_open", _render_link_open)
        md.add_render_rule("image", _render_image)
        self._md = md

    def parse(self, body: str, body_line: int = 1) -> ParsedBody:
        """Tokens, links (with file lines) and heading ids of ``body``.

        ``body_line`` is the file line where ``body`` starts, so link lines point into
        the file, not into the body.
        """
        tokens = self._md.parse(body, {})
        links, anchors = _scan(tokens, body_line)
        return ParsedBody(tuple(tokens), tuple(links), frozenset(anchors))

    def parse_many(self, bodies: Iterable[tuple[str, str, int]]) -> dict[str, ParsedBody]:
        """``{key: parse}`` for ``(key, body, body_line)`` triples, with the GC paused.

        Thousands of kept parses are millions of small objects, and the cyclic GC
        re-walks them all again and again as they pile up (a quarter of the time for
        2,000 articles). Tokens form no cycles, so refcounting frees them meanwhile.
        """
        with _gc_paused():
            return {key: self.parse(body, line) for key, body, line in bodies}

    def render(self, parsed: ParsedBody, *, article_key: str,
               resolve_article_url: ArticleUrlResolver,
               assets_base_url: str | None) -> RenderedBody:
        """HTML with links rewritten for initdesk, and its plain text.

        A ``.md`` link becomes its article's public URL (left relative while the resolver
        does not know it yet); other local files and images move under
        ``assets_base_url`` when it is set.
        """
        if parsed.tokens is None:
            raise ValueError(f"{article_key}: render needs a full parse, not a cached one")
        rewriter = _Rewriter(article_key, resolve_article_url, assets_base_url)
        env: EnvType = {_ENV_KEY: rewriter}
        html = self._md.renderer.render(parsed.tokens, self._md.options, env)
        return _longer_html(html)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _longer_html(html: str) -> RenderedBody:
    """Make sure ``len(html) > len(text)`` whenever there is any HTML.

    The readable text never gets longer than its HTML in practice; the compact text and
    the wrapping ``<div>`` are the proof for pathological input (say a list numbered from
    999999999, whose markers outgrow its tags).
    """
    text = html_to_text(html)
    if html and len(text) >= len(html):
        text = html_to_text(html, compact=True)
        if len(text) >= len(html):
            html = f"<div>{html}</div>"
    return RenderedBody(html, text)


def _scan(tokens: Sequence[Token], body_line: int) -> tuple[list[Link], set[str]]:
    """Links with their file lines, and heading ids, in one pass over the tokens."""
    links: list[Link] = []
    anchors: set[str] = set()
    for token in tokens:
        if token.type == "heading_open":
            anchor = token.attrGet("id")
            if anchor:
                anchors.add(str(anchor))
        elif token.type == "inline" and token.children:
            start = token.map[0] if token.map else 0
            _scan_inline(token.children, body_line + start, links)
    return links, anchors


def _scan_inline(children: Sequence[Token], line: int, links: list[Link]) -> None:
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type in ("html_inline", "text"):
            line += child.content.count("\n")
        elif child.type == "link_open":
            href = child.attrGet("href")
            if href is not None:
                links.append(Link(str(href), line, is_image=False))
        elif child.type == "image":
            src = child.attrGet("src")
            if src is not None:
                links.append(Link(str(src), line, is_image=True))


class _Rewriter:
    """Where a link or image of one article points on initdesk."""

    def __init__(self, article_key: str, resolve_article_url: ArticleUrlResolver,
                 assets_base_url: str | None) -> None:
        self.article_key = article_key
        self.resolve_article_url = resolve_article_url
        self.assets_base_url = assets_base_url

    def href(self, href: str, *, is_image: bool) -> str:
        resolved = resolve_relative(self.article_key, href)
        if resolved is None or href.startswith("#"):
            return href
        target = resolved[0]
        if target == ".." or target.startswith("../"):
            return href
        if target.endswith(".md") and not is_image:
            url = self.resolve_article_url(target)
            if url is None:
                return href
            fragment = href.partition("#")[2]
            return f"{url}#{fragment}" if fragment else url
        if self.assets_base_url:
            return self.assets_base_url + quote(target)
        return href


def _rewritten(tokens: Sequence[Token], idx: int, env: EnvType, attr: str,
               is_image: bool) -> Token | None:
    """A copy of ``tokens[idx]`` with ``attr`` rewritten, or None when it stays."""
    rewriter = env.get(_ENV_KEY)
    token = tokens[idx]
    value = token.attrGet(attr)
    if not isinstance(rewriter, _Rewriter) or not isinstance(value, str):
        return None
    new = rewriter.href(value, is_image=is_image)
    if new == value:
        return None
    return token.copy(attrs={**token.attrs, attr: new})


def _render_link_open(self: RendererHTML, tokens: Sequence[Token], idx: int,
                      options: OptionsDict, env: EnvType) -> str:
    token = _rewritten(tokens, idx, env, "href", is_image=False)
    if token is None:
        return self.renderToken(tokens, idx, options, env)
    return self.renderToken([token], 0, options, env)


def _render_image(self: RendererHTML, tokens: Sequence[Token], idx: int,
                  options: OptionsDict, env: EnvType) -> str:
    token = _rewritten(tokens, idx, env, "src", is_image=True)
    if token is None:
        return self.image(tokens, idx, options, env)
    patched: list[Token] = list(tokens)
    patched[idx] = token
    return self.image(patched, idx, options, env)
