"""Which paths of a knowledge base are not content.

Three rules, in this order: hidden names (a leading dot: ``.git/``, ``.kbsync/``,
``.kbsyncignore`` itself), kbsync's own files at the root, and the patterns of
``.kbsyncignore`` at the root (gitignore syntax, so a team can reuse what it knows).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from kbsync.config import CONFIG_FILE, COVERAGE_FILE, LOCK_FILE, PORTAL_FILE
from kbsync.local.frontmatter import decode, describe_decode_error
from kbsync.local.reading import not_a_file, read_capped
from kbsync.problems import Problem, clipped, shown

if TYPE_CHECKING:
    import pathspec

IGNORE_FILE = ".kbsyncignore"
MAX_IGNORE_BYTES = 1 << 20
#: Files at the root that belong to kbsync or the repository, never articles.
ROOT_FILES = frozenset({CONFIG_FILE, LOCK_FILE, PORTAL_FILE, COVERAGE_FILE, "README.md"})


class IgnoreRules:
    """Answers "is this root-relative POSIX path content?" for the tree walk."""

    def __init__(self, patterns: list[str] | None = None) -> None:
        self._spec: pathspec.GitIgnoreSpec | None = None
        if patterns:  # pathspec loads for a .kbsyncignore only
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(patterns)

    @classmethod
    def load(cls, root: Path) -> tuple[IgnoreRules, list[Problem]]:
        """Read ``root/.kbsyncignore`` if present; an unreadable file is a problem, and
        so is each pattern git would not understand (it is left out, the rest apply)."""
        path = root / IGNORE_FILE
        special = not_a_file(root, IGNORE_FILE)
        if special is not None:  # an error: what it was meant to exclude would be published
            return cls(), [Problem(IGNORE_FILE, f"{special}: not read", hint="it lists what "
                                   "is never published: make it a regular file, or delete it",
                                   identity=True)]  # which files are articles is unknown
        if not path.is_file():
            return cls(), []
        try:
            raw = read_capped(path, MAX_IGNORE_BYTES)
            if raw is None:
                return cls(), [Problem(IGNORE_FILE, f"is larger than {MAX_IGNORE_BYTES:,} "
                                       "bytes: not read")]
            text = decode(raw)
        except OSError as exc:
            return cls(), [Problem(IGNORE_FILE, f"cannot read: {exc.strerror or exc}")]
        except UnicodeDecodeError as exc:
            return cls(), [Problem(IGNORE_FILE, f"cannot read: {describe_decode_error(exc)}")]
        import pathspec

        patterns: list[str] = []
        problems: list[Problem] = []
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except (ValueError, re.error) as exc:  # pathspec's pattern errors are ValueErrors
                problems.append(Problem(IGNORE_FILE, f"not a gitignore pattern: {shown(line)} "
                                        f"({clipped(str(exc).splitlines()[0], 60)}); left out",
                                        line=number, hint="see `git help gitignore`"))
                continue
            patterns.append(line)
        return cls(patterns), problems

    def is_ignored(self, rel: str, *, is_dir: bool) -> bool:
        """True for hidden names, kbsync's root files and ``.kbsyncignore`` matches."""
        name = rel.rsplit("/", 1)[-1]
        if name.startswith("."):
            return True
        if "/" not in rel and not is_dir and name in ROOT_FILES:
            return True
        return self._spec is not None and self._spec.match_file(rel + "/" if is_dir else rel)
