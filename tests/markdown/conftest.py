"""Shared helpers for the pull tests: render Markdown the way ``apply`` does, and back."""

from __future__ import annotations

from collections.abc import Sequence

from kbsync.assets.home import AssetHome
from kbsync.markdown import DEFAULT_MARKDOWN, Dialect, html_to_markdown, renderer_for

PORTAL = "https://help.example.com/"
ASSETS = "https://cdn.example.com/kb/"
ARTICLE = "guides/a.md"

def url_for(key: str) -> str:
    return PORTAL + key


def key_for(url: str) -> str | None:
    return url[len(PORTAL):] if url.startswith(PORTAL) else None


def render(markdown: str, article_key: str = ARTICLE,
           dialect: Dialect | Sequence[str] = DEFAULT_MARKDOWN) -> str:
    """The HTML ``apply`` would send for ``markdown`` (every article has a public URL)."""
    renderer = renderer_for(dialect)
    parsed = renderer.parse(markdown)
    return renderer.render(parsed, article_key=article_key, resolve_article_url=url_for,
                           assets=AssetHome(ASSETS)).html


def to_markdown(html: str, article_key: str = ARTICLE,
                dialect: Dialect | Sequence[str] = DEFAULT_MARKDOWN,
                like: str | None = None) -> str:
    return html_to_markdown(html, url_to_key=key_for, article_key=article_key,
                            assets=AssetHome(ASSETS), dialect=dialect, like=like)
