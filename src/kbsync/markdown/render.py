"""Markdown body -> initdesk ``content_html`` + ``content``, and the links it contains.

Parsing and rendering are separate steps so that a run parses each body once:
``validate`` checks the links and anchors of the parse, and the engine renders the
same parse, possibly twice (a second pass once new articles have public URLs).
Rendering never mutates the tokens: link rewriting happens in render rules that read
the per-render context from markdown-it's ``env``.

The dialect is CommonMark with raw HTML, the extensions ``[content] markdown`` names
(each one's rules come from its module, through the registry) and the heading ids of
``[content] heading_ids``. The HTML is always the longer of the two fields: initdesk
shows the longer one, and it must be the HTML (see the display rule in the contract).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import unquote

from kbsync.markdown.dialect import DEFAULT_DIALECT, Dialect
from kbsync.markdown.paths import ArticleKeys, resolve_relative
from kbsync.markdown.registry import EXTENSIONS
from kbsync.markdown.text import html_to_text
from kbsync.model import RenderedBody
from kbsync.plan.links import ArticleUrlResolver

if TYPE_CHECKING:  # markdown-it loads with the first parse: a warm validate parses nothing
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

    from kbsync.assets.home import AssetHome

__all__ = ["MAX_NESTING", "RENDER_VERSION", "Heading", "Link", "MarkdownRenderer",
           "ParsedBody", "html_ids", "renderer_for"]

#: Bump when the HTML made from the same Markdown changes: every body is then re-rendered.
RENDER_VERSION = "3"
#: How deep blocks and inline elements may nest (markdown-it's ``maxNesting``; its
#: CommonMark preset says 20, which drops the text of 10 nested lists). Each level costs
#: a few Python frames, so this stays far below the recursion limit; a body nested
#: deeper is refused by ``validate`` (``ParsedBody.too_deep``), never cut silently.
MAX_NESTING = 100

_ENV_KEY = "kbsync_links"
_HEADINGS_KEY = "kbsync_headings"


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image of a body, and where it stands in the file.

    The columns are 1-based and count characters of the file's line. They are found on
    the link's own line, so a reference link (``[a][ref]``) or one whose text wraps onto
    the next line has none (0): its problems point at the line, its target is not
    rewritten in place.
    """

    target: str  # the href / src as markdown-it normalised it (percent-encoded)
    line: int  # 1-based line in the file
    is_image: bool
    alt: str | None = None  # an image's alt text as written ("" when it has none)
    column: int = 0  # where the link starts: its ``[`` (an image's ``!``); 0: not found
    target_column: int = 0  # where its destination starts as written; 0: not found
    written: str = ""  # the destination as written in the file (``<my file.md>`` with its <>)

    @property
    def target_end(self) -> int:
        """The column just after the destination as written (0 when it was not found)."""
        return self.target_column + len(self.written) if self.target_column else 0

    def at(self, line: int) -> Link:
        """The same link on another line (its body moved in the file)."""
        return replace(self, line=line)


@dataclass(frozen=True, slots=True)
class Heading:
    """One heading of a body: what an editor jumps to, completes and renames."""

    text: str  # as the id scheme reads it (text and code, no markup)
    line: int  # 1-based line in the file
    level: int  # 1 to 6
    id: str | None  # the id it has on the page (None: the scheme gives none)
    written: bool = False  # the id is written in the file (``{#id}``), not made from the text

    def at(self, line: int) -> Heading:
        return Heading(self.text, line, self.level, self.id, self.written)


@dataclass(frozen=True, slots=True)
class ParsedBody:
    tokens: tuple[Token, ...] | None  # None: links and anchors came from the parse cache
    links: tuple[Link, ...]
    anchors: frozenset[str]  # every id a browser knows: headings, {#id}, raw HTML, footnotes
    too_deep: int | None = None  # the line of a block nested deeper than MAX_NESTING
    outline: tuple[Heading, ...] = ()  # the headings, in order

    @property
    def headings(self) -> tuple[str, ...]:
        """Each heading's text: its id under another scheme."""
        return tuple(heading.text for heading in self.outline)

    def starting_at(self, body_line: int) -> ParsedBody:
        """This parse of a body read from line 1, for the same body at ``body_line`` of a
        file: a link's line is the body's first line plus its line within the body, so a
        body parsed before its front matter was written need not be parsed again."""
        shift = body_line - 1
        links = tuple(k.at(k.line + shift) for k in self.links)
        deep = None if self.too_deep is None else self.too_deep + shift
        outline = tuple(h.at(h.line + shift) for h in self.outline)
        return ParsedBody(None, links, self.anchors, deep, outline)


@functools.lru_cache(maxsize=8)
def _cached_renderer(dialect: Dialect) -> MarkdownRenderer:
    return MarkdownRenderer(dialect)


def renderer_for(dialect: Dialect | Iterable[str] = DEFAULT_DIALECT) -> MarkdownRenderer:
    """A shared renderer for ``dialect`` (building one costs milliseconds); a list of
    extension names means those with the default heading ids."""
    return _cached_renderer(Dialect.of(dialect))


class MarkdownRenderer:
    """One configured markdown-it instance, reused for every body (building one is slow).

    It is built, and markdown-it imported, when the first body is parsed: a check that
    finds every body in the parse cache needs neither.
    """

    def __init__(self, dialect: Dialect | Iterable[str] = DEFAULT_DIALECT) -> None:
        self.dialect = Dialect.of(dialect)
        self._anchor_rules = {kind: rule for name in self.dialect.extensions
                              for kind, rule in EXTENSIONS[name].anchors}

    @functools.cached_property
    def _md(self) -> MarkdownIt:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False,
                                       "maxNesting": MAX_NESTING})
        for name in self.dialect.extensions:
            EXTENSIONS[name].setup(md)
        md.core.ruler.push("kb_heading_ids", functools.partial(_heading_ids, self.dialect))
        md.add_render_rule("link_open", _render_link_open)
        md.add_render_rule("image", _render_image)
        return md

    def parse(self, body: str, body_line: int = 1) -> ParsedBody:
        """Tokens, links (with file lines) and anchors of ``body``.

        ``body_line`` is the file line where ``body`` starts, so link lines point into
        the file, not into the body.
        """
        env: EnvType = {}
        tokens = self._md.parse(body, env)
        links, anchors = _scan(tokens, body_line, self._anchor_rules)
        deep = _too_deep(tokens)
        outline = tuple(Heading(text, body_line + line, level, heading_id, written)
                        for text, line, level, heading_id, written
                        in env.get(_HEADINGS_KEY, ()))
        return ParsedBody(tuple(tokens), tuple(place_links(links, body, body_line)),
                          frozenset(anchors), None if deep is None else body_line + deep,
                          outline)

    def parse_many(self, bodies: Iterable[tuple[str, str, int]]) -> dict[str, ParsedBody]:
        """``{key: parse}`` for ``(key, body, body_line)`` triples, with the GC paused.

        Thousands of kept parses are millions of small objects, and the cyclic GC
        re-walks them all again and again as they pile up (a quarter of the time for
        2,000 articles). Tokens form no cycles, so refcounting frees them meanwhile.
        """
        with gc_paused():
            return {key: self.parse(body, line) for key, body, line in bodies}

    def render(self, parsed: ParsedBody, *, article_key: str,
               resolve_article_url: ArticleUrlResolver,
               assets: AssetHome | None = None,
               article_keys: ArticleKeys | None = None) -> RenderedBody:
        """HTML with links rewritten for initdesk, and its plain text.

        A ``.md`` link becomes its article's public URL (left relative while the resolver
        does not know it yet); other local files and images get the URL ``assets`` gives
        them (a store's content-addressed name, or a base URL), and stay relative
        without one (the preview serves them from the folder). ``article_keys`` finds
        the article a link names whatever the Unicode form it is typed in.
        """
        if parsed.tokens is None:
            raise ValueError(f"{article_key}: render needs a full parse, not a cached one")
        rewriter = _Rewriter(article_key, resolve_article_url, assets, article_keys)
        env: EnvType = {_ENV_KEY: rewriter}
        html = self._md.renderer.render(parsed.tokens, self._md.options, env)
        return _longer_html(html)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic GC off while a big structure is built: it would re-walk every object
    built so far again and again, which makes building quadratic in its size."""
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


def _heading_ids(dialect: Dialect, state: StateCore) -> None:
    """The scheme's ids on headings without one: explicit ``{#id}`` ids are kept as
    written, and no generated id takes one of them; repeats are numbered."""
    headings = [(i, t) for i, t in enumerate(state.tokens) if t.type == "heading_open"]
    if not headings:
        return
    texts = []
    for index, _ in headings:
        children = state.tokens[index + 1].children or []
        texts.append("".join(c.content for c in children if c.type in ("text", "code_inline")))
    written = [str(t.attrGet("id")) if t.attrGet("id") else None for _, t in headings]
    for (_, token), made in zip(headings, dialect.scheme.ids(texts, written), strict=True):
        if made is not None and not token.attrGet("id"):
            token.attrs = {"id": made, **token.attrs}
    state.env[_HEADINGS_KEY] = [
        (text, token.map[0] if token.map else 0, int(token.tag[1:]),
         str(token.attrGet("id")) if token.attrGet("id") else None, mine is not None)
        for (_, token), text, mine in zip(headings, texts, written, strict=True)]
    for _, token in headings:  # one order however the attributes came: id, ..., class
        if len(token.attrs) > 1 and "id" in token.attrs:
            attrs = dict(token.attrs)
            token.attrs = {"id": attrs.pop("id"), **attrs}
            if "class" in attrs:
                token.attrs["class"] = token.attrs.pop("class")


#: Containers whose content markdown-it drops once they reach MAX_NESTING.
_CONTAINERS = frozenset({"blockquote_open", "list_item_open", "bullet_list_open",
                         "ordered_list_open", "callout_open", "footnote_open"})


def _too_deep(tokens: Sequence[Token]) -> int | None:
    """The body line (0-based) of a container at the last level markdown-it fills: what
    it holds lies deeper and was not parsed."""
    for token in tokens:
        if token.level >= MAX_NESTING - 1 and token.type in _CONTAINERS:
            return token.map[0] if token.map else 0
    return None


# -- links and anchors ---------------------------------------------------------------------

_HTML_ID = re.compile(r"""\b(?:id|name)\s*=""", re.IGNORECASE)


class _HtmlIds(HTMLParser):
    """The ids a browser finds in raw HTML: ``id`` on any element, ``name`` on ``<a>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag == "a")):
                self.ids.add(value)

    handle_startendtag = handle_starttag


def html_ids(html: str) -> set[str]:
    """The anchors of a piece of raw HTML (cheap when it has no ``id=``/``name=``)."""
    if not _HTML_ID.search(html):
        return set()
    parser = _HtmlIds()
    parser.feed(html)
    parser.close()
    return parser.ids


_AnchorRules = dict[str, Callable[["Token"], Iterable[str]]]


def place_links(links: Sequence[Link], body: str, body_line: int) -> Sequence[Link]:
    """``links`` with the columns where each stands in the file (see :class:`Link`).

    A destination is looked for after the ``](`` that opens it on the link's line, as
    written or %-decoded (markdown-it encodes ``<my file.md>`` and ``café.md``); two links
    to one target on a line are found one after the other.
    """
    if not links:
        return links
    lines = body.split("\n")
    after: dict[int, int] = {}  # line index -> where the last link found there ended
    out = []
    for link in links:
        index = link.line - body_line
        text = lines[index] if 0 <= index < len(lines) else ""
        found = _destination(text, link.target, after.get(index, 0))
        if found is None:
            out.append(link)
            continue
        bracket, start, written = found
        after[index] = start + len(written)
        opening = _opening_bracket(text, bracket)
        if link.is_image and opening > 0 and text[opening - 1] == "!":
            opening -= 1
        out.append(replace(link, column=opening + 1, target_column=start + 1, written=written))
    return out


def _destination(text: str, target: str, after: int) -> tuple[int, int, str] | None:
    """``(index of the ]``, index of the destination, the destination as written)`` of
    the first link to ``target`` in ``text`` from ``after`` on, or None."""
    if "](" not in text:
        return None
    spellings = [target]
    if "%" in target:
        spellings.append(unquote(target))
    for spelled in spellings:
        plain = text.find("](" + spelled, after)  # the usual spelling, without a regex
        if plain >= 0:
            return plain, plain + 2, spelled
        found = re.compile(r"\]\([ \t]*(<?)" + re.escape(spelled)).search(text, after)
        if found is not None:
            end = found.end()
            if found.group(1) and text[end:end + 1] == ">":  # <my file.md>: brackets too
                return found.start(), found.start(1), f"<{spelled}>"
            return found.start(), end - len(spelled), spelled
    return None


def _opening_bracket(text: str, closing: int) -> int:
    """The index of the ``[`` that the ``]`` at ``closing`` closes (``closing`` itself
    when it is not on this line)."""
    depth = 0
    for index in range(closing - 1, -1, -1):
        char = text[index]
        if index and text[index - 1] == "\\":
            continue
        if char == "]":
            depth += 1
        elif char == "[":
            if depth == 0:
                return index
            depth -= 1
    return closing


def _scan(tokens: Sequence[Token], body_line: int,
          rules: _AnchorRules) -> tuple[list[Link], set[str]]:
    """Links with their file lines, and every anchor, in one pass over the tokens."""
    links: list[Link] = []
    anchors: set[str] = set()
    for token in tokens:
        if token.attrs and token.attrs.get("id"):
            anchors.add(str(token.attrs["id"]))
        if token.type == "inline" and token.children:
            start = token.map[0] if token.map else 0
            _scan_inline(token.children, body_line + start, links, anchors, rules)
        elif token.type == "html_block":
            anchors |= html_ids(token.content)
        elif token.type in rules:
            anchors.update(rules[token.type](token))
    return links, anchors


def _scan_inline(children: Sequence[Token], line: int, links: list[Link],
                 anchors: set[str], rules: _AnchorRules) -> None:
    for child in children:
        if child.type in rules:
            anchors.update(rules[child.type](child))
        if child.attrs and child.attrs.get("id"):
            anchors.add(str(child.attrs["id"]))
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            line += 1
        elif kind == "text":
            line += child.content.count("\n")
        elif kind == "html_inline":
            line += child.content.count("\n")
            anchors |= html_ids(child.content)
        elif kind == "link_open":
            href = child.attrGet("href")
            if href is not None:
                links.append(Link(str(href), line, is_image=False))
        elif kind == "image":
            src = child.attrGet("src")
            if src is not None:
                links.append(Link(str(src), line, is_image=True, alt=child.content))


class _Rewriter:
    """Where a link or image of one article points on initdesk."""

    def __init__(self, article_key: str, resolve_article_url: ArticleUrlResolver,
                 assets: AssetHome | None, article_keys: ArticleKeys | None) -> None:
        self.article_key = article_key
        self.resolve_article_url = resolve_article_url
        self.assets = assets
        self.article_keys = article_keys

    def href(self, href: str, *, is_image: bool) -> str:
        resolved = resolve_relative(self.article_key, href)
        if resolved is None or href.startswith("#"):
            return href
        target = resolved[0]
        if target == ".." or target.startswith("../"):
            return href
        if target.endswith(".md") and not is_image:
            if self.article_keys is not None:
                target = self.article_keys.find(target)
            url = self.resolve_article_url(target)
            if url is None:
                return href
            fragment = href.partition("#")[2]
            return f"{url}#{fragment}" if fragment else url
        published = self.assets.url(target) if self.assets is not None else None
        return published or href


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
