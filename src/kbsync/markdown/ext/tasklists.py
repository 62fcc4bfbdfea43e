"""``tasklists``: ``- [ ] todo`` and ``- [x] done``. A checkbox that starts a list item
comes back as ``[ ]`` / ``[x]``; any other ``<input>`` stays HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kbsync.markdown.extension import Extension

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it import MarkdownIt

    from kbsync.markdown.writer import Writer


def _setup(md: MarkdownIt) -> None:
    from mdit_py_plugins.tasklists import tasklists_plugin

    md.use(tasklists_plugin)


def is_task_checkbox(node: Tag) -> bool:
    """A checkbox that starts a list item: the plugin's ``[ ]`` / ``[x]``."""
    from bs4.element import Tag

    from kbsync.markdown.html_tree import attr, first_content

    if node.name != "input" or (attr(node, "type") or "").lower() != "checkbox":
        return False
    parent = node.parent
    if first_content(parent) is not node:
        return False
    if isinstance(parent, Tag) and parent.name == "p":
        item = parent.parent
        return isinstance(item, Tag) and item.name == "li" and first_content(item) is parent
    return isinstance(parent, Tag) and parent.name == "li"


def _write(writer: Writer, node: Tag, parent_tags: set[str]) -> str | None:
    if not is_task_checkbox(node) or set(node.attrs) - {"type", "class", "checked",
                                                         "disabled"}:
        return None
    return "[x]" if node.has_attr("checked") else "[ ]"


EXTENSION = Extension("tasklists", "`- [ ] todo`, `- [x] done`", True, _setup, write=_write,
                      writes=frozenset({"input"}))
