"""Where on its line a problem stands: the columns an editor underlines, and that
``validate --format json`` gives, so the two always agree.

A problem with a link gets its columns where it is made (``validate``: the destination
as the parse found it). A problem with a key (front matter, ``_collection.yaml``,
``portal.yaml``, ``coverage.yaml``) is located here, by the key's name at the start of
its line, in the text being checked (an editor's buffer, else the file). Each problem is
located once per content of its file: the workspace forgets a file's columns when the
file changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace

from kbsync.problems import Problem

__all__ = ["Locator", "key_columns"]

#: A key at the start of a line: ``title:``, ``"title" :``, ``- q:`` (a list item's).
_KEY = r"[ \t]*(?:-[ \t]+)?(?P<key>(?P<quote>['\"]?){name}(?P=quote))[ \t]*:"


def key_columns(line: str, key: str) -> tuple[int, int] | None:
    """``(column, end column)``, 1-based, of ``key`` where ``line`` starts with it; for a
    dotted key (``content.heading_ids``) its last part. None when the line does not."""
    name = key.rsplit(".", 1)[-1]
    found = re.match(_KEY.format(name=re.escape(name)), line)
    if found is None:
        return None
    return found.start("key") + 1, found.end("key") + 1


class Locator:
    """Columns for the problems with a key and a line, remembered per problem."""

    def __init__(self) -> None:
        self._known: dict[Problem, Problem] = {}

    def forget(self, paths: Collection[str] | None) -> None:
        """The files at ``paths`` changed (None: any may have): locate their problems
        again."""
        if paths is None:
            self._known.clear()
        else:
            self._known = {p: q for p, q in self._known.items() if p.path not in paths}

    def located(self, problems: Iterable[Problem],
                read: Callable[[str], str | None]) -> list[Problem]:
        """``problems``, each with its key's columns when its line starts with the key;
        ``read`` gives a file's text (None: unreadable), asked once per file."""
        lines: dict[str, list[str] | None] = {}
        known: dict[Problem, Problem] = {}
        out = []
        for problem in problems:
            found = self._known.get(problem)
            if found is None:
                found = _locate(problem, lines, read)
            known[problem] = found
            out.append(found)
        self._known = known
        return out


def _locate(problem: Problem, lines: dict[str, list[str] | None],
            read: Callable[[str], str | None]) -> Problem:
    if problem.column is not None or problem.key is None or not problem.line:
        return problem
    if problem.path not in lines:
        text = read(problem.path)
        lines[problem.path] = None if text is None else text.splitlines()
    found = lines[problem.path]
    if found is None or problem.line > len(found):
        return problem
    columns = key_columns(found[problem.line - 1], problem.key)
    if columns is None:
        return problem
    return replace(problem, column=columns[0], end_column=columns[1])
