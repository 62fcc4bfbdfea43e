"""Escaping: text written so that Markdown shows it as text, and only where it must.

Every character of text is escaped when, at its position, Markdown would read it as
syntax (and only then, so ordinary text stays readable); emphasis delimiters are used
only where CommonMark's flanking rules read them back as the same span.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")


# At the start of a line: the character (group 1) that would begin a block construct.
LINE_RULES = (
    re.compile(r"[ \t]*(#{1,6})(?:[ \t]|$)"),  # ATX heading
    re.compile(r"[ \t]*(>)"),  # block quote
    re.compile(r"[ \t]*([-+])(?:[ \t]|$)"),  # bullet list item
    re.compile(r"[ \t]*[0-9]{1,9}([.)])(?:[ \t]|$)"),  # ordered list item
    re.compile(r"[ \t]*([-=:|])[-=:| \t]*$"),  # setext underline, rule, table delimiter row
    re.compile(r"(<)<{6}(?: |$)"),  # a merge conflict's first marker line, which validate refuses
)


_NBSP_RUN = re.compile(r"[ \xa0]*\xa0[ \xa0]*")


NEWLINE_SPACE = re.compile(r"[ \t\n]*\n[ \t\n]*")


def is_space(ch: str) -> bool:
    """CommonMark whitespace; ``""`` (a line or text edge) counts as whitespace too."""
    return not ch or isWhiteSpace(ord(ch))


def is_punct(ch: str) -> bool:
    return bool(ch) and (isMdAsciiPunct(ord(ch)) or isPunctChar(ch))


def _is_word(ch: str) -> bool:
    return not is_space(ch) and not is_punct(ch)


def nbsp(text: str) -> str:
    """``&nbsp;`` between two words stays (kept as U+00A0); elsewhere it is just a space.

    Web editors put ``&nbsp;`` next to ordinary spaces and at line ends to keep them
    visible; those are noise in Markdown. A lone one inside ``10&nbsp;kg`` means
    something.
    """
    def replace(match: re.Match[str]) -> str:
        start, end = match.span()
        inside = start > 0 and end < len(text)
        if match.group(0) == "\xa0" and inside and not text[start - 1].isspace() \
                and not text[end].isspace():
            return "\xa0"
        return " "
    return _NBSP_RUN.sub(replace, text)


def _line_start_positions(text: str, line_start: bool,
                          rules: tuple[re.Pattern[str], ...] = LINE_RULES) -> set[int]:
    """Indexes of characters that would start a block construct at the start of a line."""
    forced: set[int] = set()
    starts = ([0] if line_start else []) + [m.end() for m in re.finditer("\n", text)]
    for start in starts:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        for rule in rules:
            match = rule.match(line)
            if match:
                forced.add(start + match.start(1))
                break
    return forced


def _needs_escape(text: str, i: int, before_link: bool) -> bool:
    """Whether ``text[i]`` would be read as inline syntax where it stands."""
    ch = text[i]
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if ch in "*`[]|":
        return True
    if ch == "\\":
        return not nxt or nxt == "\n" or isMdAsciiPunct(ord(nxt))
    if ch == "_":  # intraword underscores never delimit: snake_case stays readable
        return not (_is_word(prev) and _is_word(nxt))
    if ch == "~":  # a single ~ never delimits; ~~ does, and so may ~ at a text edge
        return prev in ("", "~") or nxt in ("", "~")
    if ch == "<":
        return not nxt or nxt in "/!?" or (nxt.isascii() and nxt.isalpha())
    if ch == "&":
        return ENTITY.match(text, i) is not None
    if ch == "!":  # "!" right before a link would make it an image
        return before_link and not nxt
    return False


#: The only characters :func:`_needs_escape` may answer True for.
_INLINE_SYNTAX = re.compile(r"[*`\[\]|\\_~<&!]")


def escape(text: str, *, line_start: bool, before_link: bool = False,
            rules: tuple[re.Pattern[str], ...] = LINE_RULES) -> str:
    """``text`` with a backslash before every character Markdown would read as syntax.

    Only the characters that can be syntax are looked at (most text has few or none),
    which keeps converting a long body cheap.
    """
    marks = _line_start_positions(text, line_start, rules)
    marks.update(m.start() for m in _INLINE_SYNTAX.finditer(text)
                 if _needs_escape(text, m.start(), before_link))
    if not marks:
        return text
    out: list[str] = []
    last = 0
    for index in sorted(marks):
        out.append(text[last:index])
        out.append("\\")
        last = index
    out.append(text[last:])
    return "".join(out)


def delimiters_fit(marker: str, before: str, inner: str, after: str) -> bool:
    """Whether ``marker + inner + marker`` parses as one emphasis span where it stands.

    Stricter than CommonMark on purpose: the opening run must only be able to open and
    the closing run only to close (never both), and no neighbour may be the same
    marker, so the "rule of 3" and run merging can never come into play.
    """
    first, last = inner[0], inner[-1]
    if marker in (before, after):
        return False
    opens = not is_space(first) and (not is_punct(first) or is_space(before)
                                      or is_punct(before))
    opener_closes = not is_space(before) and (not is_punct(before) or is_space(first)
                                               or is_punct(first))
    closes = not is_space(last) and (not is_punct(last) or is_space(after)
                                      or is_punct(after))
    closer_opens = not is_space(after) and (not is_punct(after) or is_space(last)
                                             or is_punct(last))
    return opens and not opener_closes and closes and not closer_opens
