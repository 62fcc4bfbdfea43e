"""Pull's decision for the portal settings: ``portal.yaml`` written, merged or left alone.

The file is written when it is missing (``init``, or pull once it is managed), and
merged when initdesk's settings changed since the last sync; the lock keeps the remote
fingerprint. There is no recorded base: a file with uncommitted edits is a conflict, a
committed one is the base. No writes here.
"""

from __future__ import annotations

from kbsync.config import PORTAL_FILE
from kbsync.fingerprint import fields_fingerprint
from kbsync.model import PortalEntry
from kbsync.pull.decision import ACTIONS, FileChange, Pass, PullResult, Source
from kbsync.pull.writer import portal_text

__all__ = ["decide_portal"]


def decide_portal(p: Pass, result: PullResult) -> None:
    portal = p.actual.portal
    assert portal is not None
    raw = p.read(PORTAL_FILE)
    fingerprint = fields_fingerprint(portal.settings)
    entry = PortalEntry(fingerprint, portal.updated_at)
    if raw is None:
        data = portal_text(portal.settings).encode("utf-8")
        result.changes.append(FileChange("new", PORTAL_FILE, data, kind="portal"))
    elif p.lock.portal is None or p.lock.portal.remote != fingerprint:
        current = Source.decode(raw)
        if current is None:
            result.warnings.append(f"{PORTAL_FILE}: not UTF-8 text; left alone")
            return
        theirs = portal_text(portal.settings, current.text)
        dirty = PORTAL_FILE in p.dirty
        outcome = p.three_way(PORTAL_FILE, None if dirty else current.text, current.text,
                              theirs, dirty, result)
        if outcome is None:
            return
        if outcome[0] != current.text:
            result.changes.append(FileChange(ACTIONS[outcome[1]], PORTAL_FILE,
                                             current.encode(outcome[0]), kind="portal"))
    else:
        return
    p.later(lambda: setattr(p.lock, "portal", entry))
