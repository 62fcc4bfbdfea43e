"""initdesk article bodies -> Markdown, for ``kbsync pull``.

The goal is a stable round trip: Markdown that kbsync rendered, converted back here, must
render to the very same HTML again, so that ``pull`` right after ``apply`` changes nothing
and an edit made in the web UI shows up as exactly that edit. Hand-written web-editor HTML
(``<b>``, ``<br>``, ``&nbsp;``, ``<div>`` wrappers, tables without ``<thead>``) becomes
clean Markdown.

Three rules keep the round trip exact:

- every character of text is escaped when, at its position, Markdown would read it as
  syntax (and only then, so ordinary text stays readable);
- emphasis, strong and strikethrough use ``*``/``**``/``~~`` only when the delimiters are
  unambiguous where they stand (CommonMark's flanking rules); otherwise the element is
  written as inline HTML, which Markdown passes through and still parses inside;
- whatever Markdown cannot express (``<kbd>``, ``<sup>``, ``<details>``, ``<div class>``,
  complex tables, images with a width ...) is kept as raw HTML, its start tag copied
  byte for byte from the source.

It writes the team's dialect (``[content] markdown``) back: with ``attrs``, ids, classes
and other attributes of headings (``## Title {#id}``, the id only when it is not the one
the renderer makes anyway), links, images, paragraphs, lists, quotes and tables
(``{.class}`` on the line before) instead of raw HTML; callouts as ``> [!NOTE]`` alerts,
or ``!!! kind "Title"`` admonitions when only those fit; footnotes as ``[^1]``.

The converter is markdownify's ``MarkdownConverter`` with its own ``convert_*`` rules and
its own walk of the tree: bs4's searches (``find_all``, ``find_parent``) were half the
time of ``init --from-remote``, so the walk uses plain child and descendant iteration.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote, unquote

from bs4 import BeautifulSoup
from bs4.element import (
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
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdownify import MarkdownConverter
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs

from kbsync.local.markdown import ALERT_KINDS, CALLOUT_CLASS, heading_anchor, unique_anchor
from kbsync.pull.links import encoded_link_path
from kbsync.schema.config import DEFAULT_MARKDOWN

#: How deep elements are converted to Markdown; below this depth a subtree stays HTML.
#: Each level costs several Python frames, and a remote body can nest as deep as it
#: likes (300 ``<div>`` s, 150 lists): the bound keeps any body convertible.
MAX_DEPTH = 48

__all__ = ["UrlToKey", "body_from_remote", "html_to_markdown", "text_to_markdown"]

UrlToKey = Callable[[str], str | None]


def _no_key(url: str) -> str | None:
    return None


# -- public API --------------------------------------------------------------------------


def html_to_markdown(html: str, *, url_to_key: UrlToKey = _no_key, article_key: str = "",
                     assets_base_url: str | None = None,
                     dialect: Iterable[str] = DEFAULT_MARKDOWN) -> str:
    """Markdown for an article body given as HTML.

    ``url_to_key`` maps a public article URL (fragment removed) to the target article's
    key, e.g. ``billing/refunds.md``; such links become relative ``.md`` links from
    ``article_key``'s folder again, ``#anchor`` kept. URLs under ``assets_base_url``
    become relative file paths again (the renderer put them there). ``dialect`` names
    the Markdown extensions the result may use (``[content] markdown``).
    """
    source = html.replace("\r\n", "\n").replace("\r", "\n")
    soup = BeautifulSoup(source, "html.parser", preserve_whitespace_tags=_EVERY_TAG)
    _keep_comments(soup)
    converter = _Converter(source, url_to_key, article_key, assets_base_url,
                           frozenset(dialect))
    converter.prepare(soup)
    markdown: str = converter.convert_soup(soup)
    return markdown + "\n" if markdown else ""


def text_to_markdown(text: str, dialect: Iterable[str] = DEFAULT_MARKDOWN) -> str:
    """Markdown that renders as ``text`` reads: paragraphs at blank lines, line breaks kept.

    Used when an article only has a plain-text body. Markdown syntax characters are
    escaped so the text shows as itself; a single newline becomes a hard break because
    plain text shows its line breaks.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rules = _line_rules(frozenset(dialect))  # once: ``dialect`` may be a one-pass iterable
    paragraphs = []
    for block in re.split(r"\n[ \t\xa0]*\n", text):
        lines = [_nbsp(line).strip(" \t") for line in block.split("\n")]
        escaped = [_escape(line, line_start=True, rules=rules) for line in lines if line]
        if escaped:
            paragraphs.append("\\\n".join(escaped).replace("\xa0", "&nbsp;"))
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


def body_from_remote(content: str, content_html: str, *, url_to_key: UrlToKey = _no_key,
                     article_key: str = "", assets_base_url: str | None = None,
                     dialect: Iterable[str] = DEFAULT_MARKDOWN) -> str:
    """The Markdown body of a remote article under the contract's display rule.

    initdesk shows the longer of ``content`` (plain) and ``content_html``, so that is the
    body a reader saw; a tie goes to the HTML, which carries more.
    """
    if content_html and len(content_html) >= len(content):
        return html_to_markdown(content_html, url_to_key=url_to_key, article_key=article_key,
                                assets_base_url=assets_base_url, dialect=dialect)
    return text_to_markdown(content, dialect)


# -- escaping ----------------------------------------------------------------------------

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
# At the start of a line: the character (group 1) that would begin a block construct.
_LINE_RULES = (
    re.compile(r"[ \t]*(#{1,6})(?:[ \t]|$)"),  # ATX heading
    re.compile(r"[ \t]*(>)"),  # block quote
    re.compile(r"[ \t]*([-+])(?:[ \t]|$)"),  # bullet list item
    re.compile(r"[ \t]*[0-9]{1,9}([.)])(?:[ \t]|$)"),  # ordered list item
    re.compile(r"[ \t]*([-=:|])[-=:| \t]*$"),  # setext underline, rule, table delimiter row
)
# Lines the dialect's extensions would read as syntax: a line of attributes, an admonition.
_ATTRS_LINE = re.compile(r"[ \t]*(\{)[^\n]*\}[ \t]*$")
_ADMONITION_LINE = re.compile(r"[ \t]*([!?])(?:!!|\?\?)")
_NBSP_RUN = re.compile(r"[ \xa0]*\xa0[ \xa0]*")
_NEWLINE_SPACE = re.compile(r"[ \t\n]*\n[ \t\n]*")


def _is_space(ch: str) -> bool:
    """CommonMark whitespace; ``""`` (a line or text edge) counts as whitespace too."""
    return not ch or isWhiteSpace(ord(ch))


def _is_punct(ch: str) -> bool:
    return bool(ch) and (isMdAsciiPunct(ord(ch)) or isPunctChar(ch))


def _is_word(ch: str) -> bool:
    return not _is_space(ch) and not _is_punct(ch)


def _nbsp(text: str) -> str:
    """``&nbsp;`` between two words stays (kept as U+00A0); elsewhere it is just a space.

    Web editors put ``&nbsp;`` next to ordinary spaces and at line ends to keep them
    visible; those are noise in Markdown. A lone one inside ``10&nbsp;kg`` means
    something.
    """
    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        inside = start > 0 and end < len(text)
        if match.group(0) == "\xa0" and inside and not text[start - 1].isspace() \
                and not text[end].isspace():
            return "\xa0"
        return " "
    return _NBSP_RUN.sub(replace, text)


def _line_rules(dialect: frozenset[str]) -> tuple[re.Pattern[str], ...]:
    """The line-start rules of CommonMark plus those of the dialect's extensions."""
    extra = ((_ATTRS_LINE,) if "attrs" in dialect else ()) + (
        (_ADMONITION_LINE,) if "admonitions" in dialect else ())
    return _LINE_RULES + extra


def _line_start_positions(text: str, line_start: bool,
                          rules: tuple[re.Pattern[str], ...] = _LINE_RULES) -> set[int]:
    """Indexes of characters that would start a block construct at the start of a line."""
    forced: set[int] = set()
    starts = ([0] if line_start else []) + [m.end() for m in re.finditer("\n", text)]
    for start in starts:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        for rule in rules:
            match = rule.match(line)
            if match:
                forced.add(start + match.start(1))
                break
    return forced


def _needs_escape(text: str, i: int, before_link: bool) -> bool:
    """Whether ``text[i]`` would be read as inline syntax where it stands."""
    ch = text[i]
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if ch in "*`[]|":
        return True
    if ch == "\\":
        return not nxt or nxt == "\n" or isMdAsciiPunct(ord(nxt))
    if ch == "_":  # intraword underscores never delimit: snake_case stays readable
        return not (_is_word(prev) and _is_word(nxt))
    if ch == "~":  # a single ~ never delimits; ~~ does, and so may ~ at a text edge
        return prev in ("", "~") or nxt in ("", "~")
    if ch == "<":
        return not nxt or nxt in "/!?" or (nxt.isascii() and nxt.isalpha())
    if ch == "&":
        return _ENTITY.match(text, i) is not None
    if ch == "!":  # "!" right before a link would make it an image
        return before_link and not nxt
    return False


#: The only characters :func:`_needs_escape` may answer True for.
_INLINE_SYNTAX = re.compile(r"[*`\[\]|\\_~<&!]")


def _escape(text: str, *, line_start: bool, before_link: bool = False,
            rules: tuple[re.Pattern[str], ...] = _LINE_RULES) -> str:
    """``text`` with a backslash before every character Markdown would read as syntax.

    Only the characters that can be syntax are looked at (most text has few or none),
    which keeps converting a long body cheap.
    """
    marks = _line_start_positions(text, line_start, rules)
    marks.update(m.start() for m in _INLINE_SYNTAX.finditer(text)
                 if _needs_escape(text, m.start(), before_link))
    if not marks:
        return text
    out: list[str] = []
    last = 0
    for index in sorted(marks):
        out.append(text[last:index])
        out.append("\\")
        last = index
    out.append(text[last:])
    return "".join(out)


def _delimiters_fit(marker: str, before: str, inner: str, after: str) -> bool:
    """Whether ``marker + inner + marker`` parses as one emphasis span where it stands.

    Stricter than CommonMark on purpose: the opening run must only be able to open and
    the closing run only to close (never both), and no neighbour may be the same
    marker, so the "rule of 3" and run merging can never come into play.
    """
    first, last = inner[0], inner[-1]
    if marker in (before, after):
        return False
    opens = not _is_space(first) and (not _is_punct(first) or _is_space(before)
                                      or _is_punct(before))
    opener_closes = not _is_space(before) and (not _is_punct(before) or _is_space(first)
                                               or _is_punct(first))
    closes = not _is_space(last) and (not _is_punct(last) or _is_space(after)
                                      or _is_punct(after))
    closer_opens = not _is_space(after) and (not _is_punct(after) or _is_space(last)
                                             or _is_punct(last))
    return opens and not opener_closes and closes and not closer_opens


# -- element classes ---------------------------------------------------------------------

def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# CommonMark HTML-block "type 6" names: such a tag at a line start begins a raw block.
_TYPE6 = _names(
    "address article aside base basefont blockquote body caption center col colgroup dd "
    "details dialog dir div dl dt fieldset figcaption figure footer form frame frameset "
    "h1 h2 h3 h4 h5 h6 head header hr html iframe legend li link main menu menuitem nav "
    "noframes ol optgroup option p param search section summary table tbody td tfoot th "
    "thead title tr track ul")
_RAW_TEXT = frozenset({"script", "style", "textarea"})  # "type 1": blank lines allowed
_BLOCK = _TYPE6 | _RAW_TEXT | _names(
    "pre video audio picture canvas svg object noscript template math")
# Blocks whose content is inline: an element inside them is in an inline context.
_LEAF_BLOCKS = _names("p h1 h2 h3 h4 h5 h6 td th dt summary caption figcaption legend pre")
# Blocks Markdown itself writes: inside a raw block they end its leading raw part.
_MD_BLOCKS = _names("p ul ol pre blockquote table h1 h2 h3 h4 h5 h6 hr")
# Raw blocks that contain other blocks (unlike <summary> or <figcaption>).
_CONTAINERS = _names("address article aside center details dialog div dl fieldset figure "
                     "footer form header iframe main menu nav search section")
_VOID = _names("area base br col embed hr img input link meta param source track wbr")
_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**",
             "s": "~~", "del": "~~", "strike": "~~"}
# Stand-ins for an emphasis sibling whose delimiter is not known yet (see _neighbour).
_ADJACENT = {"*": "\x01", "~": "\x02"}
_SENTINEL_CHARS = {sentinel: char for char, sentinel in _ADJACENT.items()}
# Tags with a Markdown rule of their own (everything else is kept as raw HTML).
_CONVERTED = frozenset(_EMPHASIS) | _names(
    "p br hr h1 h2 h3 h4 h5 h6 blockquote ul ol li pre code a table html body head "
    "kbsync-comment [document]")
_UNWRAPPED_WHEN_BARE = _names("div section article main span font")
_IMG_ATTRS = frozenset({"src", "alt", "title"})
_START_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*/?>")
_COMMENT_TAG = "kbsync-comment"


class _EveryTag(frozenset[str]):
    """bs4 collapses whitespace-only strings outside these tags; ``<code>  </code>`` and
    ``*a*  *b*`` need theirs, and the converter's own rules decide what whitespace means."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY_TAG = _EveryTag()


def _keep_comments(soup: BeautifulSoup) -> None:
    """Turn comments into placeholder tags, which markdownify does not drop.

    A comment in an article (``<!-- TODO -->``) is content its author wrote; a pull that
    silently deleted it would propagate the deletion through the merge.
    """
    for comment in [el for el in soup.descendants if isinstance(el, Comment)]:
        tag = soup.new_tag(_COMMENT_TAG)
        tag["data"] = str(comment)
        comment.replace_with(tag)


def _attr(tag: Tag, name: str) -> str | None:
    """An attribute as one string (bs4 hands out multi-valued ones such as class as lists)."""
    value = tag.get(name)
    if value is None:
        return None
    return value if isinstance(value, str) else " ".join(value)


# -- attribute syntax ---------------------------------------------------------------------

_SIMPLE = re.compile(r"[\w:-]+")
# Where each element's attributes go in Markdown, and which ones its own syntax holds.
_BLOCK_ATTRS = {"p": frozenset(), "ul": frozenset(), "ol": frozenset({"start"}),
                "blockquote": frozenset(), "table": frozenset(), "hr": frozenset()}
_INLINE_ATTRS = {"a": frozenset({"href", "title"}), "img": _IMG_ATTRS,
                 "code": frozenset()}
_HEADINGS = _names("h1 h2 h3 h4 h5 h6")
_ATTRS_AT_END = re.compile(r"(?:^|[ \t])(\{[^{}\n]*\})[ \t]*$")


def _attributes_text(pairs: list[tuple[str, str]]) -> str | None:
    """``{#id key=value .class}`` that the attrs plugin reads back as exactly ``pairs``,
    or None when its syntax cannot say them (a ``"`` in a value, an ``on...`` handler the
    plugin drops...). "" for no attributes."""
    if not pairs:
        return ""
    parts: list[str] = []
    classes = ""
    for name, value in pairs:
        if not _SIMPLE.fullmatch(name) or name.lower().startswith("on"):
            return None
        if name == "class":
            classes = value
        elif name == "id" and _SIMPLE.fullmatch(value):
            parts.append(f"#{value}")
        elif _SIMPLE.fullmatch(value):
            parts.append(f"{name}={value}")
        else:
            parts.append(f'{name}="{value}"')
    if classes:
        names = classes.split(" ")
        parts += ([f".{c}" for c in names] if all(_SIMPLE.fullmatch(c) for c in names)
                  else [f'class="{classes}"'])
    text = "{" + " ".join(parts) + "}"
    try:
        end, read = parse_attrs(text)
    except ParseError:
        return None
    if end != len(text) - 1 or {str(k): str(v) for k, v in read.items()} != dict(pairs):
        return None
    return text


def _attribute_pairs(tag: Tag, skip: frozenset[str]) -> list[tuple[str, str]]:
    """``tag``'s attributes but ``skip``, and but the class the task-list plugin gives."""
    pairs = [(name, _attr(tag, name) or "") for name in tag.attrs if name not in skip]
    if tag.name in ("ul", "ol"):
        pairs = [(n, v) for n, v in pairs if (n, v) != ("class", "contains-task-list")]
    return pairs


def _escape_trailing_attrs(text: str) -> str:
    """A heading's text ending in something the renderer would read as attributes."""
    found = _ATTRS_AT_END.search(text)
    if found is None or (found.start(1) and text[found.start(1) - 1] == "\\"):
        return text
    return text[:found.start(1)] + "\\" + text[found.start(1):]


def _explicit_heading_ids(tags: Sequence[Tag]) -> set[int]:
    """The headings (by ``id()``) whose id the renderer would not make by itself.

    The renderer keeps written ids and numbers repeated slugs around them, so a heading
    whose id looks automatic may still need it written: the simulation repeats until
    every heading left automatic gets exactly its id.
    """
    info = [(id(h), _attr(h, "id") or "", heading_anchor(h.get_text()))
            for h in tags if h.name in _HEADINGS]
    explicit = {key for key, hid, slug in info
                if hid and hid != slug and not re.fullmatch(re.escape(slug) + r"-[0-9]+", hid)}
    while True:
        taken = {hid for key, hid, _ in info if key in explicit}
        clash = next((key for key, hid, slug in info if key not in explicit
                      and unique_anchor(slug, taken) != hid and hid), None)
        if clash is None:
            return explicit
        explicit.add(clash)


# -- callouts and footnotes ------------------------------------------------------------------

def _classes(tag: PageElement | None) -> list[str]:
    return (_attr(tag, "class") or "").split() if isinstance(tag, Tag) else []


def _callout(tag: Tag) -> tuple[str, Tag | None] | None:
    """(kind, title paragraph or None) of a callout the renderer made, or None."""
    classes = _classes(tag)
    if len(classes) != 2 or classes[0] != CALLOUT_CLASS or set(tag.attrs) != {"class"} \
            or not classes[1].startswith(CALLOUT_CLASS + "-"):
        return None
    kind = classes[1][len(CALLOUT_CLASS) + 1:]
    if not re.fullmatch(r"[a-z0-9_-]+", kind) or kind == "title":
        return None
    first = _first_content(tag)
    if isinstance(first, Tag) and first.name == "p" and \
            _classes(first) == [f"{CALLOUT_CLASS}-title"] and set(first.attrs) == {"class"}:
        return kind, first
    return kind, None


def _footnote_number(sup: Tag) -> int | None:
    """N of ``<sup class="footnote-ref"><a href="#fnN" id="fnrefN">[N]</a></sup>``."""
    link = _first_tag(sup, "a")
    if _classes(sup) != ["footnote-ref"] or len(sup.contents) != 1 or link is None \
            or sup.contents[0] is not link:
        return None
    found = re.fullmatch(r"#fn([1-9][0-9]*)", _attr(link, "href") or "")
    ref = re.fullmatch(r"fnref([1-9][0-9]*)(?::[1-9][0-9]*)?", _attr(link, "id") or "")
    if found is None or ref is None or found.group(1) != ref.group(1):
        return None
    return int(found.group(1))


def _footnote_items(section: Tag) -> list[tuple[int, Tag]] | None:
    """The numbered items of a ``<section class="footnotes">`` the renderer made."""
    lists = [kid for kid in section.children if isinstance(kid, Tag)]
    if _classes(section) != ["footnotes"] or len(lists) != 1 or lists[0].name != "ol" \
            or _classes(lists[0]) != ["footnotes-list"]:
        return None
    items: list[tuple[int, Tag]] = []
    for kid in lists[0].children:
        if not isinstance(kid, Tag):
            if str(kid).strip():
                return None
            continue
        found = re.fullmatch(r"fn([1-9][0-9]*)", _attr(kid, "id") or "")
        if kid.name != "li" or found is None or _classes(kid) != ["footnote-item"]:
            return None
        items.append((int(found.group(1)), kid))
    return items


def _drop_backrefs(item: Tag) -> None:
    """The renderer adds `` <a class="footnote-backref">`` links to each footnote."""
    for link in [t for t in _tags(item) if t.name == "a" and "footnote-backref" in _classes(t)]:
        before = link.previous_sibling
        if isinstance(before, NavigableString) and str(before).endswith(" "):
            before.replace_with(str(before)[:-1])
        link.decompose()


def _language(pre: Tag) -> str:
    """The fence info string: ``language-x`` (or ``lang-x``) on ``<code>`` or ``<pre>``."""
    code = _first_tag(pre, "code")
    for tag in (code, pre):
        if isinstance(tag, Tag):
            for cls in (_attr(tag, "class") or "").split():
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
    """A link destination that parses back to ``url``."""
    out = url.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    out = out.replace("<", "\\<").replace(" ", "%20")
    out = _ENTITY.sub(lambda m: "\\" + m.group(0), out)
    out = re.sub(r"[\x00-\x1f\x7f]", lambda m: quote(m.group(0)), out)
    return out.replace("|", "\\|") if in_cell else out


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


# -- the converter -----------------------------------------------------------------------

# markdownify's type stub leaves out the hooks a converter overrides and calls.
_BASE: Any = MarkdownConverter


class _Converter(MarkdownConverter):
    """markdownify with round-trip-stable rules for every construct kbsync renders."""

    def __init__(self, source: str, url_to_key: UrlToKey, article_key: str,
                 assets_base_url: str | None, dialect: frozenset[str] = frozenset()) -> None:
        super().__init__(heading_style="atx", bullets="-", strong_em_symbol="*",
                         escape_asterisks=False, escape_underscores=False, escape_misc=False)
        self._source = source
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._url_to_key = url_to_key
        self._article_key = article_key
        self._assets_base_url = assets_base_url
        self._loose: dict[int, bool] = {}
        self._dialect = dialect
        self._with_attrs = "attrs" in dialect
        self._rules = _line_rules(dialect)
        self._explicit_ids: set[int] = set()
        self._anchors: set[str] = set()
        self._depth = 0

    def prepare(self, soup: BeautifulSoup) -> None:
        """Decisions that need the whole document: which heading ids must be written, and
        the renderer's footnote back-links gone (the footnote syntax makes them again).
        One walk over the elements serves all three."""
        tags = list(_tags(soup))
        if self._with_attrs:
            self._explicit_ids = _explicit_heading_ids(tags)
        self._anchors = _document_anchors(tags)
        if "footnotes" in self._dialect:
            for section in [t for t in tags if t.name == "section"]:
                items = _footnote_items(section)
                for _, item in items or ():
                    _drop_backrefs(item)

    # -- dispatch --------------------------------------------------------------------

    def process_tag(self, node: Tag, parent_tags: set[str] | None = None) -> str:
        parent_tags = parent_tags if parent_tags is not None else set()
        if self._depth >= MAX_DEPTH:  # deeper is kept as HTML, which renders the same
            if node.name in _BLOCK and not self._in_inline(node):
                return self._sep(node) + self._whole_raw_block(node) + self._sep(node)
            return self._raw_html(node)
        self._depth += 1
        try:
            return self._process_tag(node, parent_tags)
        finally:
            self._depth -= 1

    def _process_tag(self, node: Tag, parent_tags: set[str]) -> str:
        if node.name == "table":
            return self._table(node, parent_tags)
        special = self._dialect_element(node, parent_tags)
        if special is not None:
            return special
        if self._is_raw(node):
            if node.name in _BLOCK and not self._in_inline(node):
                return self._raw_block(node, parent_tags)
            return self._raw_inline(node, parent_tags)
        return self._rule(node, self._children(node, parent_tags), parent_tags)

    def _rule(self, node: Tag, text: str, parent_tags: set[str]) -> str:
        """``node``'s own ``convert_*`` rule applied to the Markdown of its children."""
        fn = _BASE.get_conv_fn_cached(self, node.name)
        return fn(node, text, parent_tags) if fn is not None else text

    def _element(self, node: PageElement, parent_tags: set[str]) -> str:
        if isinstance(node, NavigableString):
            return self.process_text(node, parent_tags)
        assert isinstance(node, Tag)
        return self.process_tag(node, parent_tags)

    def _children(self, node: Tag, parent_tags: set[str]) -> str:
        """The Markdown of ``node``'s children, without ``node``'s own rule.

        markdownify's ``process_tag`` does the same walk, but asks bs4 for a ``<pre>``
        ancestor at every tag; ``parent_tags`` knows that already, for a fraction of the
        cost (converting is most of ``init --from-remote``).
        """
        name = node.name
        inside = _drops_whitespace_inside(node)
        tags = set(parent_tags)
        tags.add(name)
        if _HEADING_NAME.match(name) or name in ("td", "th"):
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
        if name in _CONVERTED:
            href = _attr(node, "href")
            if name == "a" and href is not None and self._would_break(href, is_image=False):
                return True
            return name == "a" and href is None and bool(node.get("id") or node.get("name"))
        if name in _UNWRAPPED_WHEN_BARE:
            return bool(node.attrs)
        if name == "img":
            src = _attr(node, "src")
            return not src or self._would_break(src, is_image=True) or not (
                self._with_attrs or set(node.attrs) <= _IMG_ATTRS)
        if name == "input":
            return not self._is_task_checkbox(node)
        return True

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

    def _in_inline(self, node: Tag) -> bool:
        """Whether ``node`` sits in running text (a paragraph, heading, cell, link ...)."""
        parent = node.parent
        if parent is None or isinstance(parent, BeautifulSoup):
            return False
        return not _is_block(parent) or parent.name in _LEAF_BLOCKS

    def _is_task_checkbox(self, node: Tag) -> bool:
        """A checkbox that starts a list item: the tasklists plugin's ``[ ]`` / ``[x]``."""
        if (_attr(node, "type") or "").lower() != "checkbox":
            return False
        parent = node.parent
        if _first_content(parent) is not node:
            return False
        if isinstance(parent, Tag) and parent.name == "p":
            item = parent.parent
            return isinstance(item, Tag) and item.name == "li" and _first_content(item) is parent
        return isinstance(parent, Tag) and parent.name == "li"

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

    def _sep(self, el: Tag) -> str:
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
        if name in _HEADINGS:
            skip = frozenset() if id(node) in self._explicit_ids else frozenset({"id"})
            text = _attributes_text(_attribute_pairs(node, skip))
            return None if text is None or (text and not _ATTRS_AT_END.match(text)) \
                else text
        if name in _BLOCK_ATTRS:
            return _attributes_text(_attribute_pairs(node, _BLOCK_ATTRS[name]))
        if name in _INLINE_ATTRS and not (name == "code" and _nearest(node, "pre")):
            return _attributes_text(_attribute_pairs(node, _INLINE_ATTRS[name]))
        return None if name in _EMPHASIS or name == "br" else ""

    def _block_attributes(self, node: Tag) -> str:
        """A line of attributes to write before the block ``node`` (or "")."""
        text = self._attributes(node) if self._with_attrs and node.attrs else ""
        return text + "\n" if text else ""

    def _dialect_element(self, node: Tag, parent_tags: set[str]) -> str | None:
        """Callouts and footnotes, when the dialect has a syntax for them; else None."""
        if node.name == "div" and not self._in_inline(node):
            callout = _callout(node)
            return self._callout(node, *callout, parent_tags) if callout else None
        if "footnotes" not in self._dialect:
            return None
        if node.name == "sup":
            number = _footnote_number(node)
            return f"[^{number}]" if number is not None else None
        if node.name == "section" and not self._in_inline(node):
            items = _footnote_items(node)
            return self._footnotes(node, items, parent_tags) if items is not None else None
        if node.name == "hr" and _classes(node) == ["footnotes-sep"]:
            following = _next_content(node)
            if isinstance(following, Tag) and following.name == "section" and \
                    _footnote_items(following) is not None:
                return ""
        return None

    def _blocks(self, kids: Iterable[PageElement], parent_tags: set[str]) -> str:
        return _join_blocks(self._element(kid, parent_tags)
                            for kid in kids).strip("\n")

    def _callout(self, node: Tag, kind: str, title: Tag | None,
                 parent_tags: set[str]) -> str | None:
        """A callout in the team's syntax: ``!!! kind "Title"`` when the dialect has
        admonitions (a team opts into those, so it writes them), else ``> [!NOTE]`` when
        an alert says it; None: kept as raw HTML."""
        kids = list(node.children)
        if title is not None:
            kids = kids[kids.index(title) + 1:]
        body = self._blocks(kids, parent_tags | {"div"})
        if "admonitions" in self._dialect:
            admonition = self._admonition(kind, title, body, parent_tags)
            if admonition is not None:
                return self._sep(node) + admonition + self._sep(node)
        if "alerts" not in self._dialect or title is None or _first_tag(title) \
                or title.get_text() != ALERT_KINDS.get(kind):
            return None
        first = next((kid for kid in kids if isinstance(kid, Tag) or str(kid).strip()), None)
        lazy = isinstance(first, Tag) and first.name == "p" and not first.attrs
        lines = [f"[!{kind.upper()}]", *([] if lazy or not body else [""]),
                 *(body.split("\n") if body else [])]
        quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
        return self._sep(node) + quoted + self._sep(node)

    def _admonition(self, kind: str, title: Tag | None, body: str,
                    parent_tags: set[str]) -> str | None:
        if title is None:
            shown = ' ""'
        else:
            inline = self._children(title, parent_tags | {"p", "_inline"}).strip()
            if "\n" in inline or not inline:
                return None
            shown = "" if inline == kind.title() else f' "{inline}"'
        if "\n\n\n" in body:  # two blank lines end an admonition
            return None
        indented = "\n".join(f"    {line}" if line else "" for line in body.split("\n"))
        return f"!!! {kind}{shown}" + ("\n" + indented if body else "")

    def _footnotes(self, node: Tag, items: list[tuple[int, Tag]],
                   parent_tags: set[str]) -> str:
        """``[^N]: text`` definitions, later paragraphs indented under the first."""
        definitions = []
        for number, item in items:
            body = self._blocks(item.children, parent_tags | {"section"})
            definitions.append(_indent(body, "    ", f"[^{number}]: ") if body
                               else f"[^{number}]:")
        sep = self._sep(node)
        return sep + "\n\n".join(definitions) + sep

    # -- neighbours, for emphasis ----------------------------------------------------

    def _edge_char(self, tag: Tag, at_end: bool) -> str:
        """The Markdown character ``tag`` starts (or ends) with, as far as it matters."""
        if tag.name == "br" or _is_block(tag):
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
                or _is_block(parent):
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
        text = _nbsp(_NEWLINE_SPACE.sub("\n", text))
        prev, nxt = el.previous_sibling, el.next_sibling
        if self._ends_line(prev) or (prev is None and self._boundary(el)):
            text = text.lstrip(" \t\n")
        if self._ends_line(nxt) or (nxt is None and self._boundary(el)):
            text = text.rstrip(" \t\n")
        if not text:
            return ""
        before_link = isinstance(nxt, Tag) and nxt.name == "a"
        escaped = _escape(text, line_start=self._at_line_start(el), before_link=before_link,
                          rules=self._rules)
        if self._with_attrs and escaped.startswith("{") and isinstance(prev, Tag):
            escaped = "\\" + escaped  # "{.x}" right after a link would be its attributes
        return escaped.replace("\xa0", "&nbsp;")

    def _ends_line(self, node: PageElement | None) -> bool:
        """Whether whitespace next to ``node`` is meaningless: a block, a break, a block
        comment."""
        if not isinstance(node, Tag):
            return False
        if node.name == _COMMENT_TAG:
            return self._comment_is_block(node)
        return node.name == "br" or _is_block(node)

    def _boundary(self, el: PageElement) -> bool:
        """Whether ``el``'s parent is a block (or the document), whose edges drop spaces."""
        parent = el.parent
        return parent is None or isinstance(parent, BeautifulSoup) or _is_block(parent)

    def _at_line_start(self, el: PageElement) -> bool:
        """Whether text at ``el`` may begin a line of Markdown (so block syntax applies)."""
        prev = el.previous_sibling
        if prev is None:
            parent = el.parent
            return self._boundary(el) and not (
                isinstance(parent, Tag) and parent.name in ("td", "th"))
        return isinstance(prev, Tag) and (prev.name == "br" or _is_block(prev))

    # -- raw HTML --------------------------------------------------------------------

    def _start_tag(self, tag: Tag) -> str:
        """``tag``'s start tag exactly as the source wrote it (rebuilt when not found)."""
        line, col = tag.sourceline, tag.sourcepos
        if line is not None and col is not None and line <= len(self._line_starts):
            match = _START_TAG.match(self._source, self._line_starts[line - 1] + col)
            if match and match.group(1).lower() == tag.name:
                return match.group(0)
        attrs = "".join(
            f' {name}="{html_lib.escape(_attr(tag, name) or "")}"' for name in tag.attrs)
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
                    out.append(f"<!--{_attr(item, 'data') or ''}-->")
                    continue
                out.append(self._start_tag(item))
                if item.name not in _VOID:
                    stack.append(f"</{item.name}>")
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
        if node.name in _VOID:
            return self._start_tag(node)
        if node.name in _RAW_TEXT:
            return self._raw_html(node)
        inner = self._children(node, parent_tags)
        return f"{self._start_tag(node)}{inner}</{node.name}>"

    def _raw_block(self, node: Tag, parent_tags: set[str]) -> str:
        """A raw HTML block; Markdown blocks inside it are written as Markdown.

        ``<details><summary>S</summary>`` + paragraphs comes out as the opening line,
        a blank line, the paragraphs in Markdown, a blank line and ``</details>``:
        exactly what produces that HTML.
        """
        sep = self._sep(node)
        kids = list(node.children)
        first = next((i for i, kid in enumerate(kids) if isinstance(kid, Tag) and (
            kid.name in _MD_BLOCKS or (kid.name in _CONTAINERS and self._is_raw(kid)))), None)
        if first is None or node.name in _RAW_TEXT or node.name in _VOID:
            return sep + self._whole_raw_block(node) + sep
        lead = "".join(self._raw_html(kid) for kid in kids[:first]).rstrip(" \t\n")
        tags = parent_tags | {node.name}
        body = _join_blocks(self._element(kid, tags) for kid in kids[first:])
        return (sep + self._start_tag(node) + _squeeze_blank_lines(lead) + "\n\n"
                + body.strip("\n") + "\n\n" + f"</{node.name}>" + sep)

    def _whole_raw_block(self, node: Tag) -> str:
        raw = self._raw_html(node)
        if node.name in _RAW_TEXT:
            return raw
        raw = _squeeze_blank_lines(raw)
        if node.name in _TYPE6 or node.name in _VOID:
            return raw
        # Any other tag only opens a raw block when it stands alone on its line.
        start = self._start_tag(node)
        inner = raw[len(start): len(raw) - len(node.name) - 3].strip("\n")
        return "\n".join(part for part in (start, inner, f"</{node.name}>") if part)

    def convert_kbsync_comment(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        comment = f"<!--{_attr(el, 'data') or ''}-->"
        if not self._comment_is_block(el):
            return comment
        return self._sep(el) + comment + self._sep(el)

    def _comment_is_block(self, el: Tag) -> bool:
        """A comment between blocks stands on its own lines; one next to text is inline."""
        if self._in_inline(el) or not self._boundary(el):
            return False
        for node in (_prev_content(el), _next_content(el)):
            if node is not None and not _is_block(node) and not (
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
        return self._sep(el) + self._block_attributes(el) + text + self._sep(el) if text else ""

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
        return text

    convert_font = convert_span

    def convert_hN(self, n: int, el: Tag, text: str, parent_tags: set[str]) -> str:
        """ATX headings; a heading holding a line break (setext source) stays setext."""
        if "_inline" in parent_tags:
            return text
        text = text.strip(" \t\n")
        level = max(1, min(6, n))
        sep = self._sep(el)
        if "\n" in text and level <= 2:
            if self._with_attrs:
                text = _escape_trailing_attrs(text)
                attributes = self._attributes(el) if el.attrs else ""
                text = f"{text} {attributes}" if attributes else text
            return sep + text + "\n" + ("=" if level == 1 else "-") * 3 + sep
        text = re.sub(r"[ \t]*\n[ \t]*", " ", text)
        # A run of # at the end would be read as the optional closing sequence.
        text = re.sub(r"(^|[ \t])(#+)([ \t]*)$", r"\1\\\2\3", text)
        if self._with_attrs:
            text = _escape_trailing_attrs(text)
            attributes = self._attributes(el) if el.attrs else ""
            text = f"{text} {attributes}".strip() if attributes else text
        return sep + "#" * level + (" " + text if text else "") + sep

    def convert_hr(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # In a list item "- ---" would be a rule instead of the item: use "___" there.
        in_item = isinstance(el.parent, Tag) and el.parent.name == "li"
        return self._sep(el) + self._block_attributes(el) + ("___" if in_item else "---") \
            + self._sep(el)

    def convert_blockquote(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        text = text.strip("\n")
        if "_inline" in parent_tags:
            return f" {text.strip()} "
        quoted = "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))
        return self._sep(el) + self._block_attributes(el) + quoted + self._sep(el)

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A fenced block: the fence is longer than any backtick run in the code."""
        code = _pre_text(el)
        if code and not code.endswith("\n"):
            code += "\n"
        language = _language(el)
        char = "~" if "`" in language else "`"
        # The info string is unescaped when parsed: keep its backslashes and "&...;".
        language = _ENTITY.sub(lambda m: "\\" + m.group(0), language.replace("\\", "\\\\"))
        fence = char * max(3, _longest_run(code, char) + 1)
        if "_inline" in parent_tags:
            return _code_span(code.rstrip("\n"), "td" in parent_tags or "th" in parent_tags)
        return (self._sep(el) + self._fence_attributes(el, _language(el)) + fence + language
                + "\n" + code + fence + self._sep(el))

    def _fence_attributes(self, pre: Tag, language: str) -> str:
        """A fence's attributes sit on its ``<code>``, the language class added last."""
        code = _first_tag(pre, "code")
        if not self._with_attrs or not isinstance(code, Tag) or not code.attrs:
            return ""
        pairs = _attribute_pairs(code, frozenset())
        if language:  # the info string gives that class back
            made = {f"language-{language}", f"lang-{language}"}
            pairs = [(name, " ".join(c for c in value.split(" ") if c not in made)
                      if name == "class" else value) for name, value in pairs]
            pairs = [(name, value) for name, value in pairs if name != "class" or value]
        text = _attributes_text(pairs)
        return text + "\n" if text else ""

    # -- lists -----------------------------------------------------------------------

    def convert_ul(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        body = text.strip("\n")
        return self._sep(el) + self._block_attributes(el) + body + self._sep(el) if body else ""

    convert_ol = convert_ul

    def _same_lists_before(self, list_el: Tag) -> int:
        """How many lists of the same kind come right before: they need another marker,
        or Markdown would merge them into one list."""
        count = 0
        node = _prev_content(list_el)
        while isinstance(node, Tag) and node.name == list_el.name:
            count += 1
            node = _prev_content(node)
        return count

    def _marker(self, li: Tag) -> str:
        parent = li.parent
        if isinstance(parent, Tag) and parent.name == "ol":
            start_attr = _attr(parent, "start") or ""
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

    def convert_input(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return "[x]" if el.has_attr("checked") else "[ ]"

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
        if not _has_content(el, before=True) or not _has_content(el, before=False):
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
        if _ADJACENT[marker[0]] not in (before, after):
            before, after = _SENTINEL_CHARS.get(before, before), _SENTINEL_CHARS.get(after, after)
            # "_" serves nested emphasis at its parent's edge: **_x_** (not ***x***).
            for char in ("*", "_") if marker[0] == "*" else ("~",):
                if _delimiters_fit(char, before, inner, after):
                    delimiter = char * len(marker)
                    return f"{head}{delimiter}{inner}{delimiter}{tail}"
        return f"{head}{self._start_tag(el)}{inner}</{el.name}>{tail}"

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
        href = _attr(el, "href")
        if href is None:
            return text
        in_cell = "td" in parent_tags or "th" in parent_tags
        target = self._rewrite(href, is_image=False)
        title = _attr(el, "title")
        plain = el.get_text()
        if (target == href == plain and not title and _first_tag(el) is None
                and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>|]*", href)):
            return f"<{href}>"
        head, inner, tail = _chomp(text)
        attributes = self._attributes(el) if self._with_attrs and el.attrs else ""
        return (f"{head}[{inner}]({_destination(target, in_cell)}{_title(title, in_cell)})"
                f"{attributes or ''}{tail}")

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        in_cell = "td" in parent_tags or "th" in parent_tags
        src = self._rewrite(_attr(el, "src") or "", is_image=True)
        alt = _escape(_nbsp(_attr(el, "alt") or "").replace("\n", " "), line_start=False)
        attributes = self._attributes(el) if self._with_attrs and el.attrs else ""
        return (f"![{alt.replace(chr(0xA0), '&nbsp;')}]"
                f"({_destination(src, in_cell)}{_title(_attr(el, 'title'), in_cell)})"
                f"{attributes or ''}")

    # -- links -----------------------------------------------------------------------

    def _rewrite(self, url: str, *, is_image: bool) -> str:
        """A public article URL -> relative ``.md`` link; an asset URL -> relative path."""
        base = self._assets_base_url
        if base and url.startswith(base) and len(url) > len(base):
            path, sep, fragment = url[len(base):].partition("#")
            return self._relative(unquote(path)) + sep + fragment
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

    # -- tables ----------------------------------------------------------------------

    def _table(self, node: Tag, parent_tags: set[str]) -> str:
        """A GFM pipe table, or raw HTML when a cell holds more than one line of text."""
        grid = [[c for c in tr.children if isinstance(c, Tag) and c.name in ("td", "th")]
                for tr in _rows(node)]
        if "_inline" in parent_tags or not any(grid) or not all(
                _simple_cell(cell) for row in grid for cell in row) or \
                _first_tag(node, "caption"):
            if self._in_inline(node):
                return self._raw_html(node)
            return self._sep(node) + self._whole_raw_block(node) + self._sep(node)
        width = max(len(row) for row in grid)
        tags = parent_tags | {"table"}
        lines = [self._row(grid[0], width, tags, header=True),
                 "| " + " | ".join(_align(c) for c in _padded(grid[0], width)) + " |"]
        lines += [self._row(row, width, tags, header=False) for row in grid[1:]]
        return self._sep(node) + self._block_attributes(node) + "\n".join(lines) \
            + self._sep(node)

    def _row(self, cells: list[Tag], width: int, tags: set[str], *, header: bool) -> str:
        texts = [self._cell(cell, tags) for cell in cells]
        texts += [""] * (width - len(texts))
        return "| " + " | ".join(texts) + " |"

    def _cell(self, cell: Tag, tags: set[str]) -> str:
        text = self._children(cell, tags | {cell.name, "_inline"})
        return re.sub(r"\s*\n\s*", " ", text).strip(" \t")

    def convert_td(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return text  # only reached from _cell, which formats the row

    convert_th = convert_td


#: A URL with a scheme (``https:``, ``mailto:``), or one the knowledge base never checks:
#: absolute (``/help``) or scheme-relative (``//cdn``).
_SCHEME_OR_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|/")


def _document_anchors(tags: Sequence[Tag]) -> set[str]:
    """Every id a reader's browser has in this body: element ids, ``<a name>``, and the
    id the renderer gives each heading (its text, GitHub style)."""
    anchors: set[str] = set()
    for tag in tags:
        for name in ("id", "name"):
            value = _attr(tag, name)
            if value:
                anchors.add(value)
        if tag.name in _HEADINGS:
            anchors.add(heading_anchor(tag.get_text()))
    return anchors


#: What markdownify counts as a heading (a prefix match: ``h1`` ... and any ``h<digits>``).
_HEADING_NAME = re.compile(r"h[0-9]+")
#: Blocks whose whitespace-only first and last children mean nothing.
_TRIMMED = _names("p blockquote article div section ol ul li dl dt dd table thead tbody tfoot "
                  "tr td th")
_NEWLINES_AROUND = re.compile(r"(\n*)((?:.*[^\n])?)(\n*)", re.DOTALL)


def _drops_whitespace_inside(el: PageElement | None) -> bool:
    """markdownify's rule: whitespace just inside these blocks is dropped."""
    if not isinstance(el, Tag) or not el.name:
        return False
    return el.name in _TRIMMED or _HEADING_NAME.match(el.name) is not None


def _drops_whitespace_outside(el: PageElement | None) -> bool:
    return _drops_whitespace_inside(el) or (isinstance(el, Tag) and el.name == "pre")


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
    return _drops_whitespace_outside(prev) or _drops_whitespace_outside(nxt)


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


def _tags(node: Tag) -> Iterator[Tag]:
    """Every element below ``node`` in document order: ``find_all(True)`` without the
    filter machinery that made bs4's searches a third of the conversion time."""
    return (el for el in node.descendants if isinstance(el, Tag))


def _first_tag(node: Tag, name: str | None = None) -> Tag | None:
    """The first element below ``node`` (named ``name``): bs4's ``find``, cheaper."""
    return next((el for el in _tags(node) if name is None or el.name == name), None)


def _rows(table: Tag) -> Iterator[Tag]:
    """The ``<tr>`` s of ``table`` itself, in order: not those of a table inside a cell.

    Walked with a stack: what a table holds may nest deeper than recursion allows."""
    stack = [kid for kid in reversed(table.contents) if isinstance(kid, Tag)]
    while stack:
        tag = stack.pop()
        if tag.name == "table":
            continue
        if tag.name == "tr":
            yield tag
        stack.extend(kid for kid in reversed(tag.contents) if isinstance(kid, Tag))


def _nearest(tag: Tag, name: str) -> Tag | None:
    """The closest ancestor named ``name`` (bs4's ``find_parent`` costs far more)."""
    parent = tag.parent
    while parent is not None and parent.name != name:
        parent = parent.parent
    return parent


def _is_block(el: PageElement | None) -> bool:
    return isinstance(el, Tag) and el.name in _BLOCK


def _renders_empty(tag: Tag) -> bool:
    """Whether ``tag`` converts to nothing (``<code></code>``, an empty ``<em>``), so that
    its neighbours meet in the Markdown."""
    empty_kinds = tag.name in _EMPHASIS or tag.name == "code" or (
        tag.name in _UNWRAPPED_WHEN_BARE and not tag.attrs)
    return empty_kinds and not tag.get_text() and _first_tag(tag) is None


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


def _first_content(tag: PageElement | None) -> PageElement | None:
    """The first child of ``tag`` that is not whitespace."""
    if not isinstance(tag, Tag):
        return None
    for kid in tag.children:
        if isinstance(kid, Tag) or str(kid).strip():
            return kid
    return None


def _prev_content(el: Tag) -> PageElement | None:
    """The nearest earlier sibling that is not whitespace."""
    node = el.previous_sibling
    while node is not None and not isinstance(node, Tag) and not str(node).strip():
        node = node.previous_sibling
    return node


def _next_content(el: Tag) -> PageElement | None:
    """The nearest later sibling that is not whitespace."""
    node = el.next_sibling
    while node is not None and not isinstance(node, Tag) and not str(node).strip():
        node = node.next_sibling
    return node


def _has_content(el: Tag, *, before: bool) -> bool:
    """Whether text or an element other than <br> comes before (after) ``el`` in its block,
    looking out of inline elements (``a<em><br>b</em>`` has content on both sides)."""
    current: PageElement = el
    while True:
        node = current.previous_sibling if before else current.next_sibling
        while node is not None:
            if isinstance(node, Tag) and node.name != "br":
                return True
            if isinstance(node, NavigableString) and str(node).strip(" \t\n\xa0"):
                return True
            node = node.previous_sibling if before else node.next_sibling
        parent = current.parent
        if parent is None or isinstance(parent, BeautifulSoup) or _is_block(parent):
            return False
        current = parent


def _simple_cell(cell: Tag) -> bool:
    """A cell a pipe table can hold: inline content, at most one paragraph of it."""
    if cell.has_attr("colspan") and _attr(cell, "colspan") != "1":
        return False
    if cell.has_attr("rowspan") and _attr(cell, "rowspan") != "1":
        return False
    blocks = [t for t in _tags(cell) if t.name in _BLOCK]
    if any(t.name not in ("p", "div") for t in blocks):
        return False
    return len(blocks) <= 1


def _padded(cells: list[Tag], width: int) -> list[Tag | None]:
    return [*cells, *([None] * (width - len(cells)))]


def _align(cell: Tag | None) -> str:
    """The delimiter-row cell for a header cell's text-align (style or align attribute)."""
    if cell is None:
        return "---"
    style = (_attr(cell, "style") or "").replace(" ", "").lower()
    match = re.search(r"text-align:(left|right|center)", style)
    align = match.group(1) if match else (_attr(cell, "align") or "").lower()
    return {"left": ":--", "right": "--:", "center": ":-:"}.get(align, "---")
