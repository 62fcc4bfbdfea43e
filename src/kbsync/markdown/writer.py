"""initdesk article bodies -> Markdown, for ``kbsync pull`` and ``init --from-remote``.

The goal is a stable round trip: Markdown that kbsync rendered, converted back here, must
render to the very same HTML again, so that ``pull`` right after ``apply`` changes nothing
and an edit made in the web UI shows up as exactly that edit. Hand-written web-editor HTML
(``<b>``, ``<br>``, ``&nbsp;``, ``<div>`` wrappers, tables without ``<thead>``) becomes
clean Markdown.

Three rules keep the round trip exact:

- every character of text is escaped when, at its position, Markdown would read it as
  syntax, and only then (``escape``);
- emphasis, strong and strikethrough use ``*``/``**``/``~~`` only when the delimiters are
  unambiguous where they stand (CommonMark's flanking rules); otherwise the element is
  written as inline HTML, which Markdown passes through and still parses inside;
- whatever Markdown cannot express (``<kbd>``, ``<sup>``, ``<details>``, ``<div class>``,
  complex tables, images with a width ...) is kept as raw HTML, its start tag copied
  byte for byte from the source.

It writes the team's dialect back: each extension's module (``kbsync.markdown.ext``)
has the write rule for what its syntax renders, tried before the rules here; where the
dialect offers two syntaxes for one element (the callouts), the one the file already
uses (``like``) comes first.

The writer is markdownify's ``MarkdownConverter`` with its own ``convert_*`` rules and
its own walk of the tree (``html_tree``).
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import quote, unquote

from bs4 import BeautifulSoup
from bs4.element import (
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Script,
    Stylesheet,
    Tag,
)
from markdownify import MarkdownConverter

from kbsync.assets.home import AssetHome
from kbsync.markdown.dialect import DEFAULT_DIALECT, Dialect
from kbsync.markdown.escape import ENTITY, LINE_RULES, NEWLINE_SPACE, delimiters_fit, escape, nbsp
from kbsync.markdown.ext.attrs import (
    ATTRS_AT_END,
    BLOCK_ATTRS,
    INLINE_ATTRS,
    attached_to_headings,
    attribute_pairs,
    attributes_text,
    escape_trailing_attrs,
    explicit_heading_ids,
    uses_kramdown,
)
from kbsync.markdown.extension import WriteRule
from kbsync.markdown.heading_ids import HeadingIds
from kbsync.markdown.html_parser import RAW, parse_html
from kbsync.markdown.html_tree import (
    BLOCK,
    CONTAINERS,
    EVERY_TAG,
    HEADING_NAME,
    HEADINGS,
    LEAF_BLOCKS,
    MD_BLOCKS,
    RAW_TEXT,
    TYPE6,
    VOID,
    attr,
    drops_whitespace_inside,
    drops_whitespace_outside,
    first_tag,
    has_content,
    is_block,
    names,
    nearest,
    next_content,
    prev_content,
    tags_below,
)
from kbsync.markdown.paths import encoded_link_path
from kbsync.markdown.registry import EXTENSIONS
from kbsync.markdown.render import gc_paused

__all__ = ["MAX_DEPTH", "UrlToKey", "Writer", "body_from_remote", "html_to_markdown",
           "text_to_markdown"]

#: How deep elements are converted to Markdown; below this depth a subtree stays HTML.
#: Each level costs several Python frames, and a remote body can nest as deep as it
#: likes (300 ``<div>`` s, 150 lists): the bound keeps any body convertible.
MAX_DEPTH = 48


UrlToKey = Callable[[str], str | None]


def _no_key(url: str) -> str | None:
    return None


def html_to_markdown(html: str, *, url_to_key: UrlToKey = _no_key, article_key: str = "",
                     assets: AssetHome | None = None,
                     dialect: Dialect | Iterable[str] = DEFAULT_DIALECT,
                     like: str | None = None) -> str:
    """Markdown for an article body given as HTML.

    ``url_to_key`` maps a public article URL (fragment removed) to the target article's
    key, e.g. ``billing/refunds.md``; such links become relative ``.md`` links from
    ``article_key``'s folder again, ``#anchor`` kept. URLs ``assets`` makes (any version
    of a published file's) become relative file paths again. ``dialect`` names
    the Markdown extensions the result may use (``[content] markdown``) and the heading
    ids the renderer makes; ``like`` is the Markdown of the file the result replaces,
    whose syntax the result follows where the dialect has two (``:::`` or ``!!!``).
    """
    source = html.replace("\r\n", "\n").replace("\r", "\n")
    with gc_paused():  # the tree is one object per tag and text: see gc_paused
        soup, closed, has_comments = parse_html(source, EVERY_TAG)
        if has_comments:
            _keep_comments(soup)
        converter = Writer(source, url_to_key, article_key, assets,
                           Dialect.of(dialect), like, closed)
        converter.prepare(soup)
        markdown: str = converter.convert_soup(soup)
        soup.decompose()  # its parent links are cycles: free it now, not at the next GC
    return markdown + "\n" if markdown else ""


def text_to_markdown(text: str, dialect: Dialect | Iterable[str] = DEFAULT_DIALECT) -> str:
    """Markdown that renders as ``text`` reads: paragraphs at blank lines, line breaks kept.

    Used when an article only has a plain-text body. Markdown syntax characters are
    escaped so the text shows as itself; a single newline becomes a hard break because
    plain text shows its line breaks.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rules = line_rules(Dialect.of(dialect))
    paragraphs = []
    for block in re.split(r"\n[ \t\xa0]*\n", text):
        lines = [nbsp(line).strip(" \t") for line in block.split("\n")]
        escaped = [escape(line, line_start=True, rules=rules) for line in lines if line]
        if escaped:
            paragraphs.append("\\\n".join(escaped).replace("\xa0", "&nbsp;"))
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


def body_from_remote(content: str, content_html: str, *, url_to_key: UrlToKey = _no_key,
                     article_key: str = "", assets: AssetHome | None = None,
                     dialect: Dialect | Iterable[str] = DEFAULT_DIALECT,
                     like: str | None = None) -> str:
    """The Markdown body of a remote article under the contract's display rule.

    initdesk shows the longer of ``content`` (plain) and ``content_html``, so that is the
    body a reader saw; a tie goes to the HTML, which carries more.
    """
    if content_html and len(content_html) >= len(content):
        return html_to_markdown(content_html, url_to_key=url_to_key, article_key=article_key,
                                assets=assets, dialect=dialect, like=like)
    return text_to_markdown(content, dialect)


#: The elements Markdown's delimiters make (``<b>``, ``<i>``, ``<del>`` stay HTML: ``**``
#: would make them ``<strong>``...).
_EMPHASIS = {"em": "*", "strong": "**", "s": "~~"}


# Stand-ins for an emphasis sibling whose delimiter is not known yet (see _neighbour).
_ADJACENT = {"*": "\x01", "~": "\x02"}


_SENTINEL_CHARS = {sentinel: char for char, sentinel in _ADJACENT.items()}


# Tags with a Markdown rule of their own (everything else is kept as raw HTML).
_CONVERTED = frozenset(_EMPHASIS) | names(
    "p br hr h1 h2 h3 h4 h5 h6 blockquote ul ol li pre code a table html body head "
    "kbsync-comment [document]")


#: The document's own structure, never an element written in the body.
_STRUCTURE = names("[document] html head body")


_UNWRAPPED_WHEN_BARE = names("div section article main span font")


_IMG_ATTRS = frozenset({"src", "alt", "title"})


_START_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*/?>")


_COMMENT_TAG = "kbsync-comment"
#: A line CommonMark reads as the start of a raw HTML block of the 7th kind: one open or
#: close tag of any name, alone.
#: A line validate refuses as a merge conflict's marker (``validate.conflict_markers``).
_CONFLICT_MARKER_LINE = re.compile(r"^(?:<{7}|>{7})(?: |$)", re.MULTILINE)
_HTML_LINE = re.compile(
    r"[ \t]{0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|"
    r"'[^']*'|\"[^\"]*\"))?)*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*")


def line_rules(dialect: Dialect) -> tuple[re.Pattern[str], ...]:
    """The line-start rules of CommonMark plus those of the dialect's extensions."""
    return LINE_RULES + tuple(rule for name in dialect.extensions
                              for rule in EXTENSIONS[name].line_rules)


#: What is kept as written through a placeholder (a doctype is a pasted page's, dropped).
_KEPT = (Comment, CData, ProcessingInstruction, Declaration)


def _keep_comments(soup: BeautifulSoup) -> None:
    """Turn comments into placeholder tags, which markdownify does not drop.

    A comment in an article (``<!-- TODO -->``) is content its author wrote; a pull that
    silently deleted it would propagate the deletion through the merge.

    The same goes for what a browser does not show but Markdown passes through as HTML
    (CDATA, ``<?...?>``, ``<!...>``, and the source ``html_parser`` kept as written): each
    placeholder carries its text as written, in ``raw``.
    """
    for node in [el for el in soup.descendants if isinstance(el, _KEPT)]:
        text = str(node)
        if isinstance(node, CData):
            raw = f"<![CDATA[{text}]]>"
        elif isinstance(node, ProcessingInstruction):
            raw = f"<?{text}>"
        elif isinstance(node, Declaration):
            raw = f"<!{text}>"
        else:
            raw = text[len(RAW):] if text.startswith(RAW) else f"<!--{text}-->"
        tag = soup.new_tag(_COMMENT_TAG)
        tag["raw"] = raw
        node.replace_with(tag)


def _language(pre: Tag) -> str:
    """The fence info string: ``language-x`` (or ``lang-x``) on ``<code>`` or ``<pre>``."""
    code = first_tag(pre, "code")
    for tag in (code, pre):
        if isinstance(tag, Tag):
            for cls in (attr(tag, "class") or "").split():
                for prefix in ("language-", "lang-"):
                    if cls.startswith(prefix) and len(cls) > len(prefix):
                        return cls[len(prefix):]
    return ""


def _longest_run(text: str, char: str) -> int:
    return max((len(m) for m in re.findall(re.escape(char) + "+", text)), default=0)


def _code_span(content: str, in_cell: bool) -> str:
    """``content`` as a code span: enough backticks, and padding CommonMark strips again."""
    content = content.replace("\n", " ")
    ticks = "`" * (_longest_run(content, "`") + 1)
    if content.startswith("`") or content.endswith("`") or (
            content.startswith(" ") and content.endswith(" ") and content.strip(" ")):
        content = f" {content} "
    if in_cell:  # GFM splits cells before code spans are parsed
        content = content.replace("|", "\\|")
    return f"{ticks}{content}{ticks}"


def _destination(url: str, in_cell: bool) -> str:
    """A link destination that parses back to ``url``; balanced parentheses stay as they
    are (``#setup-(legacy)``, markdown-it-anchor's ids), others are escaped."""
    out = url.replace("\\", "\\\\")
    if not _balanced(url):
        out = out.replace("(", "\\(").replace(")", "\\)")
    out = out.replace("<", "\\<").replace(" ", "%20")
    out = ENTITY.sub(lambda m: "\\" + m.group(0), out)
    out = re.sub(r"[\x00-\x1f\x7f]", lambda m: quote(m.group(0)), out)
    return out.replace("|", "\\|") if in_cell else out


def _balanced(url: str) -> bool:
    depth = 0
    for char in url:
        if char in "()":
            depth += 1 if char == "(" else -1
            if depth < 0:
                return False
    return depth == 0


def _title(title: str | None, in_cell: bool) -> str:
    if not title:
        return ""
    out = title.replace("\\", "\\\\").replace('"', '\\"')
    if in_cell:
        out = out.replace("|", "\\|")
    return f' "{out}"'


def _chomp(text: str) -> tuple[str, str, str]:
    """(leading space, text, trailing space): ``<b> x </b>`` is `` **x** `` in Markdown.

    A hard break's newline stays inside: ``\\`` without it would escape the delimiter.
    """
    stripped = text.strip(" \t\n")
    if not stripped:
        return "", "", ""
    head = text[: len(text) - len(text.lstrip(" \t\n"))]
    tail = text[len(text.rstrip(" \t\n")):]
    if stripped.endswith("\\") and tail.startswith("\n"):
        stripped, tail = stripped + "\n", tail[1:]
    return ("\n" if "\n" in head else " ") if head else "", stripped, \
        ("\n" if "\n" in tail else " ") if tail else ""


def _indent(text: str, prefix: str, first: str) -> str:
    """``first`` before the first line, ``prefix`` before every later non-empty line."""
    lines = text.split("\n")
    rest = [(prefix + line) if line else "" for line in lines[1:]]
    return "\n".join([first + lines[0], *rest])


def _join_blocks(parts: Iterable[str]) -> str:
    """Concatenate converted siblings, at most one blank line where two meet."""
    out = ""
    for part in parts:
        if not part:
            continue
        lead = len(part) - len(part.lstrip("\n"))
        trail = len(out) - len(out.rstrip("\n"))
        if lead and trail:
            out = out.rstrip("\n") + "\n" * min(2, max(lead, trail)) + part.lstrip("\n")
        else:
            out += part
    return out


def _squeeze_blank_lines(html: str) -> str:
    """A blank line ends a raw HTML block in Markdown, so a raw block must have none."""
    return re.sub(r"\n[ \t]*(?=\n)", "", html)


#: A URL with a scheme (``https:``, ``mailto:``), or one the knowledge base never checks:
#: absolute (``/help``) or scheme-relative (``//cdn``).
_SCHEME_OR_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|/")


def _document_anchors(tags: Sequence[Tag], scheme: HeadingIds) -> set[str]:
    """Every id a reader's browser has in this body: element ids, ``<a name>``, and the
    id the renderer gives each heading (its text, under the heading-id scheme)."""
    anchors: set[str] = set()
    for tag in tags:
        for name in ("id", "name"):
            value = attr(tag, name)
            if value:
                anchors.add(value)
        if tag.name in HEADINGS and scheme.slug is not None:
            anchors.add(scheme.slug(tag.get_text()))
    return anchors


_NEWLINES_AROUND = re.compile(r"(\n*)((?:.*[^\n])?)(\n*)", re.DOTALL)


def _ignorable(el: PageElement, inside_trimmed: bool) -> bool:
    """Whether markdownify skips this child: a comment, or whitespace next to a block edge."""
    if isinstance(el, Tag):
        return False
    if isinstance(el, (Comment, Doctype)):
        return True
    if str(el).strip():
        return False
    prev, nxt = el.previous_sibling, el.next_sibling
    if inside_trimmed and (not prev or not nxt):
        return True
    return drops_whitespace_outside(prev) or drops_whitespace_outside(nxt)


def _collapse_newlines(parts: list[str]) -> str:
    """Join converted siblings; where one's trailing newlines meet the next one's leading
    newlines, the longer run wins, at most two (markdownify's rule)."""
    out = [""]
    for part in parts:
        match = _NEWLINES_AROUND.fullmatch(part)
        assert match is not None  # the pattern matches any string
        lead, content, trail = match.groups()
        if out[-1] and lead:
            lead = "\n" * min(2, max(len(out.pop()), len(lead)))
        out += (lead, content, trail)
    return "".join(out)


def _renders_empty(tag: Tag) -> bool:
    """Whether ``tag`` converts to nothing (``<code></code>``, an empty ``<em>``), so that
    its neighbours meet in the Markdown."""
    empty_kinds = tag.name in _EMPHASIS or tag.name == "code" or (
        tag.name in _UNWRAPPED_WHEN_BARE and not tag.attrs)
    return empty_kinds and not tag.get_text() and first_tag(tag) is None


def _pre_text(pre: Tag) -> str:
    """The text of a <pre>, <br> as newlines; an editor's newline right after <pre> dropped."""
    parts = []
    for node in pre.descendants:
        if isinstance(node, Tag) and node.name == "br":
            parts.append("\n")
        elif isinstance(node, NavigableString) and not isinstance(node, Comment):
            parts.append(str(node))
    text = "".join(parts)
    first = next(iter(pre.children), None)
    if isinstance(first, NavigableString) and str(first).startswith("\n"):
        text = text[1:]
    return text


# markdownify's type stub leaves out the hooks a converter overrides and calls.
_BASE: Any = MarkdownConverter


class Writer(MarkdownConverter):
    """markdownify with round-trip-stable rules for every construct kbsync renders."""

    def __init__(self, source: str, url_to_key: UrlToKey, article_key: str,
                 assets: AssetHome | None, dialect: Dialect = DEFAULT_DIALECT,
                 like: str | None = None, closed: set[int] | None = None) -> None:
        super().__init__(heading_style="atx", bullets="-", strong_em_symbol="*",
                         escape_asterisks=False, escape_underscores=False, escape_misc=False)
        self._source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._url_to_key = url_to_key
        self._article_key = article_key
        self._assets = assets
        self._loose: dict[int, bool] = {}
        self._dialect = dialect
        self._with_attrs = "attrs" in dialect
        self._kramdown = self._with_attrs and like is not None and uses_kramdown(like)
        self._attached = " " if like is None or not attached_to_headings(like) else ""
        self._rules = line_rules(dialect)
        self.like = like
        self._closed = closed if closed is not None else set()  # ids of tags the source ended
        self._write_rules = _write_rules(dialect, like)
        self._explicit_ids: set[int] = set()
        self._anchors: set[str] = set()
        self._depth = 0

    def prepare(self, soup: BeautifulSoup) -> None:
        """Decisions that need the whole document: which heading ids must be written, and
        the renderer's footnote back-links gone (the footnote syntax makes them again).
        One walk over the elements serves all three."""
        tags = list(tags_below(soup))
        scheme = self._dialect.scheme
        if self._with_attrs:
            self._explicit_ids = explicit_heading_ids(tags, scheme)
        self._anchors = _document_anchors(tags, scheme)
        for name in self._dialect.extensions:
            prepare = EXTENSIONS[name].prepare
            if prepare is not None:
                prepare(tags)

    # -- dispatch --------------------------------------------------------------------

    def process_tag(self, node: Tag, parent_tags: set[str] | None = None) -> str:
        parent_tags = parent_tags if parent_tags is not None else set()
        if self._depth >= MAX_DEPTH:  # deeper is kept as HTML, which renders the same
            if node.name in BLOCK and not self.in_inline(node):
                return self.sep(node) + self._whole_raw_block(node) + self.sep(node)
            return self._raw_html(node)
        self._depth += 1
        try:
            return self._process_tag(node, parent_tags)
        finally:
            self._depth -= 1

    def _process_tag(self, node: Tag, parent_tags: set[str]) -> str:
        for rule in self._write_rules.get(node.name, ()):
            written = rule(self, node, parent_tags)
            if written is not None:
                return written
        if node.name == "table" or self._is_raw(node):
            if node.name in BLOCK and not self.in_inline(node):
                return self._raw_block(node, parent_tags)
            return self._raw_inline(node, parent_tags)
        return self._rule(node, self.children(node, parent_tags), parent_tags)

    def _rule(self, node: Tag, text: str, parent_tags: set[str]) -> str:
        """``node``'s own ``convert_*`` rule applied to the Markdown of its children."""
        fn = _BASE.get_conv_fn_cached(self, node.name)
        return fn(node, text, parent_tags) if fn is not None else text

    def _element(self, node: PageElement, parent_tags: set[str]) -> str:
        if isinstance(node, NavigableString):
            return self.process_text(node, parent_tags)
        assert isinstance(node, Tag)
        return self.process_tag(node, parent_tags)

    def children(self, node: Tag, parent_tags: set[str]) -> str:
        """The Markdown of ``node``'s children, without ``node``'s own rule.

        markdownify's ``process_tag`` does the same walk, but asks bs4 for a ``<pre>``
        ancestor at every tag; ``parent_tags`` knows that already, for a fraction of the
        cost (converting is most of ``init --from-remote``).
        """
        name = node.name
        inside = drops_whitespace_inside(node)
        tags = set(parent_tags)
        tags.add(name)
        if HEADING_NAME.match(name) or name in ("td", "th"):
            tags.add("_inline")
        if name in ("pre", "code", "kbd", "samp"):
            tags.add("_noformat")
        parts = [self._element(kid, tags) for kid in node.children
                 if not _ignorable(kid, inside)]
        parts = [part for part in parts if part]
        if name == "pre" or "pre" in parent_tags:
            return "".join(parts)  # newlines in code are code
        return _collapse_newlines(parts)

    # -- classification --------------------------------------------------------------

    def _is_raw(self, node: Tag) -> bool:
        """Whether ``node`` is kept as HTML because Markdown cannot say what it says."""
        name = node.name
        if self._with_attrs and node.attrs and self._attributes(node) is None:
            return True
        if name not in BLOCK and name not in _STRUCTURE and self._opens_html_block(node):
            return True
        if name == "pre" and node.attrs:
            return True  # the renderer's fences have none: an HTML <pre> it was
        if name in _CONVERTED:
            href = attr(node, "href")
            if name == "a" and href is not None and self._would_break(href, is_image=False):
                return True
            return name == "a" and href is None  # an anchor, or a link without a target
        if name in _UNWRAPPED_WHEN_BARE:
            if name != "span" and name != "font" and self._opens_html_block(node):
                return True  # a <div> written around Markdown, not an editor's wrapper
            return bool(node.attrs) and not (name == "span" and self._with_attrs
                                             and node.get_text())
        if name == "img":
            src = attr(node, "src")
            return not src or self._would_break(src, is_image=True) or not (
                self._with_attrs or set(node.attrs) <= _IMG_ATTRS)
        return True  # an <input> the tasklists rule did not take, <kbd>, <sup>...

    def _would_break(self, url: str, *, is_image: bool) -> bool:
        """Whether ``url`` written as a Markdown link would fail ``validate``: a relative
        path that is neither an article nor an asset of this knowledge base (a web editor
        wrote it), or an anchor this body does not have. Such a link stays HTML: it
        renders the same, and links in HTML are the writer's own business."""
        if _SCHEME_OR_ABSOLUTE.match(url):
            return False
        if url.startswith("#"):
            return not is_image and unquote(url[1:]) not in self._anchors
        return self._rewrite(url, is_image=is_image) == url

    def in_inline(self, node: Tag) -> bool:
        """Whether ``node`` sits in running text (a paragraph, heading, cell, link ...)."""
        parent = node.parent
        if parent is None or isinstance(parent, BeautifulSoup):
            return False
        return not is_block(parent) or parent.name in LEAF_BLOCKS

    def _is_loose(self, list_el: Tag | None) -> bool:
        """A list is loose (items are paragraphs, blank lines between) when an item has a <p>."""
        if list_el is None:
            return False
        key = id(list_el)
        if key not in self._loose:
            self._loose[key] = any(
                isinstance(li, Tag) and li.name == "li" and any(
                    isinstance(kid, Tag) and kid.name == "p" for kid in li.children)
                for li in list_el.children)
        return self._loose[key]

    def sep(self, el: Tag) -> str:
        """Block separator: blank lines, but single newlines inside a tight list item."""
        parent = el.parent
        if isinstance(parent, Tag) and parent.name == "li" and not self._is_loose(
                parent.parent if isinstance(parent.parent, Tag) else None):
            return "\n"
        return "\n\n"

    # -- the dialect: attributes, callouts, footnotes ----------------------------------

    def _attributes(self, node: Tag) -> str | None:
        """The attribute syntax for ``node``'s attributes that Markdown's own syntax does
        not hold ("" for none, None when they cannot be written so)."""
        name = node.name
        if name in HEADINGS:
            skip = frozenset() if id(node) in self._explicit_ids else frozenset({"id"})
            text = attributes_text(attribute_pairs(node, skip))
            return None if text is None or (text and not ATTRS_AT_END.match(text)) \
                else text
        if name in BLOCK_ATTRS:
            return attributes_text(attribute_pairs(node, BLOCK_ATTRS[name]))
        if name in INLINE_ATTRS and not (name == "code" and nearest(node, "pre")):
            return attributes_text(attribute_pairs(node, INLINE_ATTRS[name]))
        return None if name in _EMPHASIS or name == "br" else ""

    def block_attributes(self, node: Tag) -> str:
        """A line of attributes to write before the block ``node`` (or ""), kramdown's way
        (``{: .x}``) in a file that writes them so."""
        text = self._attributes(node) if self._with_attrs and node.attrs else ""
        if text and self._kramdown:
            text = "{: " + text[1:]
        return text + "\n" if text else ""

    def callout_parts(self, node: Tag, title: Tag | None,
                      parent_tags: set[str]) -> tuple[str, str | None]:
        """A callout's body as Markdown blocks, and its title as one line of inline
        Markdown ("" without a title, None when it is not one line)."""
        kids = list(node.children)
        shown: str | None = ""
        if title is not None:
            kids = kids[kids.index(title) + 1:]
            inline = self.children(title, parent_tags | {"p", "_inline"}).strip()
            shown = inline if inline and "\n" not in inline else None
        return self.blocks(kids, parent_tags | {"div"}), shown

    indent = staticmethod(_indent)

    def blocks(self, kids: Iterable[PageElement], parent_tags: set[str]) -> str:
        return _join_blocks(self._element(kid, parent_tags)
                            for kid in kids).strip("\n")

    # -- neighbours, for emphasis ----------------------------------------------------

    def _edge_char(self, tag: Tag, at_end: bool) -> str:
        """The Markdown character ``tag`` starts (or ends) with, as far as it matters."""
        if tag.name == "br" or is_block(tag):
            return "\n"
        if tag.name in _EMPHASIS:
            return _ADJACENT[_EMPHASIS[tag.name][0]]
        if tag.name in _UNWRAPPED_WHEN_BARE and not tag.attrs:
            kids = list(tag.children)
            for kid in reversed(kids) if at_end else kids:
                if isinstance(kid, NavigableString) and str(kid):
                    return str(kid)[-1 if at_end else 0]
                if isinstance(kid, Tag):
                    return self._edge_char(kid, at_end)
        return ">" if at_end else "<"

    def _neighbour(self, el: Tag, before: bool) -> str:
        """The character next to ``el`` in the output ("" for a line edge).

        An emphasis sibling is reported as an ``_ADJACENT`` sentinel: its own delimiter
        is not decided yet, so any delimiter of the same family could merge with it.
        """
        node = el.previous_sibling if before else el.next_sibling
        while node is not None:
            if isinstance(node, Tag) and not _renders_empty(node):
                return self._edge_char(node, at_end=before)
            text = "" if isinstance(node, Tag) else str(node)
            if text:
                return text[-1] if before else text[0]
            node = node.previous_sibling if before else node.next_sibling
        parent = el.parent
        if not isinstance(parent, Tag) or isinstance(parent, BeautifulSoup) \
                or is_block(parent):
            return ""
        if parent.name in _EMPHASIS:
            return _EMPHASIS[parent.name][0]
        if parent.name == "a":
            return "[" if before else "]"
        if parent.name in _UNWRAPPED_WHEN_BARE and not parent.attrs:
            return self._neighbour(parent, before)
        return ">" if before else "<"

    # -- text ------------------------------------------------------------------------

    def process_text(self, el: NavigableString, parent_tags: set[str] | None = None) -> str:
        parent_tags = parent_tags if parent_tags is not None else set()
        if isinstance(el, (Declaration, Doctype, ProcessingInstruction)):
            return ""
        text = str(el)
        if "pre" in parent_tags or "code" in parent_tags:
            return text  # their rules read the text themselves
        prev, nxt = el.previous_sibling, el.next_sibling
        if self._in_raw_line(prev, text):
            return html_lib.escape(text.rstrip("\n"), quote=False)
        text = nbsp(NEWLINE_SPACE.sub("\n", text))
        if self._ends_line(prev) or (prev is None and self._boundary(el)):
            text = text.lstrip(" \t\n")
        if self._ends_line(nxt) or (nxt is None and self._boundary(el)):
            text = text.rstrip(" \t\n")
        if not text:
            return ""
        before_link = isinstance(nxt, Tag) and nxt.name == "a"
        escaped = escape(text, line_start=self._at_line_start(el), before_link=before_link,
                          rules=self._rules)
        if self._with_attrs:
            if escaped.startswith("{") and isinstance(prev, Tag):
                escaped = "\\" + escaped  # "{.x}" right after a link would be its attributes
            parent = el.parent
            if nxt is None and isinstance(parent, Tag) and parent.name in HEADINGS:
                escaped = escape_trailing_attrs(escaped)  # the heading's, with or without a space
        return escaped.replace("\xa0", "&nbsp;")

    def _in_raw_line(self, prev: PageElement | None, text: str) -> bool:
        """Whether ``text`` follows a comment (or other source kept as written) that opens
        a raw HTML block: Markdown takes the rest of a comment's line, and everything up
        to a blank line after a tag, as HTML, so the text is written as it is."""
        if not (isinstance(prev, Tag) and prev.name == _COMMENT_TAG and text.strip()
                and self._at_line_start(prev) and not self.in_inline(prev)):
            return False
        rest = text.strip("\n")
        if (attr(prev, "raw") or "").startswith("<!--"):
            return "\n" not in rest and not text.startswith("\n")
        return "\n\n" not in rest

    def _ends_line(self, node: PageElement | None) -> bool:
        """Whether whitespace next to ``node`` is meaningless: a block, a break, a block
        comment."""
        if not isinstance(node, Tag):
            return False
        if node.name == _COMMENT_TAG:
            return self._comment_is_block(node)
        return node.name == "br" or is_block(node)

    def _boundary(self, el: PageElement) -> bool:
        """Whether ``el``'s parent is a block (or the document), whose edges drop spaces."""
        parent = el.parent
        return parent is None or isinstance(parent, BeautifulSoup) or is_block(parent)

    def _at_line_start(self, el: PageElement) -> bool:
        """Whether text at ``el`` may begin a line of Markdown (so block syntax applies)."""
        prev = el.previous_sibling
        if prev is None:
            parent = el.parent
            return self._boundary(el) and not (
                isinstance(parent, Tag) and parent.name in ("td", "th"))
        return isinstance(prev, Tag) and (prev.name == "br" or is_block(prev))

    # -- raw HTML --------------------------------------------------------------------

    def _start_tag(self, tag: Tag) -> str:
        """``tag``'s start tag exactly as the source wrote it (rebuilt when not found)."""
        line, col = tag.sourceline, tag.sourcepos
        if line is not None and col is not None and line <= len(self._line_starts):
            match = _START_TAG.match(self._source, self._line_starts[line - 1] + col)
            if match and match.group(1).lower() == tag.name:
                return match.group(0)
        attrs = "".join(
            f' {name}="{html_lib.escape(attr(tag, name) or "")}"' for name in tag.attrs)
        return f"<{tag.name}{attrs}>"

    def _raw_html(self, node: PageElement) -> str:
        """``node`` as HTML, start tags verbatim from the source.

        Walked with a stack, not recursion: a subtree is kept raw precisely when it is
        too deep to convert (see :data:`MAX_DEPTH`).
        """
        out: list[str] = []
        stack: list[PageElement | str] = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, str) and not isinstance(item, NavigableString):
                out.append(item)  # an end tag pushed below
            elif isinstance(item, Tag):
                if item.name == _COMMENT_TAG:
                    out.append(attr(item, "raw") or "")
                    continue
                start = self._start_tag(item)
                out.append(start)
                if item.name not in VOID and not (start.endswith("/>") and not item.contents):
                    stack.append(self._end_tag(item, start))
                stack.extend(reversed(list(item.children)))
            elif isinstance(item, (Declaration, Doctype, ProcessingInstruction)):
                continue
            elif isinstance(item, (Script, Stylesheet)):
                out.append(str(item))
            else:
                out.append(html_lib.escape(str(item), quote=False).replace("\xa0", "&nbsp;"))
        return "".join(out)

    def _raw_inline(self, node: Tag, parent_tags: set[str]) -> str:
        """Inline HTML around the Markdown of its content (Markdown parses inside it)."""
        start = self._start_tag(node)
        if node.name in VOID or (start.endswith("/>") and not node.contents):
            return start
        if node.name in RAW_TEXT or self._opens_html_block(node):
            return self._raw_html(node)
        inner = self.children(node, parent_tags)
        return f"{start}{inner}{self._end_tag(node, start)}"

    def _opens_html_block(self, node: Tag) -> bool:
        """Whether ``node``'s start tag, alone on the first line of a block, came from (and
        would make again) a raw HTML block, whose text Markdown does not process: then
        all of it is written as it was, so no escape is added inside."""
        first = node.contents[0] if node.contents else None
        return isinstance(first, NavigableString) and str(first).startswith("\n") \
            and self._at_line_start(node)

    def _end_tag(self, node: Tag, start: str | None = None) -> str:
        """``node``'s end tag spelled as its start tag was, or "" when the source never
        closed it (``<a href="x">`` as the body's last line: the browser closes it)."""
        if id(node) not in self._closed:
            return ""
        start = start if start is not None else self._start_tag(node)
        return f"</{start[1:1 + len(node.name)]}>"

    def _raw_block(self, node: Tag, parent_tags: set[str]) -> str:
        """A raw HTML block; Markdown blocks inside it are written as Markdown.

        ``<details><summary>S</summary>`` + paragraphs comes out as the opening line,
        a blank line, the paragraphs in Markdown, a blank line and ``</details>``:
        exactly what produces that HTML.
        """
        sep = self.sep(node)
        kids = list(node.children)
        first = next((i for i, kid in enumerate(kids) if isinstance(kid, Tag) and (
            kid.name in MD_BLOCKS or (kid.name in CONTAINERS and self._is_raw(kid)))), None)
        if first is None or node.name in RAW_TEXT or node.name in VOID:
            return sep + self._whole_raw_block(node) + sep
        lead = "".join(self._raw_html(kid) for kid in kids[:first]).rstrip(" \t\n")
        tags = parent_tags | {node.name}
        body = _join_blocks(self._element(kid, tags) for kid in kids[first:])
        return (sep + self._start_tag(node) + _squeeze_blank_lines(lead) + "\n\n"
                + body.strip("\n") + "\n\n" + self._end_tag(node) + sep)

    def _whole_raw_block(self, node: Tag) -> str:
        raw = self._raw_html(node)
        if node.name in RAW_TEXT:
            return raw
        raw = _squeeze_blank_lines(raw)
        if node.name in TYPE6 or node.name in VOID:
            return raw
        # Any other tag only opens a raw block when it stands alone on its line.
        start = self._start_tag(node)
        inner = raw[len(start): len(raw) - len(node.name) - 3].strip("\n")
        return "\n".join(part for part in (start, inner, self._end_tag(node)) if part)

    def convert_kbsync_comment(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        comment = attr(el, "raw") or ""
        if not self._comment_is_block(el):
            return comment
        return self.sep(el) + comment + self.sep(el)

    def _comment_is_block(self, el: Tag) -> bool:
        """A comment between blocks stands on its own lines; one next to text is inline."""
        if self.in_inline(el) or not self._boundary(el):
            return False
        for node in (prev_content(el), next_content(el)):
            if node is not None and not is_block(node) and not (
                    isinstance(node, Tag) and node.name == _COMMENT_TAG):
                return False
        return True

    def convert__document_(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return text.strip(" \t\n")

    def convert_head(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return ""  # a pasted whole document: its <head> is not article content

    # -- blocks ----------------------------------------------------------------------

    def convert_p(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = text.strip(" \t\n")
        if "_inline" in parent_tags:
            return f" {text} " if text else ""
        if _HTML_LINE.fullmatch(text.partition("\n")[0]):
            # A line of one tag would open a raw HTML block and swallow the paragraph
            # (a relative <img> that is not an asset, say): the paragraph stays HTML.
            return self.sep(el) + _squeeze_blank_lines(self._raw_html(el)) + self.sep(el)
        return self.sep(el) + self.block_attributes(el) + text + self.sep(el) if text else ""

    def convert_div(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A bare <div> (or section ...) is a web editor's wrapper: its content stays."""
        text = text.strip(" \t\n")
        if "_inline" in parent_tags:
            return f" {text} " if text else ""
        return f"\n\n{text}\n\n" if text else ""

    convert_section = convert_div
    convert_article = convert_div
    convert_main = convert_div

    def convert_span(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A bare span is a web editor's wrapper; one with attributes a ``[span]{.x}``."""
        if self._with_attrs and el.attrs and el.name == "span":
            head, inner, tail = _chomp(text)
            return f"{head}[{inner}]{self._attributes(el)}{tail}"
        return text

    convert_font = convert_span

    def convert_hN(self, n: int, el: Tag, text: str, parent_tags: set[str]) -> str:
        """ATX headings; a heading holding a line break (setext source) stays setext."""
        if "_inline" in parent_tags:
            return text
        text = text.strip(" \t\n")
        level = max(1, min(6, n))
        sep = self.sep(el)
        if "\n" in text and level <= 2:
            if self._with_attrs:
                attributes = self._attributes(el) if el.attrs else ""
                text = f"{text} {attributes}" if attributes else text
            return sep + text + "\n" + ("=" if level == 1 else "-") * 3 + sep
        text = re.sub(r"[ \t]*\n[ \t]*", " ", text)
        # A run of # at the end would be read as the optional closing sequence.
        text = re.sub(r"(^|[ \t])(#+)([ \t]*)$", r"\1\\\2\3", text)
        if self._with_attrs:
            attributes = self._attributes(el) if el.attrs else ""
            text = f"{text}{self._attached}{attributes}".strip() if attributes else text
        return sep + "#" * level + (" " + text if text else "") + sep

    def convert_hr(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # In a list item "- ---" would be a rule instead of the item: use "___" there.
        in_item = isinstance(el.parent, Tag) and el.parent.name == "li"
        return self.sep(el) + self.block_attributes(el) + ("___" if in_item else "---") \
            + self.sep(el)

    def convert_blockquote(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = text.strip("\n")
        if "_inline" in parent_tags:
            return f" {text.strip()} "
        quoted = "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))
        return self.sep(el) + self.block_attributes(el) + quoted + self.sep(el)

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A fenced block: the fence is longer than any backtick run in the code."""
        code = _pre_text(el)
        if code and not code.endswith("\n"):
            code += "\n"
        language = _language(el)
        char = "~" if "`" in language else "`"
        # The info string is unescaped when parsed: keep its backslashes and "&...;".
        language = ENTITY.sub(lambda m: "\\" + m.group(0), language.replace("\\", "\\\\"))
        fence = char * max(3, _longest_run(code, char) + 1)
        if "_inline" in parent_tags:
            return _code_span(code.rstrip("\n"), "td" in parent_tags or "th" in parent_tags)
        if _CONFLICT_MARKER_LINE.search(code):
            # A code block showing a merge conflict (a git help article): in a fence its
            # marker lines would stand as written and validate would refuse the file,
            # which no edit could fix. A <pre> HTML block (blank lines allowed) says the
            # same with the first "<" or ">" as an entity, which readers see as the same.
            return self.sep(el) + self._raw_html(el) + self.sep(el)
        return (self.sep(el) + self._fence_attributes(el, _language(el)) + fence + language
                + "\n" + code + fence + self.sep(el))

    def _fence_attributes(self, pre: Tag, language: str) -> str:
        """A fence's attributes sit on its ``<code>``, the language class added last."""
        code = first_tag(pre, "code")
        if not self._with_attrs or not isinstance(code, Tag) or not code.attrs:
            return ""
        pairs = attribute_pairs(code, frozenset())
        if language:  # the info string gives that class back
            made = {f"language-{language}", f"lang-{language}"}
            pairs = [(name, " ".join(c for c in value.split(" ") if c not in made)
                      if name == "class" else value) for name, value in pairs]
            pairs = [(name, value) for name, value in pairs if name != "class" or value]
        text = attributes_text(pairs)
        return text + "\n" if text else ""

    # -- lists -----------------------------------------------------------------------

    def convert_ul(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        body = text.strip("\n")
        return self.sep(el) + self.block_attributes(el) + body + self.sep(el) if body else ""

    convert_ol = convert_ul

    def _same_lists_before(self, list_el: Tag) -> int:
        """How many lists of the same kind come right before: they need another marker,
        or Markdown would merge them into one list."""
        count = 0
        node = prev_content(list_el)
        while isinstance(node, Tag) and node.name == list_el.name:
            count += 1
            node = prev_content(node)
        return count

    def _marker(self, li: Tag) -> str:
        parent = li.parent
        if isinstance(parent, Tag) and parent.name == "ol":
            start_attr = attr(parent, "start") or ""
            start = int(start_attr) if start_attr.isdigit() else 1
            number = start + sum(1 for sib in li.previous_siblings
                                 if isinstance(sib, Tag) and sib.name == "li")
            return f"{number}{'.)'[self._same_lists_before(parent) % 2]} "
        count = self._same_lists_before(parent) if isinstance(parent, Tag) else 0
        return "-*+"[count % 3] + " "

    def convert_li(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        marker = self._marker(el)
        parent = el.parent
        end = "\n\n" if self._is_loose(parent if isinstance(parent, Tag) else None) else "\n"
        body = text.strip(" \t\n")
        if not body:
            return marker.rstrip() + end
        return _indent(body, " " * len(marker), marker) + end

    # -- inline ----------------------------------------------------------------------

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A hard break as ``\\`` + newline (trailing spaces get lost in editors).

        Breaks at the start or end of a block (``<p>text<br></p>``, common in editor
        HTML) mean nothing and are dropped: Markdown would show a stray backslash.
        """
        if "td" in parent_tags or "th" in parent_tags:
            return "<br>"
        if "_inline" in parent_tags:
            return " "
        if not has_content(el, before=True) or not has_content(el, before=False):
            return ""
        return "\\\n"

    def _emphasis(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """``*x*``, ``**x**`` or ``~~x~~`` when that parses back; inline HTML otherwise."""
        if "pre" in parent_tags or "code" in parent_tags:
            return text
        head, inner, tail = _chomp(text)
        if not inner:
            return head or tail
        marker = _EMPHASIS[el.name]
        before = head[-1:] or self._neighbour(el, before=True)
        after = tail[:1] or self._neighbour(el, before=False)
        # A delimiter closes what it opens: an element the source left open (or one
        # spanning a blank line, which ends a paragraph) stays its tag.
        if _ADJACENT[marker[0]] not in (before, after) and "\n\n" not in inner \
                and id(el) in self._closed:
            before, after = _SENTINEL_CHARS.get(before, before), _SENTINEL_CHARS.get(after, after)
            # "_" serves nested emphasis at its parent's edge: **_x_** (not ***x***).
            for char in ("*", "_") if marker[0] == "*" else ("~",):
                if delimiters_fit(char, before, inner, after):
                    delimiter = char * len(marker)
                    return f"{head}{delimiter}{inner}{delimiter}{tail}"
        return f"{head}{self._start_tag(el)}{inner}{self._end_tag(el)}{tail}"

    convert_em = _emphasis
    convert_i = _emphasis
    convert_strong = _emphasis
    convert_b = _emphasis
    convert_s = _emphasis
    convert_del = _emphasis
    convert_strike = _emphasis

    def convert_code(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "pre" in parent_tags:
            return text
        content = el.get_text()
        if not content:
            return ""
        attributes = self._attributes(el) if self._with_attrs and el.attrs else ""
        return _code_span(content, "td" in parent_tags or "th" in parent_tags) + (
            attributes or "")

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "pre" in parent_tags or "code" in parent_tags:
            return text
        href = attr(el, "href")
        if href is None:
            return text
        in_cell = "td" in parent_tags or "th" in parent_tags
        target = self._rewrite(href, is_image=False)
        title = attr(el, "title")
        plain = el.get_text()
        if (target == href == plain and not title and first_tag(el) is None
                and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>|]*", href)):
            return f"<{href}>"
        head, inner, tail = _chomp(text)
        attributes = self._attributes(el) if self._with_attrs and el.attrs else ""
        return (f"{head}[{inner}]({_destination(target, in_cell)}{_title(title, in_cell)})"
                f"{attributes or ''}{tail}")

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        in_cell = "td" in parent_tags or "th" in parent_tags
        src = self._rewrite(attr(el, "src") or "", is_image=True)
        alt = escape(nbsp(attr(el, "alt") or "").replace("\n", " "), line_start=False)
        attributes = self._attributes(el) if self._with_attrs and el.attrs else ""
        return (f"![{alt.replace(chr(0xA0), '&nbsp;')}]"
                f"({_destination(src, in_cell)}{_title(attr(el, 'title'), in_cell)})"
                f"{attributes or ''}")

    # -- links -----------------------------------------------------------------------

    def _rewrite(self, url: str, *, is_image: bool) -> str:
        """A public article URL -> relative ``.md`` link; an asset URL -> relative path."""
        address, sep, fragment = url.partition("#")
        local = self._assets.path_of(address) if self._assets is not None else None
        if local is not None:
            return self._relative(local) + sep + fragment
        if is_image:
            return url
        path, sep, fragment = url.partition("#")
        key = self._url_to_key(path) if path else None
        return self._relative(key) + sep + fragment if key else url

    def _relative(self, key: str) -> str:
        """The relative link to ``key``: ASCII punctuation and spaces percent-encoded (a
        ``#`` or ``?`` in a name must be), letters of any script kept readable."""
        folder = posixpath.dirname(self._article_key) or "."
        return encoded_link_path(posixpath.relpath(key, folder))



def _write_rules(dialect: Dialect, like: str | None) -> dict[str, tuple[WriteRule, ...]]:
    """Each element name's write rules, in the order they are tried: first the syntaxes
    the file uses already, then those a team opts into (off by default), then the rest."""
    on = [EXTENSIONS[name] for name in dialect.extensions]
    on.sort(key=lambda ext: (not (like is not None and ext.uses is not None
                                  and ext.uses(like)), ext.default))
    rules: dict[str, list[WriteRule]] = {}
    for extension in on:
        if extension.write is not None:
            for name in extension.writes:
                rules.setdefault(name, []).append(extension.write)
    return {name: tuple(found) for name, found in rules.items()}
