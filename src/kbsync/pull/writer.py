"""Remote items -> the text of their files: front matter + body, ``_collection.yaml``,
``portal.yaml``, ``kbsync.toml``.

Every function takes an optional *template*: the file as it is (or was at the last sync).
Only what differs from the remote item is rewritten, key by key, so a pulled edit shows
up in ``git diff`` as exactly that edit, and a team's own keys, comments and quoting stay.
Without a template a file is written the way a person would: title first, ``slug:`` only
when the file name does not already give it, ``position:`` only when the order of the
file names does not already give the Help Center's order.

The text written must read back as the remote item: ``read_tree`` of it gives the same
title, slug, excerpt, status and position (see ``tests/pull/test_pull_writer.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kbsync.config import AssetSettings
from kbsync.local.fields import name_slug
from kbsync.local.tree import ARTICLE_SUFFIX, leading_h1
from kbsync.model import PORTAL_FIELDS, ArticleFields, CollectionFields, PortalSettings
from kbsync.pull.yaml_lines import YamlLines, dump_entry
from kbsync.schema.frontmatter import given_text

__all__ = [
    "ArticleParts",
    "article_text",
    "collection_text",
    "config_text",
    "default_slug",
    "pin_collection_position",
    "pin_position",
    "pin_slug",
    "portal_keys",
    "portal_text",
    "split_article",
]

FENCE = "---"
_CLOSERS = ("---", "...")
_ARTICLE_ORDER = ("title", "slug", "excerpt", "status", "position")
_COLLECTION_ORDER = ("name", "slug", "description", "position")
_DEFAULT_STATUS = "published"  # what read_tree assumes when a file has no status


def default_slug(name: str) -> str:
    """The slug ``read_tree`` gives a file or folder of this name when none is written."""
    stem = name[: -len(ARTICLE_SUFFIX)] if name.endswith(ARTICLE_SUFFIX) else name
    return name_slug(stem)


@dataclass(frozen=True, slots=True)
class ArticleParts:
    """A Markdown file split the way ``read_tree`` reads it.

    ``front`` is the YAML between the fences (None without front matter); ``body`` is
    what follows the closing fence. When the title comes from a leading ``# H1`` instead
    of the front matter, ``h1`` is that title and ``h1_block`` the H1 line with the blank
    lines after it; ``tree_body`` is the body as the renderer sees it (H1 removed).
    """

    front: str | None
    closer: str
    body: str
    h1: str | None = None
    h1_block: str = ""

    @property
    def tree_body(self) -> str:
        return self.body[len(self.h1_block):] if self.h1 is not None else self.body


def split_article(text: str) -> ArticleParts:
    """Split like ``split_front_matter`` does, keeping the exact text of each part."""
    lines = text.split("\n")
    if lines[0].rstrip() == FENCE:
        for index in range(1, len(lines)):
            if lines[index].rstrip() in _CLOSERS:
                front = "".join(line + "\n" for line in lines[1:index])
                rest = lines[index + 1:]
                closer = lines[index] + ("\n" if rest else "")
                parts = ArticleParts(front, closer, "\n".join(rest))
                return _with_h1(parts, YamlLines(front).values)
    return _with_h1(ArticleParts(None, "", text), {})


def _with_h1(parts: ArticleParts, meta: Mapping[str, Any]) -> ArticleParts:
    """Note a leading ``# H1`` that gives the title (only when the front matter does not)."""
    title = meta.get("title")
    if isinstance(title, str) and given_text(title):
        return parts
    found = leading_h1(parts.body)
    if found is None:
        return parts
    heading, _offset, consumed, _rest = found
    block = "".join(line + "\n" for line in parts.body.split("\n")[:consumed])
    return ArticleParts(parts.front, parts.closer, parts.body, heading,
                        block[: len(parts.body)])


def article_text(fields: ArticleFields, *, name: str, pinned: bool, body: str | None,
                 template: str | None = None) -> str:
    """The file for ``fields``, named ``name``; ``pinned``: it must write its position
    (the order of the file names does not give it, see ``plan.order.positions_to_pin``).

    ``body`` is the Markdown body, or None to keep the template's as it is (the caller
    found that it renders to the remote body already).
    """
    parts = split_article(template) if template is not None else None
    meta, fresh = _front_matter(parts)
    keep_h1 = parts is not None and parts.h1 is not None and parts.h1 == fields.title
    entries = [
        ("title", fields.title, not keep_h1),
        ("slug", fields.slug, meta.has("slug") or fields.slug != default_slug(name)),
        ("excerpt", fields.excerpt, bool(fields.excerpt)),
        ("status", fields.status,
         fresh or meta.has("status") or fields.status != _DEFAULT_STATUS),
        ("position", fields.position, meta.has("position") or pinned),
    ]
    if parts is None:  # a new file: no template lines to keep, nothing to parse again
        text = _body_text(None, body, False, True)
        return f"{FENCE}\n{_entries_text(entries)}{FENCE}\n{text}"
    for key, value, keep in entries:
        _article_key(meta, key, value, keep)
    with_front = parts.front is not None or bool(meta.lines)
    text = _body_text(parts, body, keep_h1, with_front)
    if not with_front:
        return text  # a file without front matter that still needs none
    closer = parts.closer if parts.front is not None else FENCE + "\n"
    if not closer.endswith("\n") and text:
        closer += "\n"
    return f"{FENCE}\n{meta.text()}{closer}{text}"


def pin_position(text: str, position: int) -> str:
    """``text`` with an explicit ``position:`` in its front matter (added if missing)."""
    return _pinned(text, "position", position)


def pin_slug(text: str, slug: str) -> str:
    """``text`` with an explicit ``slug:`` (the editor's rename keeps the public URL)."""
    return _pinned(text, "slug", slug)


def _pinned(text: str, key: str, value: Any) -> str:
    parts = split_article(text)
    if parts.front is None:
        return f"{FENCE}\n{key}: {value}\n{FENCE}\n" + ("\n" + text if text else "")
    meta = YamlLines(parts.front)
    if not meta.readable:
        return text
    meta.set(key, value, after=_ARTICLE_ORDER[:_ARTICLE_ORDER.index(key)])
    return f"{FENCE}\n{meta.text()}{parts.closer}{parts.body}"


def pin_collection_position(text: str, position: int) -> str | None:
    """``_collection.yaml``'s ``text`` with an explicit ``position:``; None when the text
    is not YAML this writer can edit (it is left alone)."""
    meta = YamlLines(text)
    if not meta.readable:
        return None
    meta.set("position", position, after=_COLLECTION_ORDER[:-1])
    return meta.text()


def _front_matter(parts: ArticleParts | None) -> tuple[YamlLines, bool]:
    """The template's front matter to edit, and whether the file is written afresh."""
    if parts is None:
        return YamlLines(""), True
    if parts.front is None:
        return YamlLines(""), False
    meta = YamlLines(parts.front)
    return (meta, False) if meta.readable else (YamlLines(""), True)


def _entries_text(entries: Sequence[tuple[str, Any, bool]]) -> str:
    """The kept entries, in the given order, as ``YamlLines.set`` would write them one by
    one into an empty mapping (without parsing the text again after each)."""
    return "".join(line + "\n" for key, value, keep in entries if keep
                   for line in dump_entry(key, value))


def _article_key(meta: YamlLines, key: str, value: Any, keep: bool) -> None:
    if keep:
        meta.set(key, value, after=_ARTICLE_ORDER[: _ARTICLE_ORDER.index(key)])
    else:
        meta.remove(key)


def _body_text(parts: ArticleParts | None, body: str | None, keep_h1: bool,
               with_front: bool) -> str:
    """What follows the front matter: the template's body, or ``body`` in its place."""
    if parts is not None and body is None:
        if keep_h1 or parts.h1 is None:
            return parts.body
        content = parts.tree_body
    else:
        content = body or ""
    gap = "\n" if with_front else ""
    if parts is not None and parts.front is not None:  # the file's own gap, even none
        gap = parts.body[: len(parts.body) - len(parts.body.lstrip("\n"))]
    heading = parts.h1_block.lstrip("\n") if keep_h1 and parts is not None else ""
    if not heading and not content:
        return ""
    return gap + heading + content


def collection_text(fields: CollectionFields, *, name: str, pinned: bool,
                    template: str | None = None) -> str:
    """``_collection.yaml`` for ``fields`` in the folder ``name`` (``pinned``: it must
    write its position)."""
    meta = YamlLines(template) if template is not None else YamlLines("")
    if not meta.readable:
        meta = YamlLines("")
    entries = [
        ("name", fields.name, True),
        ("slug", fields.slug, meta.has("slug") or fields.slug != default_slug(name)),
        ("description", fields.description, bool(fields.description)),
        ("position", fields.position, meta.has("position") or pinned),
    ]
    if not meta.lines:
        return _entries_text(entries)
    for key, value, keep in entries:
        if keep:
            meta.set(key, value, after=_COLLECTION_ORDER[: _COLLECTION_ORDER.index(key)])
        else:
            meta.remove(key)
    return meta.text()


def portal_text(settings: PortalSettings, template: str | None = None) -> str:
    """``portal.yaml``: the keys the template manages (all of them for a new file)."""
    if template is None:
        header = "# Help Center portal settings, managed by kbsync.\n"
        return header + "".join(
            line + "\n" for key in PORTAL_FIELDS for line in dump_entry(key, getattr(
                settings, key)))
    meta = YamlLines(template)
    if not meta.readable:
        return portal_text(settings)
    for key in PORTAL_FIELDS:
        if meta.has(key):
            meta.set(key, getattr(settings, key))
    return meta.text()


def portal_keys(template: str) -> dict[str, Any]:
    """The settings a ``portal.yaml`` sets (empty when it cannot be read)."""
    meta = YamlLines(template)
    return {key: meta.values[key] for key in PORTAL_FIELDS if meta.has(key)}


def config_text(base_url: str, organization_id: int, *,
                max_article_bytes: int | None = None,
                assets: AssetSettings | None = None) -> str:
    """``kbsync.toml`` for a tree made by ``init --from-remote``: where, never the token;
    ``max_article_bytes`` when an article needs more than the default; ``[assets]`` as
    the command line gave it."""
    text = (
        "# kbsync settings. No secrets here: the token comes from INITDESK_TOKEN.\n"
        "[remote]\n"
        f"base_url = {_toml_string(base_url)}\n"
        f"organization_id = {organization_id}\n"
    )
    if max_article_bytes is not None:
        text += ("\n[content]\n# raised by kbsync init: the Help Center has articles bigger "
                 "than the default (1 MiB)\n"
                 f"max_article_bytes = {max_article_bytes}\n")
    if assets is not None and assets.has_home:
        values = {"publish": assets.publish, "public_url": assets.public_url,
                  "endpoint_url": assets.endpoint_url, "region": assets.region,
                  "base_url": assets.base_url}
        text += "\n[assets]\n" + "".join(f"{key} = {_toml_string(value)}\n"
                                          for key, value in values.items() if value)
    return text


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML ones for these characters)."""
    return json.dumps(value, ensure_ascii=False)



