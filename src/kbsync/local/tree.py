"""Files -> LocalTree: folders are collections, ``*.md`` files are articles.

Reading never raises for a user's mistake: every bad file, key or value is a Problem in
``LocalTree.problems`` and the item is still there with a default in place of the bad
value, so ``watch`` can keep previewing a tree that has errors. Checks that need the
whole tree (duplicate slugs, links) live in ``kbsync.validate``.

Order is deterministic everywhere: names are sorted naturally ("2-x" before "10-x"),
so positions do not depend on the file system.

What is read, and what only reported (nothing is skipped without a word):

* a symbolic link to a file inside the knowledge base is read like the file (teams
  share one article between two collections that way); one that leads outside the
  folder is an error and is never opened, so a link to ``~/.ssh/id_rsa`` named
  ``notes.md`` cannot be published;
* a symbolic link to a folder is not followed (a warning; an error when it leads
  outside): following would read the same articles twice under two paths, can loop,
  and ``pull`` would write through it. The folder is read where it really is;
* a dangling link, a named pipe, a socket or a device is reported (an error when it is
  named like an article, a warning otherwise) and never opened: opening a pipe blocks;
* a file bigger than ``max_article_bytes`` (``[content]``, 1 MiB by default) is an
  error, and no more than that many bytes (plus one) are ever read from it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from kbsync.config import ContentSettings
from kbsync.controls import escape, find_control
from kbsync.local.fields import MAX_DEPTH, humanise, name_slug
from kbsync.local.frontmatter import (
    CONTROL_HINT,
    SplitFile,
    YamlMapping,
    decode,
    describe_decode_error,
    load_mapping,
    split_front_matter,
)
from kbsync.local.ignore import IgnoreRules
from kbsync.local.reading import SPECIAL_NAMES, read_capped, special_kind
from kbsync.local.walk import MAX_SCAN_DEPTH
from kbsync.model.local import KeyedItems, LocalArticle, LocalCollection
from kbsync.problems import Problem, clipped, shown, sort_key
from kbsync.schema import check, unknown_keys
from kbsync.schema.frontmatter import (
    ARTICLE_KEYS,
    COLLECTION_KEYS,
    DEFAULT_STATUS,
    TITLE_MAX,
    ArticleMeta,
    CollectionMeta,
    given_text,
)

__all__ = ["ARTICLE_SUFFIX", "COLLECTION_FILE", "LocalArticle", "LocalCollection", "LocalTree",
           "Splitter", "git_blob_sha1", "leading_h1", "natural_key", "read_capped",
           "read_tree"]

COLLECTION_FILE = "_collection.yaml"
ARTICLE_SUFFIX = ".md"

_H1 = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")

#: How an article's text is split into front matter and body: ``(text, path, blob id)
#: -> SplitFile``. The parse cache's ``split`` answers from what it read before.
Splitter = Callable[[str, str, str], SplitFile]


def split_fresh(text: str, path: str, blob: str) -> SplitFile:
    """Read the front matter, every time (no cache)."""
    return split_front_matter(text, path)


@dataclass(frozen=True, slots=True)
class LocalTree(KeyedItems):
    root: Path
    collections: tuple[LocalCollection, ...]  # parents before children
    articles: tuple[LocalArticle, ...]  # by key
    problems: tuple[Problem, ...]
    _articles: dict[str, LocalArticle] = field(init=False, repr=False, compare=False)
    _collections: dict[str, LocalCollection] = field(init=False, repr=False, compare=False)


@dataclass(slots=True)
class _Folder:
    """What the walk found in one folder: content only, hidden and ignored paths gone."""

    key: str
    files: list[str] = field(default_factory=list)  # .md names, natural order
    children: list[_Folder] = field(default_factory=list)  # collections only
    has_meta: bool = False

    @property
    def has_content(self) -> bool:
        """Articles below it, or a ``_collection.yaml``: an empty collection is still one."""
        return bool(self.files or self.children or self.has_meta)

    @property
    def article_count(self) -> int:
        """The ``.md`` files in it and below it."""
        return len(self.files) + sum(child.article_count for child in self.children)


def read_tree(root: Path, content: ContentSettings, *,
              scanned: Callable[[int], None] | None = None,
              read: Callable[[LocalArticle], None] | None = None,
              split: Splitter = split_fresh,
              texts: Mapping[str, str] | None = None) -> LocalTree:
    """Read every collection and article under ``root``; problems are collected, not raised.

    ``scanned`` is told how many article files there are before any is read, and ``read``
    is given each article as soon as it is read: a cold check starts its parsing workers
    and hands them the bodies while the rest of the files are read. ``split`` reads
    front matter (the parse cache's, so an unchanged file parses no YAML). ``texts``:
    the bytes of some articles as an editor holds them, read instead of the disk's (the
    walk still finds the files on disk).
    """
    rules, problems = IgnoreRules.load(root)
    top = _scan(root, "", rules, problems)
    if scanned is not None:
        scanned(top.article_count)
    collections: list[LocalCollection] = []
    articles: list[LocalArticle] = []
    reader = _Reader(root, content, problems, split, texts or {})
    _read_folder(reader, top, None, collections, articles, read or _ignore)
    articles.sort(key=lambda a: a.key)
    return LocalTree(root, tuple(collections), tuple(articles),
                     tuple(sorted(problems, key=sort_key)))


def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that orders embedded numbers by value: ``2-a`` before ``10-a``."""
    parts = re.split(r"(\d+)", name)
    return (*((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts), (2, 0, name))


def git_blob_sha1(raw: bytes) -> str:
    """The id git gives these bytes, so a synced base can be found in git's objects."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()


def _scan(root: Path, key: str, rules: IgnoreRules, problems: list[Problem],
          depth: int = 0, real_root: str | None = None) -> _Folder:
    folder = _Folder(key)
    real_root = real_root or os.path.realpath(root)
    try:
        with os.scandir(root / key if key else root) as it:
            entries = sorted(it, key=lambda e: natural_key(e.name))
    except OSError as exc:
        problems.append(Problem(key or ".", f"cannot read folder: {exc.strerror}"))
        return folder
    for entry in entries:
        rel = f"{key}/{entry.name}" if key else entry.name
        kind = _entry_kind(entry, real_root)
        if rules.is_ignored(rel, is_dir=kind in ("folder", "linked folder")):
            continue
        if kind == "folder":
            if depth + 1 >= MAX_SCAN_DEPTH:
                problems.append(Problem(rel, f"folder nested more than {MAX_SCAN_DEPTH} levels "
                                        "deep: not read", hint="collections stop at 3 levels",
                                        identity=True))  # pull cannot tell what it holds
                continue
            child = _scan(root, rel, rules, problems, depth + 1, real_root)
            if child.has_content:
                folder.children.append(child)
        elif kind in ("file", "linked file"):
            if entry.name.endswith(ARTICLE_SUFFIX):
                folder.files.append(entry.name)
            elif entry.name == COLLECTION_FILE and key:
                folder.has_meta = True
        else:
            problem = _not_read(rel, kind, entry)
            if problem is not None:
                problems.append(problem)
    return folder


def _entry_kind(entry: os.DirEntry[str], real_root: str) -> str:
    """What a folder entry is, symbolic links judged by where they lead.

    'file', 'folder', 'linked file' (inside the root), 'linked folder', 'outside',
    'hidden' (a link into a hidden path), 'dangling', 'fifo', 'socket', 'device' or
    'other'; nothing is opened.
    """
    try:
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            inside = real_root.rstrip(os.sep) + os.sep
            if target != real_root and not target.startswith(inside):
                return "outside"
            if any(part.startswith(".") for part in target[len(inside):].split(os.sep)):
                return "hidden"  # .git/config may hold credentials: never content
            try:
                mode = os.stat(target).st_mode
            except (OSError, ValueError):
                return "dangling"
            if stat.S_ISDIR(mode):
                return "linked folder"
            return "linked file" if stat.S_ISREG(mode) else special_kind(mode)
        if entry.is_dir(follow_symlinks=False):  # from the directory listing: no syscall
            return "folder"
        if entry.is_file(follow_symlinks=False):
            return "file"
        mode = entry.stat(follow_symlinks=False).st_mode
    except OSError:
        return "dangling"
    return special_kind(mode)


def _not_read(rel: str, kind: str, entry: os.DirEntry[str]) -> Problem | None:
    """The problem of an entry that is not read: an error where it looks like content."""
    content = entry.name.endswith(ARTICLE_SUFFIX) or entry.name == COLLECTION_FILE
    severity: Literal["error", "warning"] = "error" if content else "warning"
    if kind == "outside":
        return Problem(rel, "is a symbolic link to "
                       f"{clipped(os.path.realpath(entry.path))}, outside the knowledge base: "
                       "not read", hint="copy the file into the knowledge-base folder, or "
                       "list the link in .kbsyncignore", identity=content)
    if kind == "hidden":
        return Problem(rel, "is a symbolic link into a hidden folder or file "
                       f"({clipped(os.path.realpath(entry.path))}): not read",
                       hint="hidden paths (.git, .kbsync) are never content",
                       identity=content)
    if kind == "linked folder":
        return Problem(rel, "is a symbolic link to a folder: not followed (its articles "
                       "are read where the folder really is)", severity="warning",
                       hint="list the link in .kbsyncignore to silence this")
    if kind == "dangling":
        return Problem(rel, "is a symbolic link that leads nowhere (its target is missing, "
                       "or the link loops): not read", severity=severity, identity=content,
                       hint="fix or delete the link")
    return Problem(rel, f"is {SPECIAL_NAMES[kind]}: not read", severity=severity,
                   identity=content, hint="knowledge-base files are regular files")


def _is_article_file(entry: os.DirEntry[str], real_root: str) -> bool:
    """A ``.md`` file the walk reads: a regular file, or a link to one inside the root."""
    return entry.name.endswith(ARTICLE_SUFFIX) and _entry_kind(entry, real_root) in (
        "file", "linked file")


def read_article(root: Path, key: str, content: ContentSettings, *,
                 split: Splitter = split_fresh, texts: Mapping[str, str] | None = None,
                 ) -> tuple[LocalArticle | None, tuple[Problem, ...]]:
    """Re-read the one article at ``key`` as :func:`read_tree` would, and its problems.

    For ``watch``: a saved file is read alone instead of the whole tree. Its place among
    its siblings (the default position) is found as the walk finds it, so the result
    equals the tree's own entry. None when ``key`` is not an article now (missing,
    unreadable, hidden or ignored): the caller then reads the whole tree.
    """
    rules, _ = IgnoreRules.load(root)  # problems of .kbsyncignore belong to the full read
    parts = key.split("/")
    if any(rules.is_ignored("/".join(parts[:n]), is_dir=True) for n in range(1, len(parts))):
        return None, ()
    if rules.is_ignored(key, is_dir=False):
        return None, ()
    folder = "/".join(parts[:-1])
    real_root = os.path.realpath(root)
    try:
        with os.scandir(root / folder if folder else root) as it:
            names = sorted((e.name for e in it if _is_article_file(e, real_root)
                            and not rules.is_ignored(f"{folder}/{e.name}" if folder else e.name,
                                                     is_dir=False)), key=natural_key)
    except OSError:
        return None, ()
    if parts[-1] not in names:
        return None, ()
    problems: list[Problem] = []
    reader = _Reader(root, content, problems, split, texts or {})
    article = _read_article(reader, key, names.index(parts[-1]), folder or None)
    return article, tuple(sorted(problems, key=sort_key))


def _ignore(article: LocalArticle) -> None:
    """No one to tell that an article was read."""


def _read_folder(reader: _Reader, folder: _Folder, parent: LocalCollection | None,
                 collections: list[LocalCollection], articles: list[LocalArticle],
                 read: Callable[[LocalArticle], None]) -> None:
    """Read ``folder``'s articles, then each child folder as a collection, depth first."""
    collection_key = parent.key if parent else None
    for index, name in enumerate(folder.files):
        key = f"{folder.key}/{name}" if folder.key else name
        article = _read_article(reader, key, index, collection_key)
        if article is not None:
            articles.append(article)
            read(article)
    for index, child in enumerate(folder.children):
        collection = _read_collection(reader, child, parent, index)
        collections.append(collection)
        _read_folder(reader, child, collection, collections, articles, read)


@dataclass(frozen=True, slots=True)
class _Reader:
    """What reading one file needs besides the file: the settings, where its problems
    go, how front matter is split, and the texts an editor holds instead of the disk."""

    root: Path
    content: ContentSettings
    problems: list[Problem]
    split: Splitter
    texts: Mapping[str, str]

    def read(self, key: str) -> tuple[bytes, str] | None:
        """The raw bytes and the decoded LF text, or None with a problem."""
        limit = self.content.max_article_bytes
        try:
            given = self.texts.get(key)
            raw = (read_capped(self.root / key, limit) if given is None
                   else _capped(given.encode("utf-8", "surrogateescape"), limit))
            if raw is None:
                self.problems.append(Problem(
                    key, f"is larger than {limit:,} bytes (max_article_bytes): not read",
                    hint="split it into smaller articles, or raise max_article_bytes under "
                         "[content] in kbsync.toml", identity=True))
                return None
            return raw, decode(raw)
        except OSError as exc:
            self.problems.append(Problem(key, f"cannot read: {exc.strerror or exc}",
                                         identity=True))
        except UnicodeDecodeError as exc:
            self.problems.append(Problem(key, f"cannot read: {describe_decode_error(exc)}",
                                         hint="save the file as UTF-8", identity=True))
        return None


def _capped(raw: bytes, limit: int) -> bytes | None:
    """``raw``, or None when it is over ``limit`` bytes (as ``read_capped`` says)."""
    return None if len(raw) > limit else raw


def _read_collection(reader: _Reader, folder: _Folder, parent: LocalCollection | None,
                     index: int) -> LocalCollection:
    content, problems = reader.content, reader.problems
    folder_name = folder.key.rsplit("/", 1)[-1]
    depth = parent.depth + 1 if parent else 1
    source = f"{folder.key}/{COLLECTION_FILE}" if folder.has_meta else folder.key
    meta = YamlMapping()
    if folder.has_meta and (read := reader.read(source)) is not None:
        meta = load_mapping(read[1], source, first_line=1)
        problems.extend(meta.problems)
    values = _check(CollectionMeta, meta, source, COLLECTION_KEYS, content, problems)
    if depth == MAX_DEPTH + 1:
        problems.append(Problem(source, f"collection is {depth} levels deep, the limit is "
                                f"{MAX_DEPTH}", hint="move this folder up a level"))
    return LocalCollection(
        key=folder.key,
        slug=values.slug or _default_slug(folder_name, source, problems),
        name=values.name or humanise(folder_name),
        description=values.description,
        position=index if values.position is None else values.position,
        parent_key=parent.key if parent else None,
        depth=depth,
        source=source,
        lines=meta.lines,
        explicit_position=values.position is not None,
        index=index,
    )


def _read_article(reader: _Reader, key: str, index: int,
                  collection_key: str | None) -> LocalArticle | None:
    content, problems = reader.content, reader.problems
    read = reader.read(key)
    if read is None:
        return None
    raw, text = read
    blob = git_blob_sha1(raw)
    split = reader.split(text, key, blob)
    problems.extend(split.meta.problems)
    values = _check(ArticleMeta, split.meta, key, ARTICLE_KEYS, content, problems)
    stem = key.rsplit("/", 1)[-1][: -len(ARTICLE_SUFFIX)]
    title, body, body_line = _title(key, split.meta, values, split.body, split.body_line,
                                    problems)
    problems.extend(_body_controls(key, body, body_line))
    data = split.meta.data
    return LocalArticle(
        key=key,
        slug=values.slug or _default_slug(stem, key, problems),
        title=title if title is not None else humanise(stem),
        excerpt=values.excerpt,
        status=values.status or DEFAULT_STATUS,
        position=index if values.position is None else values.position,
        collection_key=collection_key,
        body=body,
        body_line=body_line,
        source_hash=blob,
        extra={k: data[k] for k in content.extra_keys if k in data},
        lines=split.meta.lines,
        explicit_position=values.position is not None,
        index=index,
    )


M = TypeVar("M", ArticleMeta, CollectionMeta)


def _check(model: type[M], meta: YamlMapping, path: str, known: tuple[str, ...],
           content: ContentSettings, problems: list[Problem]) -> M:
    """The model of ``meta``: problems at the keys' lines; unknown keys are warnings."""
    values, found = check(model, meta.data, path=path, line_of=lambda loc: meta.lines.get(
        loc[0]) if loc else None)
    problems.extend(found)
    problems.extend(unknown_keys(meta.data, known, content.extra_keys, path=path,
                                 lines=meta.lines))
    return values


def _default_slug(name: str, path: str, problems: list[Problem]) -> str:
    """The slug a name gives when no ``slug:`` is written: ``01-Welcome.md`` -> welcome."""
    slug = name_slug(name)
    if not slug:
        problems.append(Problem(path, f"cannot make a slug from the name {shown(name)}",
                                key="slug", identity=True,
                                hint="set slug: in the front matter, e.g. slug: my-article"))
    return slug


def _title(path: str, meta: YamlMapping, values: ArticleMeta, body: str, body_line: int,
           problems: list[Problem]) -> tuple[str | None, str, int]:
    """The front-matter title, else a leading ``# H1`` (then cut from the body).

    None when there is no usable title; a missing one is reported here, a bad value
    (not text) by the schema.
    """
    given = meta.data.get("title")
    if not (given is None or (isinstance(given, str) and not given_text(given))):
        if values.title is not None and find_control(values.title, allow=_MULTILINE) is None:
            problems.extend(_title_controls(path, values.title, meta.lines.get("title")))
        return values.title, body, body_line
    found = leading_h1(body)
    if found is None:
        if meta.readable:
            problems.append(Problem(
                path, "missing title", line=meta.lines.get("title", 1), key="title",
                hint="add title: to the front matter or start the body with a '# Title' line"))
        return None, body, body_line
    heading, offset, consumed, rest = found
    problems.extend(_title_controls(path, heading, body_line + offset))
    if len(heading) > TITLE_MAX:
        problems.append(Problem(
            path, f"is {len(heading)} characters long, the limit is {TITLE_MAX}",
            line=body_line + offset, key="title", hint="shorten the '# Title' line"))
    return heading, rest, body_line + consumed


#: Control characters a front-matter value may hold (the YAML check allows them).
_MULTILINE = "\t\n"


def _title_controls(path: str, title: str, line: int | None) -> Iterator[Problem]:
    """A title is one line of text: a line break or another control character in it is
    an error (the front matter's check has reported the others there). A tab is white
    space to readers, and initdesk's editor saves it: ``init`` writes such a title as it
    is, so validate must take it back."""
    index = find_control(title, allow="\t")
    if index is not None:
        yield Problem(path, f"holds the control character {escape(title[index])} "
                      f"({shown(title, 40)})", line=line, key="title", hint=CONTROL_HINT)


def _body_controls(path: str, body: str, body_line: int) -> Iterator[Problem]:
    """NUL in a body is an error (Markdown turns it into U+FFFD, the plain text keeps
    it); another control character (not a tab or a line break) is a warning: readers see
    a box or nothing where it stands."""
    index = find_control(body, allow=_MULTILINE)
    if index is None:
        return
    nul = body.find("\0")
    at = nul if nul >= 0 else index
    line = body_line + body.count("\n", 0, at)
    if nul >= 0:
        yield Problem(path, "holds a NUL character (\\x00) in the body", line=line,
                      hint=CONTROL_HINT)
    else:
        yield Problem(path, f"holds the control character {escape(body[at])} in the body",
                      line=line, severity="warning", hint=CONTROL_HINT)


def leading_h1(body: str) -> tuple[str, int, int, str] | None:
    """``(heading, its line offset, lines consumed, rest of body)`` for a leading ``# H1``.

    Only an ATX heading that is the first non-blank line counts; the blank lines after it
    go with it so the body starts at its first real line.
    """
    skipped, rest = _blank_prefix(body)
    end = rest.find("\n")
    line, after = (rest, "") if end == -1 else (rest[:end], rest[end + 1 :])
    match = _H1.match(line)
    heading = (match.group(1) or "").strip() if match else ""
    if not heading:
        return None
    blanks, after = _blank_prefix(after)
    return heading, skipped, skipped + 1 + blanks, after


def _blank_prefix(text: str) -> tuple[int, str]:
    """How many blank lines start ``text``, and ``text`` without them."""
    count = 0
    pos = 0
    while True:
        end = text.find("\n", pos)
        if end == -1 or text[pos:end].strip():
            return count, text[pos:]
        count += 1
        pos = end + 1
