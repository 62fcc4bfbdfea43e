"""``--suggest DIR``: a draft article stub for each of the largest uncovered topics.

DIR is laid out like a knowledge base: a stub goes into the folder of the collection
its group's best hits came from (``DIR/shipping/cash-on-delivery.md``). Pointing DIR at
the knowledge base itself puts the stubs straight into the tree, as drafts that
``validate`` accepts and ``apply`` creates unpublished; any other folder gets the same
layout for review. An existing file is never overwritten: a stub whose file is already
there (a previous run's) is left alone and reported. A topic that a draft article would
answer once published gets no stub: the advice is to publish the draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kbsync.controls import plain
from kbsync.coverage.groups import Group
from kbsync.coverage.local_articles import Layout
from kbsync.schema.frontmatter import EXCERPT_MAX, TITLE_MAX, slugify

#: How many of the largest uncovered groups get a stub.
MAX_STUBS = 5
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")


@dataclass(frozen=True, slots=True)
class Stub:
    path: str  # relative to DIR, POSIX
    slug: str
    text: str
    group: Group


@dataclass(frozen=True, slots=True)
class Suggestions:
    """What to do about each of the largest uncovered topics."""

    stubs: list[Stub]  # to write
    kept: list[str]  # stubs already there (a previous run's), left alone
    publish: list[Group]  # topics a draft article answers: publish it, no stub


def plan_stubs(groups: Sequence[Group], layout: Layout, existing: Iterable[str] = (),
               count: int = MAX_STUBS) -> Suggestions:
    """A stub for each of the ``count`` largest groups, unless its file is there already
    or a draft article answers the group (a stub would be a second article on a topic
    that only waits to be published).

    ``existing`` lists the ``.md`` files already in DIR (relative, POSIX).
    """
    taken = set(layout.article_slugs)
    present = set(existing)
    stubs: list[Stub] = []
    kept: list[str] = []
    publish: list[Group] = []
    for group in groups[:count]:
        base = slugify(" ".join(group.words)) or "new-article"
        folder = _folder(group, layout)
        first_choice = _join(folder, f"{base}.md")
        if first_choice in present:  # a previous run's stub, a draft itself by now
            kept.append(first_choice)
            continue
        if group.draft is not None:
            publish.append(group)
            continue
        slug = base
        suffix = 2
        while slug in taken or _join(folder, f"{slug}.md") in present:
            slug = f"{base}-{suffix}"
            suffix += 1
        taken.add(slug)
        path = _join(folder, f"{slug}.md")
        present.add(path)
        stubs.append(Stub(path, slug, stub_text(group, slug), group))
    return Suggestions(stubs, kept, publish)


def write_stubs(stubs: Sequence[Stub], directory: Path) -> list[Stub]:
    """Create each stub's file (exclusively: an existing file is never replaced)."""
    written = []
    for stub in stubs:
        target = directory / stub.path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(stub.text)
        except FileExistsError:
            continue
        written.append(stub)
    return written


def existing_files(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    return [p.relative_to(directory).as_posix() for p in directory.rglob("*.md")]


def stub_text(group: Group, slug: str) -> str:
    """Front matter (title, slug, excerpt, status: draft) and the questions to answer."""
    ordered = sorted(group.outcomes, key=lambda o: -o.question.count)
    title = plain(ordered[0].question.title)[:TITLE_MAX].strip() or slug  # customers' text
    asked = group.count
    topic = ", ".join(group.words) or "a topic no article covers"
    excerpt = (f"Draft: customers asked about {topic} {asked} "
               f"time{'s' if asked != 1 else ''} and no article answered.")[:EXCERPT_MAX]
    front = yaml.safe_dump({"title": title, "slug": slug, "excerpt": excerpt,
                            "status": "draft"}, sort_keys=False, allow_unicode=True,
                           width=10_000)
    questions = "\n".join(
        f"- {_escape(o.question.title)} (asked {o.question.count} "
        f"time{'s' if o.question.count != 1 else ''})" for o in ordered)
    return (f"---\n{front}---\n\n"
            "Customers asked the questions below and no published article answered them "
            "(found by `kbsync coverage --suggest`). Write the answer here, then set "
            "`status: published`.\n\n"
            f"## Questions this article must answer\n\n{questions}\n\n"
            "## Answer\n\nTo be written.\n")


def _folder(group: Group, layout: Layout) -> str:
    collection = group.collection
    if collection is None:
        return ""
    return layout.folders.get(collection[0], collection[0])


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", plain(text))
