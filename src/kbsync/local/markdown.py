"""Markdown body -> initdesk ``content_html`` + ``content``, and the links it contains.

Parsing and rendering are separate steps so that a run parses each body once:
``validate`` checks the links and anchors of the parse, and the engine renders the
same parse, possibly twice (a second pass once new articles have public URLs).
Rendering never mutates the tokens: link rewriting happens in render rules that read
the per-render context from markdown-it's ``env``.

The dialect (``[content] markdown``) is CommonMark with raw HTML and GitHub-style heading
ids, plus the extensions a team names: ``tables``, ``strikethrough``, ``tasklists``,
``footnotes`` (mdit-py-plugins), ``attrs`` (``{#id .class key=value}`` after links,
images and code spans and on a line of its own before a block, from mdit-py-plugins;
after a heading's text and on the line after a table, from the core rules below),
``alerts`` (GitHub's ``> [!NOTE]``) and ``admonitions`` (MkDocs' ``!!! note "Title"``).
Alerts and admonitions both render as the same callout a portal's CSS can style::

    <div class="kb-callout kb-callout-note">
    <p class="kb-callout-title">Note</p>
    ...
    </div>

The HTML is always the longer of the two fields: initdesk shows the longer one, and it
must be the HTML (see the display rule in the contract).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from kbsync.local.text import html_to_text
from kbsync.model import RenderedBody
from kbsync.plan.links import ArticleUrlResolver, placeholder
from kbsync.schema.config import DEFAULT_MARKDOWN, MARKDOWN_EXTENSIONS

__all__ = [
    "ALERT_KINDS",
    "CALLOUT_CLASS",
    "DEFAULT_MARKDOWN",
    "RENDER_VERSION",
    "ArticleKeys",
    "Link",
    "MarkdownRenderer",
    "ParsedBody",
    "RenderedBody",
    "dialect_key",
    "heading_anchor",
    "html_to_text",
    "renderer_for",
    "resolve_relative",
    "template_resolver",
    "unique_anchor",
]

#: Bump when the HTML made from the same Markdown changes: every body is then re-rendered.
RENDER_VERSION = "2"
#: The callout's classes: ``kb-callout kb-callout-<kind>``, its title ``kb-callout-title``.
CALLOUT_CLASS = "kb-callout"
#: GitHub's alert kinds, each with the title a reader sees.
ALERT_KINDS = {"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning",
               "caution": "Caution"}


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
    anchors: frozenset[str]  # every id a browser knows: headings, {#id}, raw HTML, footnotes

    def starting_at(self, body_line: int) -> ParsedBody:
        """This parse of a body read from line 1, for the same body at ``body_line`` of a
        file: a link's line is the body's first line plus its line within the body, so a
        body parsed before its front matter was written need not be parsed again."""
        shift = body_line - 1
        links = tuple(Link(k.target, k.line + shift, k.is_image) for k in self.links)
        return ParsedBody(None, links, self.anchors)


def heading_anchor(text: str) -> str:
    """GitHub's heading id: lowercase, punctuation dropped (not ``-``/``_``), spaces -> ``-``.

    Repeated headings get ``-1``, ``-2``..., as on GitHub, so a link that works in the
    repository's web view works on initdesk too.
    """
    return _NOT_ANCHOR.sub("", text.strip().lower()).replace(" ", "-")


def unique_anchor(slug: str, taken: set[str]) -> str:
    """The id a heading gets: its slug, numbered ``-1``, ``-2``... past the ``taken`` ones
    (which it joins). ``pull`` repeats the renderer's numbering with it."""
    candidate, number = slug, 0
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    taken.add(candidate)
    return candidate


def resolve_relative(article_key: str, href: str) -> tuple[str, str | None] | None:
    """A relative href in ``article_key`` -> (root-relative target path, fragment or None).

    None for external (``https:``, ``mailto:``...), scheme-relative and absolute links,
    which are not ours to check. ``#frag`` alone targets the article itself. A target that
    climbs out of the root starts with ``..``; the caller decides what that means. A ``#``
    or ``?`` that is part of a file name is written ``%23`` / ``%3F`` in the link (the
    path is split before it is decoded), a space ``%20`` or inside ``<...>``.
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


class ArticleKeys:
    """The articles' keys, found from a link in either Unicode normal form.

    A key is the path as the file system stores it, and macOS (or a copy from it) may
    store ``ü`` decomposed (NFD) while a link typed elsewhere has it composed (NFC), or
    the reverse. Both name the same file to a reader, so both find it here. Only the
    keys that are not NFC are stored (usually none): the object travels to worker
    processes with every batch.
    """

    __slots__ = ("_aliases", "_odd")

    def __init__(self, keys: Iterable[str] = ()) -> None:
        keys = set(keys)
        self._odd = frozenset(k for k in keys if not unicodedata.is_normalized("NFC", k))
        aliases: dict[str, str] = {}
        for key in sorted(self._odd):
            composed = unicodedata.normalize("NFC", key)
            if composed not in keys:
                aliases.setdefault(composed, key)
        self._aliases = aliases

    def find(self, path: str) -> str:
        """The key ``path`` names (``path`` itself when it names none)."""
        if path.isascii() or path in self._odd:
            return path
        composed = unicodedata.normalize("NFC", path)
        return self._aliases.get(composed, composed)

    def __getstate__(self) -> tuple[frozenset[str], dict[str, str]]:
        return self._odd, self._aliases

    def __setstate__(self, state: tuple[frozenset[str], dict[str, str]]) -> None:
        self._odd, self._aliases = state


def dialect_key(dialect: Iterable[str]) -> str:
    """The dialect as one stable string, for cache and render keys."""
    return ",".join(_dialect(dialect))


def _dialect(names: Iterable[str]) -> tuple[str, ...]:
    wanted = set(names)
    unknown = wanted - set(MARKDOWN_EXTENSIONS)
    if unknown:
        raise ValueError(f"unknown Markdown extension(s): {', '.join(sorted(unknown))}")
    return tuple(name for name in MARKDOWN_EXTENSIONS if name in wanted)


@functools.lru_cache(maxsize=8)
def _cached_renderer(dialect: tuple[str, ...]) -> MarkdownRenderer:
    return MarkdownRenderer(dialect)


def renderer_for(dialect: Iterable[str] = DEFAULT_MARKDOWN) -> MarkdownRenderer:
    """A shared renderer for ``dialect`` (building one costs milliseconds)."""
    return _cached_renderer(_dialect(dialect))


class MarkdownRenderer:
    """One configured markdown-it instance, reused for every body (building one is slow)."""

    def __init__(self, dialect: Iterable[str] = DEFAULT_MARKDOWN) -> None:
        self.dialect = _dialect(dialect)
        on = set(self.dialect)
        md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
        md.enable([rule for rule, name in (("table", "tables"),
                                           ("strikethrough", "strikethrough")) if name in on])
        if "tasklists" in on:
            md.use(tasklists_plugin)
        if "footnotes" in on:
            md.use(footnote_plugin)
        if "attrs" in on:
            md.use(attrs_plugin)
            md.use(attrs_block_plugin)
            md.block.ruler.at("attr", _nonempty_attrs_block(_block_rule(md, "attr")))
            md.core.ruler.before("inline", "kb_heading_attrs", _heading_attrs)
            if "tables" in on:
                md.core.ruler.before("inline", "kb_table_attrs", _table_attrs)
        if "admonitions" in on:
            md.use(admon_plugin)
            md.core.ruler.before("inline", "kb_admonitions", _admonitions_as_callouts)
        if "alerts" in on:
            md.core.ruler.before("inline", "kb_alerts", _alerts_as_callouts)
        md.core.ruler.push("kb_heading_ids", _heading_ids)
        md.add_render_rule("link_open", _render_link_open)
        md.add_render_rule("image", _render_image)
        self._md = md

    def parse(self, body: str, body_line: int = 1) -> ParsedBody:
        """Tokens, links (with file lines) and anchors of ``body``.

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
               assets_base_url: str | None,
               article_keys: ArticleKeys | None = None) -> RenderedBody:
        """HTML with links rewritten for initdesk, and its plain text.

        A ``.md`` link becomes its article's public URL (left relative while the resolver
        does not know it yet); other local files and images move under
        ``assets_base_url`` when it is set. ``article_keys`` finds the article a link
        names whatever the Unicode form it is typed in.
        """
        if parsed.tokens is None:
            raise ValueError(f"{article_key}: render needs a full parse, not a cached one")
        rewriter = _Rewriter(article_key, resolve_article_url, assets_base_url, article_keys)
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


# -- the dialect's rules -------------------------------------------------------------------
#
# Core rules that run between block and inline parsing work on each block's source text
# (``inline.content``), so backslash escapes are still visible: ``\{#x}`` stays text.

# After a space (``## Title {#id}``): ``[link](u){.c}`` at a heading's end is the link's.
_TRAILING_ATTRS = re.compile(r"(?:^|[ \t]+)(\{[^{}\n]*\})[ \t]*$")
_ALERT_LINE = re.compile(r"\[!([A-Za-z]+)\][ \t]*$")
_BlockRule = Callable[[StateBlock, int, int, bool], bool]


def _block_rule(md: MarkdownIt, name: str) -> _BlockRule:
    for rule in md.block.ruler.__rules__:
        if rule.name == name:
            return rule.fn
    raise LookupError(name)


def _nonempty_attrs_block(rule: _BlockRule) -> _BlockRule:
    """The plugin's block-attributes rule, except for a line of ``{}`` (no attributes),
    which stays text instead of vanishing."""

    def attrs_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        line = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
        if not line.startswith("{") or not line.rstrip().endswith("}") or \
                not _attributes(line.rstrip()):
            return False
        return bool(rule(state, start, end, silent))

    return attrs_block


def _attributes(text: str) -> dict[str, str] | None:
    """``{#id .class key=value}`` spelled exactly (nothing after the ``}``), or None."""
    try:
        end, attrs = parse_attrs(text)
    except ParseError:
        return None
    if end != len(text) - 1 or not attrs:
        return None
    return {str(k): str(v) for k, v in attrs.items()}


def _escaped(text: str, index: int) -> bool:
    """Whether ``text[index]`` follows an odd number of backslashes."""
    count = 0
    while index - count > 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _merge_attrs(token: Token, attrs: dict[str, str]) -> None:
    """``attrs`` onto ``token``: classes added to its own, the rest replacing."""
    if "class" in attrs and token.attrGet("class"):
        attrs = {**attrs, "class": f"{token.attrGet('class')} {attrs['class']}"}
    for name, value in attrs.items():
        token.attrSet(name, value)


def _heading_attrs(state: StateCore) -> None:
    """``## Title {#id .class}``: attributes after a heading's text go on the heading.

    mdit-py-plugins reads attributes after inline elements and on a line before a block,
    but not at the end of a heading, where help-center Markdown (Pandoc, kramdown, MkDocs)
    puts them.
    """
    if "{" not in state.src:  # most bodies: nothing to look for
        return
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        inline = tokens[index + 1]
        found = _TRAILING_ATTRS.search(inline.content) if "{" in inline.content else None
        if found is None or _escaped(inline.content, found.start(1)):
            continue
        attrs = _attributes(found.group(1))
        if attrs is not None:
            inline.content = inline.content[:found.start()]
            _merge_attrs(token, attrs)


def _table_attrs(state: StateCore) -> None:
    """``{.class}`` on the line right after a table (markdown-it-attrs' place for them):
    the table parsed it as a last row of one cell; it goes on the table instead."""
    if "{" not in state.src:
        return
    tokens = state.tokens
    opened: list[int] = []
    index = 0
    while index < len(tokens):
        kind = tokens[index].type
        index += 1
        if kind == "table_open":
            opened.append(index - 1)
        elif kind == "table_close":
            opening, close = opened.pop(), index - 1
            row = _last_row(tokens, close)
            attrs = _row_attrs(tokens, row, close, state.src) if row is not None else None
            if row is None or attrs is None:
                continue
            del tokens[row:close - 1]  # tr_open .. tr_close; tbody_close follows
            index = row + 2  # past the table_close
            if tokens[row - 1].type == "tbody_open":  # that was the only row
                del tokens[row - 1:row + 1]
                index = row
            _merge_attrs(tokens[opening], attrs)


def _last_row(tokens: Sequence[Token], table_close: int) -> int | None:
    """The index of the last body row's ``tr_open`` of the table ending at ``table_close``."""
    if tokens[table_close - 1].type != "tbody_close":
        return None
    for index in range(table_close - 2, -1, -1):
        if tokens[index].type == "tr_open":
            return index
        if tokens[index].type == "tbody_open":
            return None
    return None


def _row_attrs(tokens: Sequence[Token], row_start: int, table_close: int,
               src: str) -> dict[str, str] | None:
    cells = [t for t in tokens[row_start:table_close] if t.type == "inline"]
    if not cells or any(cell.content for cell in cells[1:]):
        return None
    text = cells[0].content.strip()
    row = tokens[row_start]
    if not text.startswith("{") or not row.map:
        return None
    line = src.split("\n", row.map[0] + 1)[row.map[0]].strip()
    return _attributes(text) if line == text else None  # a line without a | of its own


def _callout_title(title: str, level: int) -> list[Token]:
    opening = Token("callout_title_open", "p", 1, attrs={"class": f"{CALLOUT_CLASS}-title"},
                    block=True, level=level + 1)
    inline = Token("inline", "", 0, content=title, children=[], level=level + 2)
    closing = Token("callout_title_close", "p", -1, block=True, level=level + 1)
    return [opening, inline, closing]


def _closing(tokens: Sequence[Token], index: int, kind: str) -> int:
    level = tokens[index].level
    return next(i for i in range(index + 1, len(tokens))
                if tokens[i].type == kind and tokens[i].level == level)


def _as_callout(tokens: list[Token], index: int, close: int, kind: str) -> None:
    opening, closing = tokens[index], tokens[close]
    classes = f"{CALLOUT_CLASS} {CALLOUT_CLASS}-{kind}"
    extra = opening.attrGet("class") if opening.type == "blockquote_open" else None
    opening.type, opening.tag = "callout_open", "div"
    opening.attrSet("class", f"{classes} {extra}" if extra else classes)
    opening.meta = {**opening.meta, "kind": kind}
    closing.type, closing.tag = "callout_close", "div"


def _alerts_as_callouts(state: StateCore) -> None:
    """GitHub's ``> [!NOTE]`` (TIP, IMPORTANT, WARNING, CAUTION): the quote becomes a
    callout titled with its kind, the marker line gone (GitHub shows it that way)."""
    if "[!" not in state.src:
        return
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.type != "blockquote_open" or index + 1 >= len(tokens) \
                or tokens[index].type != "paragraph_open" or "[!" not in tokens[index + 1].content:
            continue
        inline = tokens[index + 1]
        first, _, rest = inline.content.partition("\n")
        found = _ALERT_LINE.match(first)
        if found is None or found.group(1).lower() not in ALERT_KINDS:
            continue
        kind = found.group(1).lower()
        _as_callout(tokens, index - 1, _closing(tokens, index - 1, "blockquote_close"), kind)
        if rest.strip():
            inline.content = rest
            if inline.map:
                inline.map = [inline.map[0] + 1, inline.map[1]]
        else:
            del tokens[index:index + 3]  # the paragraph held the marker only
        tokens[index:index] = _callout_title(ALERT_KINDS[kind], token.level)


def _admonitions_as_callouts(state: StateCore) -> None:
    """MkDocs' ``!!! note "Title"`` (and ``???``): the same callout as an alert; the
    title defaults to the kind, ``""`` means none."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "admonition_open":
            continue
        kind = re.sub(r"[^a-z0-9_-]", "", str(token.meta.get("tag") or "").lower()) or "note"
        token.attrs = {}
        _as_callout(tokens, index, _closing(tokens, index, "admonition_close"), kind)
        title = tokens[index + 1]
        if title.type == "admonition_title_open":
            title.type, tokens[index + 3].type = "callout_title_open", "callout_title_close"
            title.attrSet("class", f"{CALLOUT_CLASS}-title")
            text = tokens[index + 2]
            if len(text.content) > 1 and text.content[0] == text.content[-1] == '"':
                text.content = text.content[1:-1]  # older plugins keep the quotes


def _heading_ids(state: StateCore) -> None:
    """GitHub's ids on headings without one: explicit ``{#id}`` ids are kept as written,
    and no generated id takes one of them; repeats get ``-1``, ``-2``..."""
    headings = [(i, t) for i, t in enumerate(state.tokens) if t.type == "heading_open"]
    taken = {str(t.attrGet("id")) for _, t in headings if t.attrGet("id")}
    for index, token in headings:
        if token.attrGet("id"):
            continue
        children = state.tokens[index + 1].children or []
        text = "".join(c.content for c in children if c.type in ("text", "code_inline"))
        token.attrs = {"id": unique_anchor(heading_anchor(text), taken), **token.attrs}
    for _, token in headings:  # one order however the attributes came: id, ..., class
        if len(token.attrs) > 1:
            attrs = dict(token.attrs)
            token.attrs = {"id": attrs.pop("id"), **attrs}
            if "class" in attrs:
                token.attrs["class"] = token.attrs.pop("class")


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


def _scan(tokens: Sequence[Token], body_line: int) -> tuple[list[Link], set[str]]:
    """Links with their file lines, and every anchor, in one pass over the tokens."""
    links: list[Link] = []
    anchors: set[str] = set()
    for token in tokens:
        if token.attrs and token.attrs.get("id"):
            anchors.add(str(token.attrs["id"]))
        if token.type == "inline" and token.children:
            start = token.map[0] if token.map else 0
            _scan_inline(token.children, body_line + start, links, anchors)
        elif token.type == "html_block":
            anchors |= html_ids(token.content)
        elif token.type == "footnote_open":
            anchors.add(f"fn{token.meta['id'] + 1}")
    return links, anchors


def _scan_inline(children: Sequence[Token], line: int, links: list[Link],
                 anchors: set[str]) -> None:
    for child in children:
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
                links.append(Link(str(src), line, is_image=True))
        elif kind == "footnote_ref":
            sub = child.meta.get("subId", 0)
            anchors.add(f"fnref{child.meta['id'] + 1}" + (f":{sub}" if sub else ""))


class _Rewriter:
    """Where a link or image of one article points on initdesk."""

    def __init__(self, article_key: str, resolve_article_url: ArticleUrlResolver,
                 assets_base_url: str | None, article_keys: ArticleKeys | None) -> None:
        self.article_key = article_key
        self.resolve_article_url = resolve_article_url
        self.assets_base_url = assets_base_url
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
