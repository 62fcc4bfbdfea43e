"""portal.yaml -> the portal settings kbsync manages (only the keys the file sets).

Keys the file leaves out are not managed: a team can own the colour in git and leave the
name to the web UI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kbsync.config import PORTAL_FILE
from kbsync.local.frontmatter import describe_decode_error, load_mapping
from kbsync.local.reading import not_a_file, read_capped
from kbsync.problems import Problem
from kbsync.schema import check
from kbsync.schema.portal import PortalFile, unknown

__all__ = ["MAX_PORTAL_BYTES", "read_portal"]

#: portal.yaml holds a handful of settings; a bigger file is not read.
MAX_PORTAL_BYTES = 1 << 20


def read_portal(root: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The desired settings, or None when there is no portal.yaml; problems with lines.

    Read with the same bounded YAML loader as front matter (no alias bombs, one problem
    per impossible date), and never more than ``MAX_PORTAL_BYTES``.
    """
    path = root / PORTAL_FILE
    special = not_a_file(root, PORTAL_FILE)
    if special is not None:
        return None, [Problem(PORTAL_FILE, f"{special}: not read",
                              hint="portal settings live in a regular file; replace it or "
                                   "delete it", identity=True)]  # pull would write there
    if not path.is_file():
        return None, []
    try:
        raw = read_capped(path, MAX_PORTAL_BYTES)
        if raw is None:
            return None, [Problem(PORTAL_FILE, f"is larger than {MAX_PORTAL_BYTES:,} bytes: "
                                  "not read", hint="it holds a few settings only")]
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        return None, [Problem(PORTAL_FILE, f"cannot read: {exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        return None, [Problem(PORTAL_FILE, f"cannot read: {describe_decode_error(exc)}",
                              hint="save the file as UTF-8")]
    meta = load_mapping(text, PORTAL_FILE, first_line=1, entries="setting: value",
                        identity=False)
    if not meta.readable:
        return None, list(meta.problems)
    portal, problems = check(PortalFile, meta.data, path=PORTAL_FILE,
                             line_of=lambda loc: meta.lines.get(loc[0]), unknown=unknown)
    return portal.settings(), sorted([*meta.problems, *problems],
                                     key=lambda p: (p.line or 0, p.key or ""))
