"""Remote bodies to Markdown for many articles at once, each one on its own.

``init --from-remote`` converts every article of a Help Center, and converting HTML is
most of its time (a few milliseconds an article), so big batches run on every core
(``local.bulk.run_chunks``); asked to, a worker also parses what it converted, so
checking the written files parses nothing again. And one article that cannot be
converted (HTML no converter was written for) must not cost the others: it is kept as
its HTML, which Markdown passes through unchanged, and reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from kbsync.assets.home import AssetHome
from kbsync.local.bulk import parse_meta, run_chunks
from kbsync.markdown import DEFAULT_DIALECT, Dialect, ParsedBody, body_from_remote, renderer_for

__all__ = ["CONVERSION_ERRORS", "Conversions", "Converted", "Remote", "Way", "convert_all",
           "convert_one"]


@dataclass(frozen=True, slots=True)
class Remote:
    """One remote body to convert, and the file it goes to."""

    key: str
    content: str
    content_html: str
    like: str | None = None  # the Markdown of the file the body replaces, if any


@dataclass(frozen=True, slots=True)
class Way:
    """Where links and images lead, and the dialect: the same for every article."""

    key_of: Mapping[str, str] = field(default_factory=dict)  # public URL -> article key
    assets: AssetHome | None = None
    dialect: Dialect = DEFAULT_DIALECT


@dataclass(frozen=True, slots=True)
class Converted:
    body: str
    problem: str | None = None  # why the body is the remote HTML kept as it is
    parsed: ParsedBody | None = None  # links and anchors of ``body`` from line 1, if asked


#: What converting hostile or odd HTML can raise (bs4 and markdownify on inputs they do
#: not expect): the article is then kept as HTML, never the pull stopped.
CONVERSION_ERRORS = (RecursionError, ValueError, TypeError, AttributeError, IndexError,
                     KeyError)


def convert_one(remote: Remote, way: Way) -> Converted:
    """The Markdown body of ``remote``; its HTML as it is when conversion fails."""
    try:
        return Converted(body_from_remote(
            remote.content, remote.content_html, url_to_key=way.key_of.get,
            article_key=remote.key, assets=way.assets,
            dialect=way.dialect, like=remote.like))
    except CONVERSION_ERRORS as exc:
        html = remote.content_html or remote.content
        reason = f"{type(exc).__name__}: {str(exc)[:120]}" if str(exc) else type(exc).__name__
        return Converted(html if html.endswith("\n") else html + "\n",
                         f"its body could not be converted to Markdown ({reason}); "
                         "kept as HTML, which renders the same")


class Conversions(Mapping[str, Converted]):
    """Converted bodies, by file key, as the workers finish them (in the order asked for).

    Looking one up waits for that one only, so pull decides about the first articles
    while the workers still convert the rest.
    """

    def __init__(self, coming: Iterator[tuple[str, Converted]],
                 done: Mapping[str, Converted]) -> None:
        self._coming = coming
        self._done = dict(done)

    def __getitem__(self, key: str) -> Converted:
        while key not in self._done:
            try:
                found, converted = next(self._coming)
            except StopIteration:
                raise KeyError(key) from None
            self._done[found] = converted
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        self._done.update(self._coming)
        return iter(self._done)

    def __len__(self) -> int:
        self._done.update(self._coming)
        return len(self._done)


def convert_all(remotes: Iterable[Remote], way: Way, *, parse: bool = False,
                done: Mapping[str, Converted] | None = None) -> Conversions:
    """``convert_one`` of each, on every core when there are many; ``parse``: with the
    links and anchors of each body (``Converted.parsed``). ``done``: conversions made
    already (by an earlier decision), kept as they are and not made again."""
    done = done or {}
    todo = [remote for remote in remotes if remote.key not in done]
    return Conversions(run_chunks(todo, _convert_parse_chunk if parse else _convert_chunk,
                                  way), done)


def _convert_chunk(chunk: Sequence[Remote], way: Way) -> list[tuple[str, Converted]]:
    return [(remote.key, convert_one(remote, way)) for remote in chunk]


def _convert_parse_chunk(chunk: Sequence[Remote], way: Way) -> list[tuple[str, Converted]]:
    renderer = renderer_for(way.dialect)
    out = []
    for key, converted in _convert_chunk(chunk, way):
        out.append((key, replace(converted, parsed=parse_meta(renderer, converted.body))))
    return out
