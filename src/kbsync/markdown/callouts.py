"""The callout every callout syntax renders to, and reads back from.

GitHub alerts (``> [!NOTE]``), MkDocs admonitions (``!!! note``) and Docusaurus
admonitions (``:::note``) all render as the same element a portal's CSS can style::

    <div class="kb-callout kb-callout-note">
    <p class="kb-callout-title">Note</p>
    ...
    </div>

Each syntax's module turns its tokens into this one (render) and this one back into its
syntax (write); this module holds what they share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4.element import Tag
    from markdown_it.token import Token

__all__ = ["ALERT_KINDS", "CALLOUT_CLASS", "as_callout", "callout", "callout_kind",
           "closing", "title_tokens"]

#: The callout's classes: ``kb-callout kb-callout-<kind>``, its title ``kb-callout-title``.
CALLOUT_CLASS = "kb-callout"
#: GitHub's alert kinds, each with the title a reader sees.
ALERT_KINDS = {"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning",
               "caution": "Caution"}
_KIND_DROPS = re.compile(r"[^a-z0-9_-]")


def callout_kind(written: str) -> str:
    """A kind as written (``Note``, ``danger``) -> the class suffix, ``note`` by default."""
    return _KIND_DROPS.sub("", written.lower()) or "note"


# -- render ----------------------------------------------------------------------------------

def title_tokens(title: str, level: int) -> list[Token]:
    from markdown_it.token import Token

    opening = Token("callout_title_open", "p", 1, attrs={"class": f"{CALLOUT_CLASS}-title"},
                    block=True, level=level + 1)
    inline = Token("inline", "", 0, content=title, children=[], level=level + 2)
    closing_ = Token("callout_title_close", "p", -1, block=True, level=level + 1)
    return [opening, inline, closing_]


def closing(tokens: Sequence[Token], index: int, kind: str) -> int:
    """The index of the ``kind`` token that closes ``tokens[index]``."""
    level = tokens[index].level
    return next(i for i in range(index + 1, len(tokens))
                if tokens[i].type == kind and tokens[i].level == level)


def as_callout(tokens: list[Token], index: int, close: int, kind: str) -> None:
    """``tokens[index]`` .. ``tokens[close]`` become the callout's ``<div>``."""
    opening, closing_ = tokens[index], tokens[close]
    classes = f"{CALLOUT_CLASS} {CALLOUT_CLASS}-{kind}"
    extra = opening.attrGet("class") if opening.type == "blockquote_open" else None
    opening.type, opening.tag = "callout_open", "div"
    opening.attrSet("class", f"{classes} {extra}" if extra else classes)
    opening.meta = {**opening.meta, "kind": kind}
    closing_.type, closing_.tag = "callout_close", "div"


# -- write back ------------------------------------------------------------------------------

def callout(tag: Tag) -> tuple[str, Tag | None] | None:
    """(kind, title paragraph or None) of a callout the renderer made, or None."""
    from bs4.element import Tag

    from kbsync.markdown.html_tree import classes

    names = classes(tag)
    if tag.name != "div" or len(names) != 2 or names[0] != CALLOUT_CLASS \
            or set(tag.attrs) != {"class"} or not names[1].startswith(CALLOUT_CLASS + "-"):
        return None
    kind = names[1][len(CALLOUT_CLASS) + 1:]
    if not re.fullmatch(r"[a-z0-9_-]+", kind) or kind == "title":
        return None
    first = next((kid for kid in tag.children if isinstance(kid, Tag) or str(kid).strip()),
                 None)
    if isinstance(first, Tag) and first.name == "p" and \
            classes(first) == [f"{CALLOUT_CLASS}-title"] and set(first.attrs) == {"class"}:
        return kind, first
    return kind, None
