"""The Markdown dialect, both ways: Markdown -> initdesk HTML (``render``) and initdesk
HTML -> Markdown (``writer``, for ``pull`` and ``init --from-remote``).

- ``registry``: THE list of extensions (``[content] markdown``) and heading-id schemes
  (``[content] heading_ids``); ``dialect``: the two settings as one value;
- ``ext/``: one module per extension, each with its render rule, its write-back rule and
  what it adds to the checks (anchors, escaping);
- ``render``, ``paths``, ``text``: parsing, rendering, where links lead, the plain text;
- ``writer``, ``escape``, ``html_tree``: the write-back, text escaping, the HTML tree.

The write-back (and with it BeautifulSoup and markdownify) loads when it is first used:
``validate`` and the preview render and check without it.
"""

from typing import TYPE_CHECKING, Any

from kbsync.markdown.dialect import DEFAULT_DIALECT, Dialect, dialect_key
from kbsync.markdown.paths import ArticleKeys, resolve_relative, template_resolver
from kbsync.markdown.registry import DEFAULT_MARKDOWN, MARKDOWN_EXTENSIONS
from kbsync.markdown.render import (
    RENDER_VERSION,
    Heading,
    Link,
    MarkdownRenderer,
    ParsedBody,
    renderer_for,
)

if TYPE_CHECKING:
    from kbsync.markdown.writer import body_from_remote, html_to_markdown, text_to_markdown

__all__ = ["DEFAULT_DIALECT", "DEFAULT_MARKDOWN", "MARKDOWN_EXTENSIONS", "RENDER_VERSION",
           "ArticleKeys", "Dialect", "Heading", "Link", "MarkdownRenderer", "ParsedBody",
           "body_from_remote", "dialect_key", "html_to_markdown", "renderer_for",
           "resolve_relative", "template_resolver", "text_to_markdown"]


_WRITER = frozenset({"body_from_remote", "html_to_markdown", "text_to_markdown"})


def __getattr__(name: str) -> Any:
    """The write-back's functions, imported on first use (PEP 562)."""
    if name in _WRITER:
        from kbsync.markdown import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
