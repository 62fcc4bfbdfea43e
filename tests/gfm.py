"""What GitHub would make of a Markdown body: every ping, link and image in it.

markdown-it parses the body as CommonMark with GFM's tables and strikethrough, and its
linkify rule (linkify-it-py) finds the autolinks GFM makes from plain text: http(s) and
ftp URLs and e-mail addresses. GFM also links ``www.`` + domain, and GitHub turns
``@user``, ``@org/team``, ``#123`` and ``GH-123`` into pings and references; those are
looked for in the text nodes, where GitHub looks for them (never in code).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

_WWW = re.compile(r"(?:^|[\s*_~(])(www\.[\w-]+(?:\.[\w-]+)*)", re.I)
_EMAIL = re.compile(r"([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")  # GFM: any domain with a dot
_MENTION = re.compile(r"(?<![\w`/])(@[A-Za-z0-9][\w-]*(?:/[\w-]+)?)")
_REFERENCE = re.compile(r"(?<![\w&])(#\d+|GH-\d+)\b", re.I)
_HTML = re.compile(r"<\s*(a|img)\b", re.I)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough",
                                                               "linkify"])
    md.linkify.set({"fuzzy_link": False})  # GFM links no bare domain (www. is below)
    md.linkify.add("//", None)  # nor a protocol-relative //host
    return md


def pings_and_links(markdown: str) -> list[str]:
    """Each mention, reference, link and image GitHub would make of ``markdown``."""
    found: list[str] = []
    in_link = 0
    for token in _walk(_parser().parse(markdown)):
        if token.type == "link_open":
            found.append(f"link {token.attrs.get('href')}")
            in_link += 1
        elif token.type == "link_close":
            in_link -= 1
        elif token.type == "image":
            found.append(f"image {token.attrs.get('src')}")
        elif token.type in ("html_inline", "html_block") and _HTML.search(token.content):
            found.append(f"html {token.content.strip()}")
        elif token.type == "text" and not in_link:
            for pattern, label in ((_WWW, "link {}"), (_EMAIL, "link mailto:{}"),
                                   (_MENTION, "mention {}"), (_REFERENCE, "reference {}")):
                found += [label.format(m.group(1)) for m in pattern.finditer(token.content)]
    return found


def _walk(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out += _walk(token.children or [])
    return out
