"""The rules every command runs before it touches the network.

``validate``, ``plan``, ``apply``, ``pull`` and ``watch`` all check a tree with
:func:`check_tree`: the reading problems of each file, then the rules that need the
whole tree (unique slugs, shared positions, links and anchors, images, leftover merge
markers). Every problem carries file, line, key and a hint; nothing here raises for a
user's mistake, reads the network or prints.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypedDict
from urllib.parse import unquote

from kbsync.config import CONFIG_FILE, AssetSettings
from kbsync.local.assets import asset_type, linkable_files, private_reason
from kbsync.local.fields import SLUG_RE, did_you_mean
from kbsync.local.tree import LocalArticle, LocalTree
from kbsync.markdown import ArticleKeys, Link, ParsedBody, resolve_relative
from kbsync.markdown.heading_ids import DEFAULT_HEADING_IDS, HEADING_IDS, HeadingIds
from kbsync.markdown.relocate import respelled
from kbsync.markdown.render import MAX_NESTING
from kbsync.problems import Problem, sort_key
from kbsync.words import file_size, plural

__all__ = ["ASSETS_HINT", "check_articles", "check_tree", "check_whole", "conflict_markers",
           "duplicate_slugs", "links_to_drafts", "shared_positions", "unused_files"]

ASSETS_HINT = (
    "initdesk has no upload endpoint; under [assets] set publish (an S3-compatible store "
    "kbsync uploads to) and public_url, or base_url (where the repository's files are "
    "served, e.g. its raw URL)"
)
NO_ASSETS = AssetSettings()

def check_tree(tree: LocalTree, parsed: Mapping[str, ParsedBody], *,
               assets: AssetSettings = NO_ASSETS, strict: bool = False, unused: bool = False,
               heading_ids: str = DEFAULT_HEADING_IDS, cap: bool = True) -> list[Problem]:
    """The tree's reading problems plus the whole-tree checks, sorted by path and line.

    ``parsed`` holds the links and anchors of every article body; ``assets`` says where
    linked files are published and how big one may be. Under ``strict`` warnings become
    errors (and read as errors); ``unused`` adds the images and documents no article
    links to. ``heading_ids``: the scheme the anchors were made with, for the hint when
    most broken ones fit another. ``cap``: at most MAX_PROBLEMS_PER_FILE per file (the
    workspace caps what it hands on, after an incremental check, so it keeps them all).
    """
    problems = [*check_whole(tree),
                *check_articles(tree, parsed, (a.key for a in tree.articles), assets=assets),
                *(unused_files(tree, parsed) if unused else ())]
    problems.extend(other_scheme(problems, parsed, heading_ids))
    if strict:
        problems = [dataclasses.replace(p, severity="error") for p in problems]
    problems.sort(key=sort_key)
    return capped_per_file(problems) if cap else problems


#: More problems than this in one file are summed up in one line: a generated or hostile
#: file with 10,000 unknown keys or broken links must not print megabytes.
MAX_PROBLEMS_PER_FILE = 50


def capped_per_file(problems: list[Problem]) -> list[Problem]:
    """``problems`` (sorted) with at most MAX_PROBLEMS_PER_FILE per file, then one line
    saying how many more (an error when any of those is one)."""
    out: list[Problem] = []
    hidden: dict[str, list[Problem]] = {}
    seen: dict[str, int] = {}
    for problem in problems:
        seen[problem.path] = seen.get(problem.path, 0) + 1
        if seen[problem.path] <= MAX_PROBLEMS_PER_FILE:
            out.append(problem)
        else:
            hidden.setdefault(problem.path, []).append(problem)
    for path, rest in hidden.items():
        errors = sum(p.is_error for p in rest)
        out.append(Problem(path, f"{plural(len(rest), 'more problem')} in this file not "
                           f"shown ({plural(errors, 'error')}, "
                           f"{plural(len(rest) - errors, 'warning')})",
                           line=rest[0].line, severity="error" if errors else "warning",
                           hint="fix the ones above and run validate again"))
    out.sort(key=sort_key)
    return out


def check_whole(tree: LocalTree) -> list[Problem]:
    """The reading problems and the rules over all items at once (slugs, positions)."""
    return [*tree.problems, *duplicate_slugs(tree), *shared_positions(tree)]


def check_articles(tree: LocalTree, parsed: Mapping[str, ParsedBody], keys: Iterable[str],
                   *, assets: AssetSettings = NO_ASSETS) -> list[Problem]:
    """The rules of each article at ``keys`` (links, anchors, images, merge markers).

    Apart from :func:`check_whole` so that the live preview checks again only the
    articles a save can affect.
    """
    links = _LinkChecker(tree, parsed, assets)
    problems: list[Problem] = []
    for key in keys:
        article = tree.article(key)
        if article is not None:
            problems.extend(links.check(article))
            problems.extend(conflict_markers(article))
            problems.extend(too_deep(article, parsed[article.key]))
            problems.extend(links_to_drafts(tree, parsed, article, links.article_keys))
    return problems


def unused_files(tree: LocalTree, parsed: Mapping[str, ParsedBody]) -> list[Problem]:
    """The images and documents of the folder that no article links to (``validate
    --unused``): left behind by an edit, they would only ever be published by mistake.
    Hidden, ignored and kbsync's own files are not content, and not listed."""
    linked: set[str] = set()
    for article in tree.articles:
        for link in parsed[article.key].links:
            resolved = resolve_relative(article.key, link.target)
            if resolved is not None:
                linked.add(resolved[0])
                linked.add(unicodedata.normalize("NFC", resolved[0]))
    return [Problem(rel, "not linked from any article", severity="warning",
                    hint="delete it, or link to it from the article it belongs to")
            for rel in linkable_files(tree.root)
            if rel not in linked and unicodedata.normalize("NFC", rel) not in linked]


#: A line ``pull --on-conflict markers`` writes: seven ``<`` or ``>``, then a space or
#: the line's end.
_MARKER = re.compile(r"^(?:<{7}|>{7})(?: |$)", re.MULTILINE)


def conflict_markers(article: LocalArticle) -> Iterator[Problem]:
    """Lines left by ``pull --on-conflict markers``: never to be published as text."""
    body = article.body
    if "<<<<<<<" not in body and ">>>>>>>" not in body:  # a C search: the usual answer
        return
    found = _MARKER.search(body)
    if found is not None:
        offset = body.count("\n", 0, found.start())
        yield Problem(article.key, "unresolved merge conflict marker",
                      line=article.body_line + offset,
                      hint="keep the lines you want, delete the markers, then apply; to "
                           "show a conflict in a code block, write the block as <pre><code> "
                           "HTML with &lt; for a line's first <")


def too_deep(article: LocalArticle, parsed: ParsedBody) -> Iterator[Problem]:
    """Lists or quotes nested deeper than the renderer goes: the text inside would not
    reach readers, so it is refused rather than dropped."""
    if parsed.too_deep is not None:
        yield Problem(article.key, f"nested deeper than kbsync renders (lists "
                      f"{MAX_NESTING // 2 - 1} levels, quotes {MAX_NESTING - 1}): the text "
                      "inside would not be shown", line=parsed.too_deep,
                      hint="flatten the lists or quotes that start here")


def other_scheme(problems: list[Problem], parsed: Mapping[str, ParsedBody],
                 heading_ids: str) -> Iterator[Problem]:
    """One warning when most links to missing headings would find them under another
    heading-id scheme: the knowledge base was written for that one."""
    broken = [(p.target, p.anchor) for p in problems if isinstance(p, BrokenAnchor)]
    if not broken:
        return
    best, found = "", 0
    for name, scheme in HEADING_IDS.items():
        if name == heading_ids or scheme.slug is None:
            continue
        count = sum(anchor in _ids(parsed[target], scheme) for target, anchor in broken)
        if count > found:
            best, found = name, count
    if found * 2 > len(broken):
        yield Problem(CONFIG_FILE, f"{found} of {plural(len(broken), 'broken anchor')} resolve "
                      f'with heading_ids = "{best}"', key="content.heading_ids",
                      severity="warning",
                      hint=f'set heading_ids = "{best}" under [content] if the links were '
                           "written for it")


def _ids(parsed: ParsedBody, scheme: HeadingIds) -> set[str]:
    """The ids the body's headings get under ``scheme``, as written and %-decoded."""
    made = [i for i in scheme.ids(list(parsed.headings), [None] * len(parsed.headings)) if i]
    return set(made) | {unquote(i) for i in made}


class Columns(TypedDict):
    column: int | None
    end_column: int | None


def at_destination(link: Link) -> Columns:
    """The columns of a problem with a link: its destination as written (none when the
    parse did not find it on the link's line)."""
    if not link.target_column:
        return {"column": None, "end_column": None}
    return {"column": link.target_column, "end_column": link.target_end}


@dataclasses.dataclass(frozen=True)
class BrokenAnchor(Problem):
    """A link to a heading or anchor its target does not have."""

    target: str = ""
    anchor: str = ""


def links_to_drafts(tree: LocalTree, parsed: Mapping[str, ParsedBody],
                    article: LocalArticle, article_keys: ArticleKeys) -> Iterator[Problem]:
    """A published article linking to a draft: readers would follow it to a page they
    cannot see. A warning (the draft may be published in the same change), once per
    link; the target found as every link finds it (either Unicode form)."""
    if article.status == "published":
        for link in parsed[article.key].links:
            resolved = None if link.is_image else resolve_relative(article.key, link.target)
            target = (tree.article(article_keys.find(resolved[0])) if resolved is not None
                      else None)
            if target is None or target.status != "draft" or target.key == article.key:
                continue
            yield Problem(article.key, f"links to the draft article {target.key}",
                          line=link.line, severity="warning", **at_destination(link),
                          hint="readers cannot open a draft: publish it (status: published) "
                               "or remove the link")


def shared_positions(tree: LocalTree) -> Iterator[Problem]:
    """A written position that a sibling also has: initdesk then orders the two by
    creation, not by the files. A warning on the written one. A sibling that writes no
    position counts only when its name puts it first: after the written one, plan just
    numbers it next (what ``init --from-remote`` relies on when it pins a few files)."""
    groups: dict[tuple[str, str | None, int], list[tuple[str, str, int, int | None]]] = {}
    for a in tree.articles:
        place = ("article", a.collection_key, a.position)
        groups.setdefault(place, []).append((a.key, a.key, a.index, a.lines.get("position")))
    for c in tree.collections:
        place = ("collection", c.parent_key, c.position)
        groups.setdefault(place, []).append((c.key, c.source, c.index, c.lines.get("position")))
    for (_kind, _parent, position), items in groups.items():
        for name, path, index, line in items:
            if line is None:
                continue
            others = ", ".join(other for other, _, other_index, other_line in items
                               if other != name and (other_line is not None
                                                     or other_index < index))
            if others:
                yield Problem(path, f"position {position} is also the position of {others}",
                              line=line, key="position", severity="warning",
                              hint="initdesk then orders them by creation; give each its own")


def duplicate_slugs(tree: LocalTree) -> list[Problem]:
    """Slugs are unique per portal: articles among articles, collections among collections."""
    articles = ((a.slug, a.key, a.lines.get("slug"), a.key) for a in tree.articles)
    collections = ((c.slug, c.source, c.lines.get("slug"), f"the collection {c.key}")
                   for c in tree.collections)
    return [*_duplicates(articles), *_duplicates(collections)]


def _duplicates(items: Iterable[tuple[str, str, int | None, str]]) -> Iterator[Problem]:
    first: dict[str, str] = {}
    for slug, path, line, name in items:
        if not SLUG_RE.match(slug):
            continue  # already reported as an invalid slug
        if slug in first:
            yield Problem(path, f"slug {slug!r} is already used by {first[slug]}", line=line,
                          key="slug", hint="slugs are unique in the Help Center; set another",
                          identity=True)
        else:
            first[slug] = name


class _LinkChecker:
    """Checks the relative links and images of each article against the tree and disk.

    A link to an article finds it in either Unicode normal form (the renderer resolves it
    the same way, to the same public URL); a link to any other file is published as a
    URL, which must spell the file name exactly, so a near miss is an error with the
    name as stored.
    """

    def __init__(self, tree: LocalTree, parsed: Mapping[str, ParsedBody],
                 assets: AssetSettings) -> None:
        self.tree = tree
        self.parsed = parsed
        self.assets = assets
        self.article_keys = ArticleKeys(a.key for a in tree.articles)
        self._kinds: dict[str, str] = {}
        self._real_root = os.path.realpath(tree.root)  # asked once, not per link
        self._names: dict[str, str] = {}  # file name -> first article key with it
        self._folders: dict[str, list[str]] = {}  # folder key -> article file names
        self._broken_anchor: tuple[str, str] | None = None  # of the link checked last
        self._fix: str | None = None  # the destination the link checked last should have

    def check(self, article: LocalArticle) -> Iterator[Problem]:
        for link in self.parsed[article.key].links:
            self._broken_anchor = self._fix = None
            message, hint = self._link(article, link)
            fix = self._fix if link.written else None
            if message and self._broken_anchor is not None:
                target, anchor = self._broken_anchor
                yield BrokenAnchor(article.key, message, line=link.line, hint=hint,
                                   **at_destination(link), suggestion=fix,
                                   target=target, anchor=anchor)
            elif message:
                yield Problem(article.key, message, line=link.line, hint=hint,
                              **at_destination(link), suggestion=fix)
            else:
                yield from self._private(article, link)
                yield from self._image(article, link)
            yield from self._asset_host(article, link)

    def _private(self, article: LocalArticle, link: Link) -> Iterator[Problem]:
        """A link to a file readers must never get (settings, state, tickets, anything
        hidden, or an image-named link to one): the preview will not serve it, and with
        [assets] base_url readers would be sent to the repository's copy. Any other file
        that is neither an image nor a document is a warning too: it is not published."""
        resolved = resolve_relative(article.key, link.target)
        if resolved is None or (resolved[0].endswith(".md") and not link.is_image):
            return
        target = resolved[0]
        if self._kind(target) != "file":
            return
        real = os.path.relpath(os.path.realpath(self.tree.root / target),
                               self._real_root).replace(os.sep, "/")
        reason = private_reason(target) or private_reason(real)
        if reason is None:
            if asset_type(target) is None and not target.endswith(".md"):
                yield Problem(article.key, f"links to {unquote(link.target)}: not an image or "
                              "a document, so it is neither published nor served by the "
                              "preview", line=link.line, severity="warning",
                              **at_destination(link),
                              hint="readers would get a broken link; link to an image, a PDF "
                              "or an office document (or put the file's content in the "
                              "article)")
            return
        via = f" (through a link to {real})" if real != target else ""
        yield Problem(article.key, f"links to {unquote(link.target)}{via}: {reason}, not "
                      "for readers; the preview does not serve it", line=link.line,
                      **at_destination(link),
                      severity="warning", hint="link to an article, an image or a document "
                      "instead; settings, state and customer data stay out of the Help Center")

    def _image(self, article: LocalArticle, link: Link) -> Iterator[Problem]:
        """An image without alt text (screen readers say nothing, or the file name) or
        bigger than ``[assets] max_bytes`` (slow for every reader on a phone)."""
        if not link.is_image:
            return
        shown = unquote(link.target)
        if link.alt is not None and not link.alt.strip():
            yield Problem(article.key, f"image {shown} has no alt text", line=link.line,
                          **at_destination(link), severity="warning",
                          hint="say what it shows in the brackets, "
                          "![like this](...): screen readers read it out, and it shows "
                          "when the image does not load")
        resolved = resolve_relative(article.key, link.target)
        if resolved is None or self._kind(resolved[0]) != "file":
            return
        size = os.stat(self.tree.root / resolved[0]).st_size
        if size > self.assets.max_bytes:
            yield Problem(article.key, f"image {shown} is {file_size(size)}, more than [assets] "
                          f"max_bytes ({file_size(self.assets.max_bytes)})", line=link.line,
                          **at_destination(link), severity="warning",
                          hint="readers load it on every visit: save it "
                          "smaller (PNG for screenshots, JPEG or WebP for photos), or raise "
                          "max_bytes")

    def _link(self, article: LocalArticle, link: Link) -> tuple[str | None, str | None]:
        if link.target[:7].lower() == "kbsync:":
            return (f"broken link: {unquote(link.target)}: kbsync:// is kbsync's internal "
                    "placeholder, not an address readers can follow",
                    "link to the article's file instead, e.g. ../guides/start.md")
        resolved = resolve_relative(article.key, link.target)
        if resolved is None:
            return None, None
        target, anchor = resolved
        shown = unquote(link.target)
        what = "image" if link.is_image else "link"
        if target == ".." or target.startswith("../"):
            return (f"broken {what}: {shown} points outside the knowledge base",
                    "keep linked files inside the knowledge-base folder")
        if target.endswith(".md") and not link.is_image:
            target = self.article_keys.find(target)
        kind = self._kind(target)
        if kind == "outside":
            return (f"broken {what}: {shown} leads outside the knowledge base (through a "
                    "symbolic link)", "keep linked files inside the knowledge-base folder")
        if kind == "special":
            return (f"broken {what}: {shown} is not a regular file",
                    "link to a file or an article")
        if kind == "missing":
            return f"broken {what}: {shown}: no such file", self._missing_hint(article, link,
                                                                                 target)
        if kind == "folder":
            return (f"broken {what}: {shown} is a folder",
                    "point it at an image file" if link.is_image else "link to an article in it")
        if link.is_image or not target.endswith(".md"):
            return None, None
        if self.tree.article(target) is None:
            return (f"broken link: {shown} is not an article of the knowledge base",
                    "it is hidden, matched by .kbsyncignore, or the root README.md")
        if anchor is not None and not self._has_anchor(target, anchor):
            self._broken_anchor = (target, anchor)
            return self._anchor(article, link, target, shown, anchor)
        return None, None

    def _has_anchor(self, target: str, anchor: str) -> bool:
        """Whether ``target`` has the id; markdown-it-anchor's ids are %-encoded, and a
        browser finds them from a link written either way."""
        anchors = self.parsed[target].anchors
        return anchor in anchors or any(unquote(a) == anchor for a in anchors if "%" in a)

    def _anchor(self, article: LocalArticle, link: Link, target: str, shown: str,
                anchor: str) -> tuple[str, str]:
        """Anchors are every id a browser knows there (heading ids, ``{#id}``, ``id=`` and
        ``<a name=>`` in raw HTML), compared as written: ids are case-sensitive."""
        where = "this file" if target == article.key else target
        anchors = sorted(self.parsed[target].anchors)
        guess = did_you_mean(anchor, anchors)
        if guess:
            hint = f"did you mean #{guess}?"
            self._fix = respelled(link.written, fragment=guess)
        elif anchors:
            hint = "anchors there: " + ", ".join(f"#{a}" for a in anchors[:5])
        else:
            hint = f"{where} has no headings or anchors"
        return f"broken link: {shown}: no heading or anchor {anchor!r} in {where}", hint

    def _missing_hint(self, article: LocalArticle, link: Link, target: str) -> str:
        """What the author probably meant by a link to a file that does not exist."""
        if "?" in link.target or "#" in link.target:
            literal = posixpath.normpath(posixpath.join(posixpath.dirname(article.key),
                                                        unquote(link.target)))
            if self._kind(self.article_keys.find(literal)) != "missing":
                spelled = link.target.replace("?", "%3F").replace("#", "%23")
                self._fix = link.written.replace("?", "%3F").replace("#", "%23")
                return f"a ? or # in a file name is written %3F or %23 in a link: {spelled}"
        twin = self._unicode_twin(target)
        if twin is not None:
            relative = posixpath.relpath(twin, posixpath.dirname(article.key) or ".")
            self._fix = respelled(link.written, path=relative)
            return (f"did you mean {relative}? (the same name in another Unicode form: "
                    "a file's URL must spell its name exactly)")
        guess = self._similar_article(article.key, target)
        if guess is None:
            return "paths are relative to this file"
        self._fix = respelled(link.written, path=guess)
        return f"did you mean {guess}?"

    def _unicode_twin(self, target: str) -> str | None:
        """The path that differs from ``target`` only in Unicode normal form (NFC vs NFD),
        folder by folder, if there is one."""
        if target.isascii():
            return None
        found = ""
        for part in target.split("/"):
            folder = self.tree.root / found if found else self.tree.root
            if not (folder / part).exists():
                try:
                    names = os.listdir(folder)
                except OSError:
                    return None
                wanted = unicodedata.normalize("NFC", part)
                part = next((n for n in names if unicodedata.normalize("NFC", n) == wanted), "")
                if not part:
                    return None
            found = posixpath.join(found, part) if found else part
        return found if found != target else None

    def _asset_host(self, article: LocalArticle, link: Link) -> Iterator[Problem]:
        """A local image or file needs a public home: initdesk takes no uploads."""
        if self.assets.has_home:
            return
        resolved = resolve_relative(article.key, link.target)
        if resolved is None or (resolved[0].endswith(".md") and not link.is_image):
            return
        if self._kind(resolved[0]) != "file":
            return  # reported as a broken link, a link to a folder, or outside the folder
        what, hint = ("image", ASSETS_HINT) if link.is_image else (
            "file", ASSETS_HINT.replace("images", "files"))
        yield Problem(article.key, f"local {what} {unquote(link.target)} has nowhere to be "
                      "published",
                      line=link.line, hint=hint, **at_destination(link))

    def _similar_article(self, source: str, target: str) -> str | None:
        """An article the missing ``target`` probably meant, relative to ``source``.

        A file of the same name elsewhere (it moved), else a close name in the target's
        folder (a typo). Never a fuzzy search of the whole tree: difflib against
        thousands of names would make a mass rename take minutes to validate.
        """
        if not target.endswith(".md"):
            return None
        if not self._names:
            for other in self.tree.articles:
                folder, name = posixpath.split(other.key)
                self._names.setdefault(name, other.key)
                self._folders.setdefault(folder, []).append(name)
        folder, name = posixpath.split(target)
        guess = self._names.get(name)
        if guess is None:
            close = did_you_mean(name, self._folders.get(folder, ()))
            guess = posixpath.join(folder, close) if close else None
        return posixpath.relpath(guess, posixpath.dirname(source) or ".") if guess else None

    def _kind(self, target: str) -> str:
        """'file', 'folder', 'missing', 'special' (a pipe, a device...) or 'outside' (a
        symbolic link on the way leads out of the root), asked of the disk once per
        target and without opening anything. An article of the tree is a file: the walk
        found it inside the root and it was read as a regular file (resolving its path
        again was most of checking 10,000 articles' links)."""
        kind = self._kinds.get(target)
        if kind is None:
            kind = ("file" if self.tree.article(target) is not None
                    else file_kind(self.tree.root, target, self._real_root))
            self._kinds[target] = kind
        return kind


def file_kind(root: Path, target: str, real_root: str | None = None) -> str:
    """What the root-relative ``target`` is on disk, symbolic links followed; see
    ``_LinkChecker._kind``."""
    try:
        real_root = real_root or os.path.realpath(root)
        real = os.path.realpath(os.path.join(real_root, target))
        if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
            return "outside"
        mode = os.stat(real).st_mode
    except (OSError, ValueError):  # ValueError: a NUL byte in the link
        return "missing"
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "special"
