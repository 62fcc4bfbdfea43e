"""SQLite storage and the data rules of the emulated Help Center.

Everything the contract says about data lives here: slugs (generated, unique), the
collection hierarchy (exists, at most three levels, no cycles), positions, timestamps,
``published_at``, public URLs and full-text search. The HTTP side (``app.py``) only
translates requests into these calls and the exceptions below into status codes.

One connection guarded by one lock: the emulator is used from werkzeug's threaded server
and in-process from any thread, and SQLite serialises writers anyway.
"""

from __future__ import annotations

import enum
import html
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kbsync.emulator.fields import (
    ARTICLE_FIELDS,
    COLLECTION_FIELDS,
    PORTAL_FIELDS,
    Invalid,
    validate,
)

MAX_DEPTH = 3
DEPTH_MESSAGE = f"Collections nest at most {MAX_DEPTH} levels deep."
CYCLE_MESSAGE = "A collection cannot be moved under itself or one of its descendants."
PORTAL_DEFAULTS: dict[str, Any] = {
    "name": "Help Center",
    "custom_domain": None,
    "meta_description": None,
    "allow_robots": True,
    "primary_color": "#4F46E5",
    "is_active": True,
    "enable_ticket_creation_form": True,
}
_PORTAL_BOOLS = ("allow_robots", "is_active", "enable_ticket_creation_form")
_SEARCH_WEIGHTS = (10.0, 3.0, 1.0)  # title, excerpt, body: a title hit outranks body hits
_MAX_QUERY_TOKENS = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS portal (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    custom_domain TEXT,
    meta_description TEXT,
    allow_robots INTEGER NOT NULL,
    primary_color TEXT NOT NULL,
    is_active INTEGER NOT NULL,
    enable_ticket_creation_form INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS collections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    description TEXT,
    parent_id INTEGER REFERENCES collections(id),
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS collections_siblings ON collections(parent_id, position);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    excerpt TEXT,
    content TEXT NOT NULL,
    content_html TEXT NOT NULL,
    collection_id INTEGER REFERENCES collections(id),
    status TEXT NOT NULL,
    position INTEGER NOT NULL,
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_siblings ON articles(collection_id, position);
-- the ids alone, small: a page's first id is found by OFFSET over this index, not over
-- the table's rows (bodies inline, one or two to a page of the file)
CREATE INDEX IF NOT EXISTS articles_ids ON articles(id);
CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5(
    title, excerpt, body, tokenize='porter unicode61 remove_diacritics 2'
);
"""

_ARTICLE_SELECT = (
    "SELECT a.*, c.slug AS collection_slug FROM articles a "
    "LEFT JOIN collections c ON c.id = a.collection_id"
)


class NotFound(Exception):
    """The addressed object does not exist (404)."""


class Conflict(Exception):
    """The request conflicts with the stored state (409); the message says why."""


class Unset(enum.Enum):
    """Marks a list filter that was not given (``None`` means "filter on null")."""

    UNSET = 0


UNSET = Unset.UNSET


def slugify(text: str, fallback: str) -> str:
    """Turn a name into a slug matching the contract pattern, or ``fallback`` if empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:240].strip("-") or fallback


_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: enough for search and the display rule."""
    lowered = markup.lower()
    if "<script" in lowered or "<style" in lowered:
        markup = _SCRIPT_RE.sub(" ", markup)
    text = html.unescape(_TAG_RE.sub(" ", markup))
    return _SPACE_RE.sub(" ", text).strip()


def body_text(content: str, content_html: str) -> str:
    """The body a reader sees: the longer of the plain text and the HTML's text."""
    html_text = html_to_text(content_html)
    return html_text if len(html_text) > len(content) else content


def fts_query(text: str) -> str:
    """A safe FTS5 query for free text: every word quoted, OR-ed; "" when no words.

    Quoting keeps punctuation and FTS syntax in a customer's question (``NEAR``, ``*``,
    ``"``, ``-``) from ever being parsed as operators.
    """
    words = re.findall(r"\w+", text.lower())[:_MAX_QUERY_TOKENS]
    return " OR ".join(f'"{word}"' for word in dict.fromkeys(words))


def parse_datetime(value: str) -> datetime:
    """Parse an ISO-8601 date or datetime; naive values are taken as UTC."""
    text = value.strip()
    text = re.sub(r"(\d) (\d\d:?\d\d)$", r"\1+\2", text)  # a "+" that arrived as a space
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_datetime(moment: datetime) -> str:
    """ISO-8601 UTC with microseconds and ``Z``, the shape every timestamp is sent in."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Clock:
    """Strictly increasing timestamps, so two quick writes never share ``updated_at``."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            moment = datetime.now(timezone.utc)
            if moment <= self._last:
                moment = self._last + timedelta(microseconds=1)
            self._last = moment
        return format_datetime(moment)


def normalize_tickets(tickets: Sequence[Mapping[str, Any]], now: str) -> list[dict[str, Any]]:
    """Seeded tickets with every contract field present; raise ValueError on bad ones.

    Test fixtures and demos give only what they care about (often a subject and a
    description); the rest gets defaults a real ticket would plausibly have.
    """
    out: list[dict[str, Any]] = []
    for index, given in enumerate(tickets):
        if not isinstance(given, Mapping):
            raise ValueError(f"ticket #{index + 1} is not a JSON object")
        out.append(_default_ticket(index, dict(given), now))
    return out


def _default_ticket(index: int, ticket: dict[str, Any], now: str) -> dict[str, Any]:
    ticket_id = ticket.get("id", index + 1)
    if isinstance(ticket_id, bool) or not isinstance(ticket_id, int):
        raise ValueError(f"ticket #{index + 1}: id must be an integer")
    created = ticket.get("created_at", now)
    try:
        created = format_datetime(parse_datetime(str(created)))
    except ValueError:
        raise ValueError(
            f"ticket #{index + 1}: created_at {created!r} is not an ISO datetime"
        ) from None
    is_spam = bool(ticket.get("is_spam", False))
    defaults: dict[str, Any] = {
        "id": ticket_id,
        "public_id": ticket_id,
        "subject": "",
        "description": "",
        "description_html": "",
        "summary": "",
        "tags": [],
        "language": "en",
        "is_spam": is_spam,
        "customer": {
            "id": ticket_id,
            "name": f"Customer {ticket_id}",
            "email": f"customer{ticket_id}@example.com",
            "is_spam": is_spam,
        },
        "updated_at": created,
    }
    return {**defaults, **ticket, "created_at": created}


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


class Store:
    """The Help Center's data: one portal, collections, articles, seeded tickets."""

    def __init__(
        self,
        path: str = ":memory:",
        *,
        public_id: str = "emulated",
        tickets: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.public_id = public_id
        self.clock = Clock()
        self._lock = threading.RLock()
        if path != ":memory:":  # the embedded mode's .kbsync/ may not exist yet
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        if path != ":memory:":  # many small commits: WAL without fsync on each one
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._ensure_portal()
        created = self.clock.now()
        self.tickets = sorted(
            normalize_tickets(tickets, created),
            key=lambda t: (t["created_at"], t["id"]),
            reverse=True,
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def copy_into(self, other: Store) -> None:
        """Everything this store holds, into ``other`` (whose own rows are replaced).

        One connection runs one query at a time; a copy lets another thread search beside
        this one (SQLite lets go of Python's lock while it ranks).
        """
        with self._lock, other._lock:
            self._conn.backup(other._conn)

    # -- plumbing ---------------------------------------------------------------------

    def _write(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, tuple(params))

    def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._conn.execute(sql, tuple(params)).fetchone()
        return row

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn, self._lock)

    # -- portal -----------------------------------------------------------------------

    def _ensure_portal(self) -> None:
        with self._transaction():
            if self._one("SELECT id FROM portal") is None:
                now = self.clock.now()
                self._insert(
                    "portal", {"id": 1, **PORTAL_DEFAULTS, "created_at": now, "updated_at": now}
                )

    def get_portal(self) -> dict[str, Any]:
        """The portal settings (without the nested organization, which the app adds)."""
        with self._lock:
            row = self._one("SELECT * FROM portal")
        assert row is not None
        portal = dict(row)
        for key in _PORTAL_BOOLS:
            portal[key] = bool(portal[key])
        return portal

    def update_portal(self, body: Any, *, partial: bool) -> dict[str, Any]:
        """PUT (every writable field required) or PATCH the portal settings."""
        changes = validate(PORTAL_FIELDS, body, partial=partial)
        with self._transaction():
            changes["updated_at"] = self.clock.now()
            self._update("portal", 1, changes)
        return self.get_portal()

    def portal_host(self) -> str:
        """The public host of the help center: the custom domain, else the kb.center one."""
        with self._lock:
            row = self._one("SELECT custom_domain FROM portal")
        domain = row["custom_domain"] if row else None
        return str(domain) if domain else f"{self.public_id}.kb.center"

    # -- slugs --------------------------------------------------------------------------

    def _free_slug(self, table: str, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... whichever is not taken in ``table``."""
        # "base" and every "base-..." sort between "base" and "base." ("-" < "."): one
        # range scan of the unique index instead of a LIKE over the whole table.
        rows = self._conn.execute(
            f"SELECT slug FROM {table} WHERE slug >= ? AND slug < ?", (base, f"{base}.")
        )
        taken = {row[0] for row in rows}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def _slug_errors(self, table: str, slug: str, own_id: int | None, noun: str) -> list[str]:
        row = self._one(f"SELECT id FROM {table} WHERE slug = ?", (slug,))
        if row is not None and row["id"] != own_id:
            return [f"{noun} with this slug already exists."]
        return []

    # -- collections --------------------------------------------------------------------

    def _collection_row(self, collection_id: int) -> dict[str, Any]:
        row = self._one("SELECT * FROM collections WHERE id = ?", (collection_id,))
        if row is None:
            raise NotFound(f"collection {collection_id}")
        return dict(row)

    def get_collection(self, collection_id: int) -> dict[str, Any]:
        with self._lock:
            return self._collection_row(collection_id)

    def list_collections(
        self, *, parent_id: int | Unset | None = UNSET, offset: int = 0, limit: int = 100
    ) -> tuple[int, list[dict[str, Any]]]:
        """One page of collections by id, optionally only the children of ``parent_id``."""
        where, params = ("", []) if parent_id is UNSET else ("WHERE parent_id IS ?", [parent_id])
        with self._lock:
            count = self._one(f"SELECT COUNT(*) FROM collections {where}", params)
            rows = self._conn.execute(
                f"SELECT * FROM collections {where} ORDER BY id LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return (count[0] if count else 0), [dict(row) for row in rows]

    def create_collection(self, body: Any) -> dict[str, Any]:
        fields = validate(COLLECTION_FIELDS, body, partial=False)
        with self._transaction():
            record: dict[str, Any] = {"description": None, "parent_id": None, **fields}
            self._check_collection(record, own_id=None)
            if "slug" not in fields:
                record["slug"] = self._free_slug(
                    "collections", slugify(record["name"], "collection")
                )
            if "position" not in fields:
                record["position"] = self._next_position(
                    "collections", "parent_id", record["parent_id"]
                )
            record["created_at"] = record["updated_at"] = self.clock.now()
            new_id = self._insert("collections", record)
            return self._collection_row(new_id)

    def update_collection(self, collection_id: int, body: Any, *, partial: bool) -> dict[str, Any]:
        with self._transaction():
            current = self._collection_row(collection_id)
            fields = validate(COLLECTION_FIELDS, body, partial=partial)
            record = {**current, **fields}
            self._check_collection(record, own_id=collection_id)
            fields["updated_at"] = self.clock.now()
            self._update("collections", collection_id, fields)
            return self._collection_row(collection_id)

    def delete_collection(self, collection_id: int) -> None:
        with self._transaction():
            self._collection_row(collection_id)
            children = self._count("collections", "parent_id", collection_id)
            articles = self._count("articles", "collection_id", collection_id)
            if children or articles:
                raise Conflict(
                    f"Collection {collection_id} is not empty ({children} child collection(s), "
                    f"{articles} article(s)); move or delete them first."
                )
            self._write("DELETE FROM collections WHERE id = ?", (collection_id,))

    def collection_tree(self) -> list[dict[str, Any]]:
        """Every collection nested under its parent, with ``children`` and ``article_count``."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM collections ORDER BY position, id").fetchall()
            counts = dict(
                self._conn.execute(
                    "SELECT collection_id, COUNT(*) FROM articles "
                    "WHERE collection_id IS NOT NULL GROUP BY collection_id"
                ).fetchall()
            )
        nodes = {
            row["id"]: {**dict(row), "article_count": counts.get(row["id"], 0), "children": []}
            for row in rows
        }
        roots: list[dict[str, Any]] = []
        for node in nodes.values():
            parent = nodes.get(node["parent_id"]) if node["parent_id"] is not None else None
            (parent["children"] if parent is not None else roots).append(node)
        return roots

    def _check_collection(self, record: dict[str, Any], own_id: int | None) -> None:
        """Slug uniqueness, parent existence, depth and cycles: every problem at once."""
        errors: dict[str, list[str]] = {}
        if "slug" in record:
            slug_errors = self._slug_errors("collections", record["slug"], own_id, "A collection")
            if slug_errors:
                errors["slug"] = slug_errors
        parent_message = self._parent_problem(record["parent_id"], own_id)
        if parent_message:
            errors["parent_id"] = [parent_message]
        if errors:
            raise Invalid(errors)

    def _parent_problem(self, parent_id: int | None, own_id: int | None) -> str | None:
        parents = {
            row[0]: row[1] for row in self._conn.execute("SELECT id, parent_id FROM collections")
        }
        if parent_id is None:
            new_level = 1
        elif parent_id not in parents:
            return f'Invalid pk "{parent_id}" - object does not exist.'
        else:
            chain = _ancestry(parents, parent_id)
            if own_id is not None and own_id in chain:
                return CYCLE_MESSAGE
            new_level = len(chain) + 1
        height = _subtree_height(parents, own_id) if own_id is not None else 1
        return DEPTH_MESSAGE if new_level + height - 1 > MAX_DEPTH else None

    # -- articles -----------------------------------------------------------------------

    def _article_out(self, row: sqlite3.Row, host: str) -> dict[str, Any]:
        article = dict(row)
        collection_slug = article.pop("collection_slug")
        path = f"{article['slug']}-{article['id']}"
        article["url"] = (
            f"https://{host}/{collection_slug}/{path}"
            if collection_slug
            else f"https://{host}/{path}"
        )
        return article

    def _article(self, article_id: int) -> dict[str, Any]:
        row = self._one(f"{_ARTICLE_SELECT} WHERE a.id = ?", (article_id,))
        if row is None:
            raise NotFound(f"article {article_id}")
        return self._article_out(row, self.portal_host())

    def get_article(self, article_id: int) -> dict[str, Any]:
        with self._lock:
            return self._article(article_id)

    def list_articles(
        self,
        *,
        collection_id: int | Unset | None = UNSET,
        status: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[int, list[dict[str, Any]]]:
        """One page of full article objects by id, filtered; one query for the page."""
        clauses: list[str] = []
        params: list[Any] = []
        if collection_id is not UNSET:
            clauses.append("a.collection_id IS ?")
            params.append(collection_id)
        if status is not None:
            clauses.append("a.status = ?")
            params.append(status)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            host = self.portal_host()
            count = self._one(f"SELECT COUNT(*) FROM articles a {where}", params)
            # The page starts at the id OFFSET finds among the ids alone: OFFSET over the
            # full rows (bodies, the collection joined) made reading every page of 10,000
            # articles take 1.7 s, most of a no-op plan's wait on the embedded Help Center.
            first = self._one(f"SELECT a.id FROM articles a {where} ORDER BY a.id "
                              "LIMIT 1 OFFSET ?", (*params, offset))
            rows = [] if first is None else self._conn.execute(
                f"{_ARTICLE_SELECT} {where} {'AND' if where else 'WHERE'} a.id >= ? "
                "ORDER BY a.id LIMIT ?",
                (*params, first[0], limit),
            ).fetchall()
        return (count[0] if count else 0), [self._article_out(row, host) for row in rows]

    def create_article(self, body: Any) -> dict[str, Any]:
        fields = validate(ARTICLE_FIELDS, body, partial=False)
        with self._transaction():
            record: dict[str, Any] = {
                "excerpt": None,
                "content": "",
                "content_html": "",
                "collection_id": None,
                "status": "draft",
                **fields,
            }
            self._check_article(record, own_id=None)
            if "slug" not in fields:
                record["slug"] = self._free_slug("articles", slugify(record["title"], "article"))
            if "position" not in fields:
                record["position"] = self._next_position(
                    "articles", "collection_id", record["collection_id"]
                )
            now = self.clock.now()
            record["created_at"] = record["updated_at"] = now
            record["published_at"] = now if record["status"] == "published" else None
            new_id = self._insert("articles", record)
            self._index_article(new_id, record, replace=False)
            return self._article(new_id)

    def update_article(self, article_id: int, body: Any, *, partial: bool) -> dict[str, Any]:
        with self._transaction():
            row = self._one("SELECT * FROM articles WHERE id = ?", (article_id,))
            if row is None:
                raise NotFound(f"article {article_id}")
            fields = validate(ARTICLE_FIELDS, body, partial=partial)
            record = {**dict(row), **fields}
            self._check_article(record, own_id=article_id)
            fields["updated_at"] = self.clock.now()
            if record["status"] == "published" and record["published_at"] is None:
                fields["published_at"] = fields["updated_at"]
            self._update("articles", article_id, fields)
            self._index_article(article_id, record, replace=True)
            return self._article(article_id)

    def delete_article(self, article_id: int) -> None:
        with self._transaction():
            if self._write("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount == 0:
                raise NotFound(f"article {article_id}")
            self._write("DELETE FROM article_search WHERE rowid = ?", (article_id,))

    def search_articles(
        self, text: str, *, status: str = "published", offset: int = 0, limit: int = 100
    ) -> tuple[int, list[dict[str, Any]]]:
        """Articles matching ``text`` best first, each with a ``score`` (higher is better).

        bm25 over title, excerpt and body, weighted so the title counts most; the score is
        bm25 negated, because SQLite's bm25 is "lower is better".
        """
        query = fts_query(text)
        if not query:
            return 0, []
        weights = ", ".join(str(w) for w in _SEARCH_WEIGHTS)
        match = "article_search MATCH ? AND a.status = ?"
        joins = "FROM article_search JOIN articles a ON a.id = article_search.rowid"
        with self._lock:
            host = self.portal_host()
            count = self._one(f"SELECT COUNT(*) {joins} WHERE {match}", (query, status))
            rows = self._conn.execute(
                f"SELECT a.*, c.slug AS collection_slug, -bm25(article_search, {weights}) AS score "
                f"{joins} LEFT JOIN collections c ON c.id = a.collection_id WHERE {match} "
                "ORDER BY score DESC, a.id LIMIT ? OFFSET ?",
                (query, status, limit, offset),
            ).fetchall()
        return (count[0] if count else 0), [self._article_out(row, host) for row in rows]

    def _check_article(self, record: dict[str, Any], own_id: int | None) -> None:
        errors: dict[str, list[str]] = {}
        if "slug" in record:
            slug_errors = self._slug_errors("articles", record["slug"], own_id, "An article")
            if slug_errors:
                errors["slug"] = slug_errors
        collection_id = record["collection_id"]
        if (
            collection_id is not None
            and self._one("SELECT 1 FROM collections WHERE id = ?", (collection_id,)) is None
        ):
            errors["collection_id"] = [f'Invalid pk "{collection_id}" - object does not exist.']
        if errors:
            raise Invalid(errors)

    def _index_article(self, article_id: int, record: Mapping[str, Any], *, replace: bool) -> None:
        if replace:
            self._write("DELETE FROM article_search WHERE rowid = ?", (article_id,))
        self._write(
            "INSERT INTO article_search (rowid, title, excerpt, body) VALUES (?, ?, ?, ?)",
            (
                article_id,
                record["title"],
                record["excerpt"] or "",
                body_text(record["content"], record["content_html"]),
            ),
        )

    # -- tickets ------------------------------------------------------------------------

    def list_tickets(
        self,
        *,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        is_spam: bool = False,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[int, list[dict[str, Any]]]:
        """Seeded tickets newest first; ``[created_after, created_before)``; spam or not."""
        chosen = [
            ticket
            for ticket in self.tickets
            if bool(ticket["is_spam"]) == is_spam
            and (created_after is None or parse_datetime(ticket["created_at"]) >= created_after)
            and (created_before is None or parse_datetime(ticket["created_at"]) < created_before)
        ]
        return len(chosen), chosen[offset : offset + limit]

    # -- shared helpers -----------------------------------------------------------------

    def _insert(self, table: str, record: Mapping[str, Any]) -> int:
        columns = ", ".join(record)
        cursor = self._write(
            f"INSERT INTO {table} ({columns}) VALUES ({_placeholders(len(record))})",
            record.values(),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _update(self, table: str, row_id: int, changes: Mapping[str, Any]) -> None:
        assignments = ", ".join(f"{key} = ?" for key in changes)
        self._write(f"UPDATE {table} SET {assignments} WHERE id = ?", (*changes.values(), row_id))

    def _next_position(self, table: str, column: str, value: int | None) -> int:
        """After the last sibling: one more than the highest position among them, or 0."""
        row = self._one(
            f"SELECT COALESCE(MAX(position) + 1, 0) FROM {table} WHERE {column} IS ?", (value,)
        )
        return int(row[0]) if row else 0

    def _count(self, table: str, column: str, value: int) -> int:
        row = self._one(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (value,))
        return int(row[0]) if row else 0


class _Transaction:
    """Hold the store lock and wrap the block in BEGIN IMMEDIATE / COMMIT (or ROLLBACK)."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            self._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            self._lock.release()


def _ancestry(parents: Mapping[int, int | None], start: int) -> list[int]:
    """``start`` and its ancestors up to the root (guarded against stored cycles)."""
    chain: list[int] = []
    current: int | None = start
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _subtree_height(parents: Mapping[int, int | None], root: int) -> int:
    """Levels in the subtree under ``root``, counting ``root`` itself as 1."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    seen = {root}
    height, frontier = 0, [root]
    while frontier:
        height += 1
        frontier = [c for node in frontier for c in children.get(node, []) if c not in seen]
        seen.update(frontier)
    return height
