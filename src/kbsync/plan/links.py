"""Links between articles: placeholders in rendered bodies, public URLs in the plan.

A body is rendered once, independently of the Help Center: a link to another article
becomes ``kbsync://article/<key>``, and the plan fills in that article's public URL
(or, for an article created in the same run, the executor does once it exists). So
a change to one article's URL re-plans the articles linking to it without re-rendering.

The key travels percent-encoded (every byte outside ``A-Za-z0-9/._~-``): a folder named
``A & B`` or ``hash#tag`` would otherwise reach the HTML as ``A &amp; B`` (the renderer
escapes attribute values) or be cut at the ``#``, the placeholder would never be
filled, and readers would get a dead ``kbsync://`` link. Encoded, a key survives HTML
escaping unchanged and holds nothing that ends an attribute or a URL.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable
from urllib.parse import quote, unquote

from kbsync.model import RenderedBody

LINK_PLACEHOLDER = "kbsync://article/"
#: A placeholder and its encoded key (group 1); a fragment (``#...``) may follow it.
PLACEHOLDER_PATTERN = re.compile(re.escape(LINK_PLACEHOLDER) + r"([A-Za-z0-9/._~%-]+)")

ArticleUrlResolver = Callable[[str], str | None]


def placeholder(target_key: str) -> str:
    """The stand-in URL of a link to the article at ``target_key``."""
    return LINK_PLACEHOLDER + quote(target_key, safe="/")


def placeholder_key(encoded: str) -> str:
    """The article key a placeholder's encoded part (group 1 of the pattern) stands for."""
    return unquote(encoded)


def fill_links(template: RenderedBody, resolve: ArticleUrlResolver) -> RenderedBody:
    """The body with each placeholder replaced by ``resolve(key)`` (kept when None).

    The HTML must stay the longer of the two fields (the contract's display rule), so a
    body whose URLs came out shorter than its placeholders is wrapped in a ``<div>``.
    """
    if LINK_PLACEHOLDER not in template.html:
        return template
    html_text = fill_html(template.html, resolve)
    if len(html_text) <= len(template.text):
        html_text = f"<div>{html_text}</div>"
    return RenderedBody(html_text, template.text)


def fill_html(html_text: str, resolve: ArticleUrlResolver) -> str:
    """``html_text`` with each placeholder whose key ``resolve`` knows replaced by the URL
    (escaped for the attribute it stands in)."""

    def url(match: re.Match[str]) -> str:
        found = resolve(placeholder_key(match.group(1)))
        return html.escape(found) if found else match.group(0)

    return PLACEHOLDER_PATTERN.sub(url, html_text)


def placeholder_targets(html_text: str) -> tuple[str, ...]:
    """The article keys whose placeholders are still in ``html_text``, sorted."""
    if LINK_PLACEHOLDER not in html_text:
        return ()
    return tuple(sorted({placeholder_key(match.group(1))
                         for match in PLACEHOLDER_PATTERN.finditer(html_text)}))


#: A local file's stand-in in a rendered body: where readers load it from depends on the
#: use (a store's content-addressed URL for apply, the folder for the preview), so the
#: rendering is made once and the URL filled per use, as links to articles are.
ASSET_PLACEHOLDER = "kbsync://asset/"
ASSET_PATTERN = re.compile(re.escape(ASSET_PLACEHOLDER) + r"([A-Za-z0-9/._~%-]+)")


def asset_placeholder(path: str) -> str:
    """The stand-in URL of the root-relative file ``path`` (percent-encoded, as keys are)."""
    return ASSET_PLACEHOLDER + quote(path, safe="/")


def fill_assets(template: RenderedBody, resolve: Callable[[str], str | None],
                article_key: str) -> RenderedBody:
    """The body with each file's stand-in replaced by ``resolve(path)``, or, where that
    is None (no home, or a file not published), by the path relative to the article
    again: nothing ever keeps a stand-in. The HTML stays the longer field."""
    if ASSET_PLACEHOLDER not in template.html:
        return template
    folder = posixpath.dirname(article_key) or "."

    def url(match: re.Match[str]) -> str:
        path = unquote(match.group(1))
        found = resolve(path)
        return html.escape(found) if found else quote(posixpath.relpath(path, folder), safe="/")

    html_text = ASSET_PATTERN.sub(url, template.html)
    if len(html_text) <= len(template.text):
        html_text = f"<div>{html_text}</div>"
    return RenderedBody(html_text, template.text)
