"""Links between articles: placeholders in rendered bodies, public URLs in the plan.

A body is rendered once, independently of the Help Center: a link to another article
becomes ``kbsync://article/<key>``, and the plan fills in that article's public URL
(or, for an article created in the same run, the executor does once it exists). So
a change to one article's URL re-plans the articles linking to it without re-rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kbsync.model import RenderedBody

LINK_PLACEHOLDER = "kbsync://article/"
_PLACEHOLDER_HREF = re.compile(re.escape(LINK_PLACEHOLDER) + r'([^"#]+)')

ArticleUrlResolver = Callable[[str], str | None]


def placeholder(target_key: str) -> str:
    """The stand-in URL of a link to the article at ``target_key``."""
    return LINK_PLACEHOLDER + target_key


def fill_links(template: RenderedBody, resolve: ArticleUrlResolver) -> RenderedBody:
    """The body with each placeholder replaced by ``resolve(key)`` (kept when None).

    The HTML must stay the longer of the two fields (the contract's display rule), so a
    body whose URLs came out shorter than its placeholders is wrapped in a ``<div>``.
    """
    if LINK_PLACEHOLDER not in template.html:
        return template
    html = fill_html(template.html, resolve)
    if len(html) <= len(template.text):
        html = f"<div>{html}</div>"
    return RenderedBody(html, template.text)


def fill_html(html: str, resolve: ArticleUrlResolver) -> str:
    """``html`` with each placeholder whose key ``resolve`` knows replaced by the URL."""

    def url(match: re.Match[str]) -> str:
        return resolve(match.group(1)) or match.group(0)

    return _PLACEHOLDER_HREF.sub(url, html)


def placeholder_targets(html: str) -> tuple[str, ...]:
    """The article keys whose placeholders are still in ``html``, sorted."""
    if LINK_PLACEHOLDER not in html:
        return ()
    return tuple(sorted({match.group(1) for match in _PLACEHOLDER_HREF.finditer(html)}))
