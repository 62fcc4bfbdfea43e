"""The git side of pull: which files have uncommitted changes, moves, removals, commits.

Everything goes through GitPython's ``repo.git`` (the git command line), so what pull
does is exactly what the same git commands would do by hand. Outside a git repository
every operation falls back to plain file-system calls, and nothing is "dirty".
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from kbsync.errors import KbsyncError

__all__ = ["Repo"]


class Repo:
    """The knowledge base's repository, if it is in one."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        try:
            self._repo: git.Repo | None = git.Repo(self.root, search_parent_directories=True)
        except (InvalidGitRepositoryError, NoSuchPathError):
            self._repo = None
        self._tracked: set[str] | None = None

    @property
    def exists(self) -> bool:
        return self._repo is not None

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()

    def _rel(self, path: str) -> str:
        """A KB-relative POSIX path as git sees it from the working tree's top."""
        assert self._repo is not None and self._repo.working_tree_dir is not None
        top = Path(self._repo.working_tree_dir).resolve()
        return (self.root / path).relative_to(top).as_posix()

    def _kb_rel(self, repo_path: str) -> str | None:
        assert self._repo is not None and self._repo.working_tree_dir is not None
        full = Path(self._repo.working_tree_dir).resolve() / repo_path
        try:
            return full.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def dirty(self) -> set[str]:
        """KB-relative paths with uncommitted changes (staged, unstaged or untracked)."""
        if self._repo is None:
            return set()
        out = self._run("--no-optional-locks", "status", "--porcelain=v1", "-z",
                        "--untracked-files=all", "--", str(self.root))
        paths: set[str] = set()
        entries = out.split("\0")
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            if len(entry) < 4:
                continue
            status, path = entry[:2], entry[3:]
            if "R" in status or "C" in status:
                index += 1  # the original path follows a rename
            rel = self._kb_rel(path)
            if rel is not None:
                paths.add(rel)
        return paths

    def is_tracked(self, path: str) -> bool:
        if self._repo is None:
            return False
        if self._tracked is None:
            listed = self._run("ls-files", "-z", "--", str(self.root))
            self._tracked = {rel for p in listed.split("\0") if p
                             if (rel := self._kb_rel(p)) is not None}
        return path in self._tracked or any(t.startswith(path + "/") for t in self._tracked)

    def move(self, src: str, dst: str) -> None:
        """``git mv`` for tracked paths, a plain rename otherwise."""
        (self.root / dst).parent.mkdir(parents=True, exist_ok=True)
        if self.is_tracked(src):
            self._run("mv", "--", self._rel(src), self._rel(dst))
            self._tracked = None
        else:
            os.rename(self.root / src, self.root / dst)

    def remove(self, path: str) -> None:
        """``git rm`` for a tracked file, a plain unlink otherwise."""
        if self.is_tracked(path):
            self._run("rm", "-q", "--", self._rel(path))
            self._tracked = None
        elif (self.root / path).is_dir():
            shutil.rmtree(self.root / path)
        else:
            (self.root / path).unlink(missing_ok=True)

    def commit(self, message: str, paths: Iterable[str]) -> str | None:
        """One commit of exactly ``paths`` (other staged changes stay staged); its sha."""
        if self._repo is None:
            raise KbsyncError("--commit needs a git repository; run `git init` first")
        wanted = sorted(set(paths))
        self._tracked = None
        committed = self._in_head(wanted)
        on_disk = [p for p in wanted if (self.root / p).exists() or self.is_tracked(p)]
        ignored = set(self._repo.ignored(*(self._rel(p) for p in on_disk))) if on_disk else set()
        to_add = [r for p in on_disk if (r := self._rel(p)) not in ignored]
        gone = [self._rel(p) for p in wanted if p in committed and p not in on_disk]
        rel = sorted({*to_add, *gone})
        if not rel:
            return None
        if to_add:
            self._run("add", "--all", "--", *to_add)
        if not self._run("diff", "--cached", "--name-only", "--", *rel).strip():
            return None
        self._run("commit", "-q", "-m", message, "--", *rel)
        return str(self._repo.head.commit.hexsha)

    def _in_head(self, paths: list[str]) -> set[str]:
        """Which of ``paths`` the last commit has: a removal or a move's old path is
        committed by naming it, though it is gone from disk and index."""
        if not paths or not self._repo.head.is_valid():  # type: ignore[union-attr]
            return set()
        listed = self._run("ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD", "--",
                           *(self._rel(p) for p in paths))
        return {rel for p in listed.split("\0") if p if (rel := self._kb_rel(p)) is not None}

    def _run(self, *args: str) -> str:
        assert self._repo is not None
        try:
            return str(self._repo.git.execute(["git", *args], strip_newline_in_stdout=False))
        except GitCommandError as exc:
            detail = (exc.stderr or "").strip() or str(exc)
            verb = next((a for a in args if not a.startswith("-")), "")
            raise KbsyncError(f"git {verb} failed: {detail}") from None
