"""What the editor says about an article or a front-matter key, in Markdown: one text
for completion's documentation and hover alike."""

from __future__ import annotations

from kbsync.local.tree import LocalArticle
from kbsync.lsp.session import Session
from kbsync.problems import escaped
from kbsync.schema.frontmatter import key_help

__all__ = ["key_documentation", "place"]


def place(session: Session, article: LocalArticle) -> str:
    """Where readers find the article: its collections, top first, and its status."""
    where = " / ".join(escaped(n) for n in session.links.collections_of(article.key))
    return f"{where or '(top level)'} · {article.status}"


def key_documentation(key: str, extra_keys: tuple[str, ...]) -> str:
    """What a front-matter key means and what applies without it (the schema's text)."""
    found = key_help(key)
    if found is not None:
        return f"**{key}**: {found[0]}.\n\nDefault: {found[1]}."
    if key in extra_keys:
        return (f"**{key}**: one of your team's own keys (`extra_keys` under `[content]` "
                "in kbsync.toml): kbsync accepts it and leaves it as it is.")
    return f"**{key}**: not a key kbsync knows (validate warns about it)."
