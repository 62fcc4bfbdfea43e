"""The domain model: frozen types shared by every layer, and nothing that does I/O.

``remote`` is what the Help Center holds, ``local`` what the files say, ``state`` the
two states a plan compares, ``lockstate`` what was last synced. Import from here.
"""

from kbsync.model.assets import ASSET_FIELDS, LocalAsset
from kbsync.model.local import LocalArticle, LocalCollection
from kbsync.model.lockstate import LOCK_VERSION, Lock, LockEntry, PortalEntry, Section
from kbsync.model.remote import (
    ARTICLE_FIELDS,
    COLLECTION_FIELDS,
    PORTAL_FIELDS,
    STATUSES,
    ArticleFields,
    CollectionFields,
    Organization,
    Portal,
    PortalSettings,
    RemoteArticle,
    RemoteCollection,
    SearchHit,
    Status,
    Ticket,
)
from kbsync.model.state import ActualState, DesiredState, RemoteRef, RenderedBody

__all__ = [
    "ARTICLE_FIELDS",
    "ASSET_FIELDS",
    "COLLECTION_FIELDS",
    "LOCK_VERSION",
    "PORTAL_FIELDS",
    "STATUSES",
    "ActualState",
    "ArticleFields",
    "CollectionFields",
    "DesiredState",
    "LocalArticle",
    "LocalAsset",
    "LocalCollection",
    "Lock",
    "LockEntry",
    "Organization",
    "Portal",
    "PortalEntry",
    "PortalSettings",
    "RemoteArticle",
    "RemoteCollection",
    "RemoteRef",
    "RenderedBody",
    "SearchHit",
    "Section",
    "Status",
    "Ticket",
]
