"""The lock's contents: which local item is which remote object, and what was last synced.

Items are keyed by slug (the identity a file keeps when it moves or is renamed); ``path``
lets a slug changed in the same file be recognised. Fingerprints: ``local`` is the git
blob id of the file as last synced (so pull can find the base text in git objects),
``remote`` a hash of the managed remote fields, and ``updated_at`` the remote timestamp.

Reading and writing ``kbsync.lock`` is ``kbsync.lock``'s business; this is the data, with
the indexes apply and pull need, kept cheap to serialise after every apply step.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from kbsync.model.state import RemoteRef

LOCK_VERSION = 1
Section = Literal["collections", "articles"]
LOCAL_REMOTE = "local"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normal_base_url(url: str) -> str:
    """A base URL as the identity of a Help Center: one spelling per server.

    ``HTTPS://API.initdesk.com:443/`` and ``https://api.initdesk.com`` name the same
    server: the scheme and host are compared in lower case, without the default port,
    user info or a trailing slash. ``local`` (the embedded Help Center) stays itself. A
    URL that does not parse is compared as written.
    """
    text = url.strip()
    if text == LOCAL_REMOTE:
        return text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text.rstrip("/")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal loses its brackets in .hostname
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


def same_remote(a: RemoteRef, b: RemoteRef) -> bool:
    """The same Help Center: one organization on one server, however the URL is spelled."""
    return (a.organization_id == b.organization_id
            and normal_base_url(a.base_url) == normal_base_url(b.base_url))


@dataclass(frozen=True, slots=True)
class LockEntry:
    id: int
    path: str
    remote: str  # fingerprint of the managed remote fields
    updated_at: str | None = None
    local: str | None = None  # git blob id of the source file as last synced

    def to_dict(self) -> dict[str, int | str | None]:
        return {"id": self.id, "local": self.local, "path": self.path, "remote": self.remote,
                "updated_at": self.updated_at}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False,
                          separators=(", ", ": "))


@dataclass(frozen=True, slots=True)
class PortalEntry:
    remote: str
    updated_at: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"remote": self.remote, "updated_at": self.updated_at}


#: The parts of a lock besides its entries, as :meth:`Lock.take_changes` names them.
LockPart = Literal["remote", "portal", "render"]


class LockChanges(NamedTuple):
    """What :meth:`Lock.take_changes` hands the journal."""

    entries: list[tuple[Section, str]]
    parts: list[LockPart]
    assets: list[tuple[str, str]]  # (store location, name) newly published


class Lock:
    """The lock's contents, mutated step by step during apply and made durable after each.

    Apply records it after every step, so that is kept cheap for thousands of items:
    the lock remembers what changed since it was last written whole
    (:meth:`take_changes`), so each step appends only that to a journal; and each row's
    text and the sorted order are kept up to date as items change, so the whole lock is
    serialised without rebuilding them. Change it through ``put`` / ``remove`` /
    ``bind`` / ``add_asset`` and the ``portal`` and ``render`` properties only.
    """

    def __init__(self, base_url: str | None = None, organization_id: int | None = None) -> None:
        self.base_url = base_url
        self.organization_id = organization_id
        self.collections: dict[str, LockEntry] = {}
        self.articles: dict[str, LockEntry] = {}
        self._portal: PortalEntry | None = None
        self._render: str | None = None  # the render key the synced bodies were made with
        #: store location ("s3://bucket/prefix") -> content-addressed names it holds
        self._assets: dict[str, set[str]] = {}
        self._new_assets: set[tuple[str, str]] = set()  # (location, name) since written
        #: each entry's line of :meth:`dumps`, made at the first dump after it is put (a
        #: plan reads the lock and never writes it; apply dumps it whole at the end)
        self._rows: dict[tuple[str, str], str] = {}
        self._order: dict[str, list[str]] = {"collections": [], "articles": []}
        self._by_id: dict[tuple[str, int], str] = {}
        self._by_path: dict[tuple[str, str], str] = {}
        self._changed: set[tuple[Section, str]] = set()
        self._changed_parts: set[LockPart] = set()

    @property
    def remote(self) -> RemoteRef | None:
        """The Help Center this lock was made against; None for a new, empty lock."""
        if self.base_url is None or self.organization_id is None:
            return None
        return RemoteRef(self.base_url, self.organization_id)

    def bind(self, remote: RemoteRef) -> None:
        if (self.base_url, self.organization_id) != (remote.base_url, remote.organization_id):
            self._changed_parts.add("remote")
        self.base_url, self.organization_id = remote.base_url, remote.organization_id

    def has_asset(self, location: str, name: str) -> bool:
        """Whether ``name`` was published to the store at ``location`` (no request)."""
        return name in self._assets.get(location, ())

    def add_asset(self, location: str, name: str) -> None:
        names = self._assets.setdefault(location, set())
        if name not in names:
            names.add(name)
            self._new_assets.add((location, name))

    @property
    def portal(self) -> PortalEntry | None:
        return self._portal

    @portal.setter
    def portal(self, entry: PortalEntry | None) -> None:
        if entry != self._portal:
            self._changed_parts.add("portal")
        self._portal = entry

    @property
    def render(self) -> str | None:
        return self._render

    @render.setter
    def render(self, key: str | None) -> None:
        if key != self._render:
            self._changed_parts.add("render")
        self._render = key

    def take_changes(self) -> LockChanges:
        """What changed since the lock was last written whole or this was last asked:
        the (section, slug) of each entry put or removed, the other parts changed, and
        the names published since (only those: a journal record stays small however
        many files the store holds). Asking forgets them: the caller has made them
        durable."""
        changes = LockChanges(sorted(self._changed), sorted(self._changed_parts),
                              sorted(self._new_assets))
        self.mark_written()
        return changes

    @property
    def has_changes(self) -> bool:
        return bool(self._changed or self._changed_parts or self._new_assets)

    def mark_written(self) -> None:
        """The lock as it is now is on disk: nothing is changed since."""
        self._changed.clear()
        self._changed_parts.clear()
        self._new_assets.clear()

    @property
    def is_empty(self) -> bool:
        return not (self.collections or self.articles or self.portal)

    def section(self, name: Section) -> dict[str, LockEntry]:
        return self.collections if name == "collections" else self.articles

    def put(self, section: Section, slug: str, entry: LockEntry) -> None:
        """Record an item under its slug, dropping any older entry for the same id."""
        old = self.by_id(section, entry.id)
        if old is not None and old[0] != slug:
            self.remove(section, old[0])
        table = self.section(section)
        if slug not in table:
            bisect.insort(self._order[section], slug)
        table[slug] = entry
        self._changed.add((section, slug))
        self._rows.pop((section, slug), None)
        self._by_id[(section, entry.id)] = slug
        self._by_path[(section, entry.path)] = slug

    def remove(self, section: Section, slug: str) -> None:
        entry = self.section(section).pop(slug, None)
        if entry is None:
            return
        self._changed.add((section, slug))
        self._rows.pop((section, slug), None)
        if self._by_id.get((section, entry.id)) == slug:
            del self._by_id[(section, entry.id)]
        if self._by_path.get((section, entry.path)) == slug:
            del self._by_path[(section, entry.path)]
        order = self._order[section]
        index = bisect.bisect_left(order, slug)
        if index < len(order) and order[index] == slug:
            del order[index]

    def _find(self, section: Section, index: dict[tuple[str, Any], str], value: Any,
              attr: str) -> tuple[str, LockEntry] | None:
        slug = index.get((section, value))
        entry = self.section(section).get(slug) if slug is not None else None
        if slug is not None and entry is not None and getattr(entry, attr) == value:
            return slug, entry
        return None

    def by_path(self, section: Section, path: str) -> tuple[str, LockEntry] | None:
        return self._find(section, self._by_path, path, "path")

    def by_id(self, section: Section, remote_id: int) -> tuple[str, LockEntry] | None:
        return self._find(section, self._by_id, remote_id, "id")

    def entries(self, section: Section) -> Iterator[tuple[str, LockEntry]]:
        table = self.section(section)
        yield from ((slug, table[slug]) for slug in self._order[section])

    def _row(self, section: Section, slug: str) -> str:
        row = self._rows.get((section, slug))
        if row is None:
            entry = self.section(section)[slug]
            row = self._rows[(section, slug)] = (
                f"  {json.dumps(slug, ensure_ascii=False)}: {entry.to_json()}")
        return row

    def dumps(self) -> str:
        """Deterministic text: sorted, one item per line."""
        out = ["{", f'"version": {LOCK_VERSION},']
        remote = {"base_url": self.base_url, "organization_id": self.organization_id}
        out.append(f'"remote": {json.dumps(remote, sort_keys=True)},')
        if self.render is not None:
            out.append(f'"render": {json.dumps(self.render)},')
        if self.portal is not None:
            portal = self.portal.to_dict()
            out.append(f'"portal": {json.dumps(portal, sort_keys=True)},')
        if self._assets:  # one name per line, so a branch's new image is one line of diff
            stores = [f"  {json.dumps(where)}: [\n" + ",\n".join(
                f"    {json.dumps(name, ensure_ascii=False)}" for name in sorted(names)) + "\n  ]"
                for where, names in sorted(self._assets.items()) if names]
            out.append('"assets": {\n' + ",\n".join(stores) + "\n},")
        sections: tuple[tuple[Section, str], ...] = (("articles", ","), ("collections", ""))
        for name, tail in sections:
            rows = [self._row(name, slug) for slug in self._order[name]]
            body = ",\n".join(rows)
            out.append(f'"{name}": {{\n{body}\n}}{tail}' if rows else f'"{name}": {{}}{tail}')
        out.append("}")
        return "\n".join(out) + "\n"
