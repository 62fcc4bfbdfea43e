"""The plan: plain data, no I/O, no rendering methods.

Build (``plan.diff`` + ``plan.planner``), render (``render.*``) and apply
(``apply.executor``) share only these types, so a saved plan file is exactly what the
executor runs and what the reviewer saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from kbsync.model import RemoteRef

# A link to an article whose public URL is not known when planning (it is created, moved
# or renamed in the same run); the executor replaces it with the real URL once known.
from kbsync.plan.links import LINK_PLACEHOLDER as LINK_PLACEHOLDER

__all__ = ["LINK_PLACEHOLDER", "ON_DELETE", "PLAN_FORMAT_VERSION", "Action", "Change",
           "FieldChange", "Kind", "OnDelete", "Plan", "RemoteRef"]

PLAN_FORMAT_VERSION = 2

Kind = Literal["portal", "collection", "article", "asset"]
#: What apply does to a managed item whose file or folder was deleted (``[apply]
#: on_delete``): delete it in initdesk, unpublish it (articles), or leave it there.
OnDelete = Literal["delete", "draft", "keep"]
ON_DELETE: tuple[OnDelete, ...] = ("delete", "draft", "keep")


class Action(str, Enum):
    """What a change does. The order here is the order a plan is shown and run in."""

    CREATE = "create"
    ADOPT = "adopt"  # exists remotely with this slug, not in the lock yet: take it over
    UPDATE = "update"
    MOVE = "move"  # parent / collection changes (other fields may change too)
    REORDER = "reorder"  # only position changes
    DELETE = "delete"
    CONFLICT = "conflict"  # edited in initdesk since the last sync: left alone
    UNMANAGED = "unmanaged"  # in the Help Center, never in this folder, not pruned
    KEEP = "keep"  # managed, deleted here, left in initdesk (on_delete, or not empty)

    @property
    def writes(self) -> bool:
        return self not in (Action.CONFLICT, Action.UNMANAGED, Action.KEEP)


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Change:
    """One item's change.

    ``key`` is the local path (folder for a collection, ``.md`` file for an article,
    ``portal.yaml`` for the portal, the file for an asset, whose ``slug`` is its
    content-addressed name in the store); for remote-only items it is ``remote:<slug>``.
    ``fields`` holds only what differs (every desired field for a create); references to
    items created in the same run are given by key (``parent_key`` / ``collection_key``)
    and resolved to ids by the executor.
    """

    kind: Kind
    key: str
    action: Action
    slug: str
    title: str
    remote_id: int | None = None
    fields: tuple[FieldChange, ...] = ()
    reason: str = ""
    parent_key: str | None = None  # collection parent, or the article's collection
    previous_parent: str | None = None  # where a move leaves from (display only)
    remote_fingerprint: str | None = None  # what the remote looked like when planned
    local_fingerprint: str | None = None  # the source file's blob id
    link_targets: tuple[str, ...] = ()  # article keys this body links to (for fix-ups)
    renamed_from: str | None = None  # the path it was synced from, for a renamed file
    deleted_here: bool = False  # managed, and its file or folder was deleted here

    def field(self, name: str) -> FieldChange | None:
        return next((f for f in self.fields if f.field == name), None)


@dataclass(frozen=True, slots=True)
class Plan:
    remote: RemoteRef
    changes: tuple[Change, ...] = ()
    version: int = PLAN_FORMAT_VERSION
    options: dict[str, Any] = field(default_factory=dict)  # prune / force / targets
    warnings: tuple[str, ...] = ()
    #: The knowledge base it was made in (absolute): a saved plan applies only there.
    root: str | None = None

    @property
    def writes(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action.writes)

    @property
    def has_changes(self) -> bool:
        return bool(self.writes)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    @property
    def uploads(self) -> int:
        """Files to upload to the asset store (each an ``asset`` create)."""
        return sum(1 for c in self.changes if c.kind == "asset")

    def count_items(self, action: Action) -> int:
        """Changes of ``action`` to the Help Center's items (uploads left out)."""
        return sum(1 for c in self.changes if c.action is action and c.kind != "asset")
