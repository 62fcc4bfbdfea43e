"""``footnotes``: ``text[^1]`` and ``[^1]: the note`` (and inline ``^[note]``).

Written back from the HTML the renderer makes (mdit-py-plugins: ``#fn1``, ``[1]``) and
from what cmark-gfm and GitHub publish (``#fn-1``, ``#fn:note``, ``#user-content-fn-1``),
which another tool may have sent to the Help Center: the references become ``[^label]``
again and the list at the end their definitions, the back-links dropped (the syntax makes
them again).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kbsync.markdown.extension import Extension

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from kbsync.markdown.writer import Writer

__all__ = ["EXTENSION"]

_PREFIX = r"(?:user-content-)?"
#: The label of a reference's target and of a definition's id: ``fn1``, ``fn-x``, ``fn:x``.
_TARGET = re.compile(rf"#{_PREFIX}fn(?:([1-9][0-9]*)|[-:]([^\s#]+))")
_REF_ID = re.compile(rf"{_PREFIX}fnref(?:([1-9][0-9]*)(?::[1-9][0-9]*)?|[-:]([^\s#]+?)"
                     r"(?:[-:][1-9][0-9]*)?)")
_ITEM_ID = re.compile(rf"{_PREFIX}fn(?:([1-9][0-9]*)|[-:]([^\s#]+))")
_LABEL = re.compile(r"[^\s\[\]^]+")


def _setup(md: MarkdownIt) -> None:
    from mdit_py_plugins.footnote import footnote_plugin

    md.use(footnote_plugin)


def _note_anchor(token: Token) -> Iterable[str]:
    return (f"fn{token.meta['id'] + 1}",)


def _reference_anchor(token: Token) -> Iterable[str]:
    sub = token.meta.get("subId", 0)
    return (f"fnref{token.meta['id'] + 1}" + (f":{sub}" if sub else ""),)


def _label(found: re.Match[str] | None) -> str | None:
    if found is None:
        return None
    label = found.group(1) or found.group(2)
    return label if _LABEL.fullmatch(label) else None


def reference(sup: Tag) -> str | None:
    """The label of ``<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>``
    (or cmark-gfm's ``<a href="#fn-x" id="fnref-x" data-footnote-ref>``)."""
    from kbsync.markdown.html_tree import attr, classes, first_tag

    link = first_tag(sup, "a")
    if sup.name != "sup" or classes(sup) != ["footnote-ref"] or link is None \
            or len(sup.contents) != 1 or sup.contents[0] is not link:
        return None
    target = _label(_TARGET.fullmatch(attr(link, "href") or ""))
    ref = _label(_REF_ID.fullmatch(attr(link, "id") or ""))
    return target if target is not None and target == ref else None


def definitions(section: Tag) -> list[tuple[str, Tag]] | None:
    """The labelled items of a footnotes ``<section>`` the renderer (or cmark-gfm) made."""
    from bs4.element import Tag

    from kbsync.markdown.html_tree import attr, classes

    kids = [kid for kid in section.children if isinstance(kid, Tag)
            and not (kid.name == "h2" and "sr-only" in classes(kid))]
    if section.name != "section" or classes(section) != ["footnotes"] or len(kids) != 1 \
            or kids[0].name != "ol" or classes(kids[0]) not in ([], ["footnotes-list"]):
        return None
    items: list[tuple[str, Tag]] = []
    for kid in kids[0].children:
        if not isinstance(kid, Tag):
            if str(kid).strip():
                return None
            continue
        label = _label(_ITEM_ID.fullmatch(attr(kid, "id") or ""))
        if kid.name != "li" or label is None or classes(kid) not in ([], ["footnote-item"]):
            return None
        items.append((label, kid))
    return items


def _drop_backrefs(item: Tag) -> None:
    """The renderer adds `` <a class="footnote-backref">`` links to each footnote."""
    from bs4.element import NavigableString

    from kbsync.markdown.html_tree import classes, tags_below

    for link in [t for t in tags_below(item) if t.name == "a" and "footnote-backref" in
                 classes(t)]:
        before = link.previous_sibling
        if isinstance(before, NavigableString) and str(before).endswith(" "):
            before.replace_with(str(before)[:-1])
        link.decompose()


def _prepare(tags: list[Tag]) -> None:
    for section in [t for t in tags if t.name == "section"]:
        for _, item in definitions(section) or ():
            _drop_backrefs(item)


def _write(writer: Writer, node: Tag, parent_tags: set[str]) -> str | None:
    from bs4.element import Tag

    from kbsync.markdown.html_tree import classes, next_content

    if node.name == "sup":
        label = reference(node)
        return f"[^{label}]" if label is not None else None
    if node.name == "section" and not writer.in_inline(node):
        items = definitions(node)
        if items is None:
            return None
        notes = []
        for label, item in items:
            body = writer.blocks(item.children, parent_tags | {"section"})
            notes.append(writer.indent(body, "    ", f"[^{label}]: ") if body
                         else f"[^{label}]:")
        return writer.sep(node) + "\n\n".join(notes) + writer.sep(node)
    if node.name == "hr" and classes(node) == ["footnotes-sep"]:
        following = next_content(node)
        if isinstance(following, Tag) and definitions(following) is not None:
            return ""
    return None


EXTENSION = Extension("footnotes", "`text[^1]` and `[^1]: the note` (and inline `^[note]`)",
                      True, _setup, write=_write, writes=frozenset({"sup", "section", "hr"}),
                      anchors=(("footnote_open", _note_anchor),
                               ("footnote_ref", _reference_anchor)), prepare=_prepare)
