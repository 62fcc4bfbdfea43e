"""Coverage's one door into the engine: the knowledge base as the articles ``apply``
would write, and where ``--suggest`` may put new ones.

The rest of coverage sees only these small records, never the engine's tree or the
tree reader, so it can be tested and changed without them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbsync.config import Config
from kbsync.model import ArticleFields, CollectionFields
from kbsync.problems import Problem


@dataclass(frozen=True, slots=True)
class LocalCollectionFields:
    key: str  # the folder, relative to the root
    parent_key: str | None
    fields: CollectionFields


@dataclass(frozen=True, slots=True)
class LocalArticleFields:
    key: str  # the .md file, relative to the root
    collection_key: str | None
    fields: ArticleFields  # rendered: content_html and content as apply sends them


@dataclass(frozen=True, slots=True)
class LocalKnowledgeBase:
    collections: tuple[LocalCollectionFields, ...]  # parents before children
    articles: tuple[LocalArticleFields, ...]
    warnings: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """What ``--suggest`` needs to place stubs: folders by collection slug, used slugs."""

    folders: dict[str, str]  # collection slug -> folder key
    article_slugs: frozenset[str]
    published_slugs: frozenset[str]


def local_articles(config: Config) -> LocalKnowledgeBase:
    """The tree, checked and rendered (raises ValidationFailed like ``plan`` does).

    Links to other articles keep their ``kbsync://article/...`` placeholder: the index
    searches text only, and the text has no URLs in it.
    """
    from kbsync.frontend import open_workspace

    workspace = open_workspace(config)
    local = workspace.local()
    bodies = workspace.render(article.key for article in local.tree.articles)
    collections = tuple(
        LocalCollectionFields(c.key, c.parent_key, CollectionFields(
            name=c.name, slug=c.slug, description=c.description, position=c.position))
        for c in local.tree.collections)
    articles = []
    for article in local.tree.articles:
        body = bodies[article.key]
        articles.append(LocalArticleFields(article.key, article.collection_key, ArticleFields(
            title=article.title, slug=article.slug, excerpt=article.excerpt,
            status=article.status, position=article.position, content_html=body.html,
            content=body.text)))
    return LocalKnowledgeBase(collections, tuple(articles), tuple(local.warnings))


def layout_of(kb: LocalKnowledgeBase) -> Layout:
    """The layout of a knowledge base already read (``--local``: no second read)."""
    return Layout(
        folders={c.fields.slug: c.key for c in kb.collections},
        article_slugs=frozenset(a.fields.slug for a in kb.articles),
        published_slugs=frozenset(a.fields.slug for a in kb.articles
                                  if a.fields.status == "published"),
    )


def local_layout(config: Config) -> Layout:
    """Folders and slugs of the tree as it is (unchecked: reading never fails)."""
    from kbsync.local.tree import read_tree

    tree = read_tree(config.root, config.content)
    return Layout(
        folders={c.slug: c.key for c in tree.collections},
        article_slugs=frozenset(a.slug for a in tree.articles),
        published_slugs=frozenset(a.slug for a in tree.articles if a.status == "published"),
    )
