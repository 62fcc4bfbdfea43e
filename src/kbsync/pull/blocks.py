"""The remote body written in the file's own layout, so a three-way merge sees real edits.

Converting a whole remote body to Markdown gives kbsync's style everywhere: its list
markers, its emphasis, its wrapping. Where the file says the same thing in another
style, every such paragraph would look edited on the remote side and a merge with the
writer's edits would conflict. So the file's blocks (paragraphs, lists, headings...)
whose HTML the remote body still has are kept as they are written, byte for byte, with
the blank lines between them; only the blocks initdesk changed, added or removed are
converted. A result that does not render to what initdesk has is not used.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from kbsync.markdown import MarkdownRenderer, ParsedBody

__all__ = ["Block", "blocks_of", "in_own_layout"]

#: Markdown for a piece of remote HTML (the converter, bound to the article's links).
Convert = Callable[[str], str]
#: The HTML a Markdown body renders to (links resolved as the Help Center has them).
Render = Callable[[Sequence[Token]], str]


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level block of a Markdown body: its source text and its HTML."""

    first: int  # first source line (0-based)
    end: int  # line after the last
    html: str


def blocks_of(tokens: Sequence[Token], render: Render) -> list[Block]:
    """The top-level blocks of a parse, each rendered on its own."""
    out: list[Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.level != 0 or token.map is None or token.nesting < 0:
            index += 1
            continue
        end = index + 1
        if token.nesting == 1:
            while end < len(tokens) and not (tokens[end].level == 0
                                             and tokens[end].nesting == -1):
                end += 1
            end += 1
        out.append(Block(token.map[0], token.map[1], render(tokens[index:end])))
        index = end
    return out


def _trimmed(blocks: list[Block], lines: Sequence[str]) -> list[Block]:
    """Blocks without the blank lines markdown-it counts into some (lists): those belong
    to the gap before the next block."""
    out = []
    for block in blocks:
        end = block.end
        while end > block.first + 1 and end <= len(lines) and not lines[end - 1].strip():
            end -= 1
        out.append(Block(block.first, end, block.html))
    return out


def in_own_layout(body: str, remote_html: str, renderer: MarkdownRenderer,
                  render: Render, convert: Convert) -> str | None:
    """``body`` with only the blocks initdesk changed replaced by their conversion.

    None when nothing of the file's layout can be kept (the caller converts the whole
    remote body), or when the result would not render to ``remote_html``.
    """
    parsed: ParsedBody = renderer.parse(body)
    assert parsed.tokens is not None
    lines = body.splitlines(keepends=True)
    blocks = _trimmed(blocks_of(parsed.tokens, render), lines)
    kept = _kept_blocks(blocks, remote_html)
    if not kept:
        return None
    remote_lines = remote_html.splitlines(keepends=True)
    out: list[str] = ["".join(lines[: blocks[0].first]).lstrip("\n")]  # the writer adds
    # the blank lines after the front matter
    previous: tuple[int, int] | None = None  # (block index, remote line after it)
    for block_index, (start, stop) in kept:
        gap = "".join(remote_lines[previous[1] if previous else 0: start])
        if gap.strip():
            if previous is not None:
                out.append("\n")
            out.append(convert(gap).rstrip("\n") + "\n")
        if previous is not None or gap.strip():
            adjacent = previous is not None and previous[0] == block_index - 1 \
                and not gap.strip()
            out.append(_between(lines, blocks, previous[0]) if adjacent and previous
                       else "\n")
        block = blocks[block_index]
        out.append("".join(lines[block.first: block.end]))
        previous = (block_index, stop)
    assert previous is not None
    tail = "".join(remote_lines[previous[1]:])
    if tail.strip():
        out.append("\n" + convert(tail).rstrip("\n") + "\n")
    elif previous[0] == len(blocks) - 1:
        out.append("".join(lines[blocks[-1].end:]))
    text = "".join(out)
    text = text.rstrip("\n") + body[len(body.rstrip("\n")):]  # the file's own ending
    parsed_again = renderer.parse(text)
    assert parsed_again.tokens is not None
    return text if render(parsed_again.tokens) == remote_html else None


def _between(lines: Sequence[str], blocks: Sequence[Block], index: int) -> str:
    """The file's text between block ``index`` and the next (its blank lines)."""
    return "".join(lines[blocks[index].end: blocks[index + 1].first])


def _kept_blocks(blocks: Sequence[Block], remote_html: str) -> list[tuple[int, tuple[int, int]]]:
    """(block index, (first, end) remote line) of each block whose HTML initdesk still has,
    in order: all of its lines matched, in one piece."""
    template: list[str] = []
    owner: list[int] = []
    for index, block in enumerate(blocks):
        for line in block.html.splitlines(keepends=True):
            template.append(line)
            owner.append(index)
    remote = remote_html.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, template, remote, autojunk=False)
    where: dict[int, list[int]] = {}  # block -> the remote lines its lines matched
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                where.setdefault(owner[i1 + offset], []).append(j1 + offset)
    out = []
    for index, block in enumerate(blocks):
        matched = where.get(index, [])
        size = len(block.html.splitlines())
        if size and len(matched) == size and matched == list(range(matched[0],
                                                                   matched[0] + size)):
            out.append((index, (matched[0], matched[0] + size)))
    return out
