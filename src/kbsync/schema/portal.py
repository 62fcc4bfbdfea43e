"""``portal.yaml``: the portal settings a team keeps in git (only the keys it sets).

The limits are the contract's portal table. A key the file leaves out is not managed:
a team can own the colour in git and leave the name to the web UI.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from kbsync.model import PORTAL_FIELDS
from kbsync.problems import shown
from kbsync.schema.base import fail

__all__ = ["PortalFile", "unknown"]

_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_LIMITS = {"name": 255, "custom_domain": 255, "meta_description": 500}


def _string(value: Any, info: ValidationInfo) -> str | None:
    key = str(info.field_name)
    if value is None:
        if key == "name":
            raise fail("must not be empty")
        return None
    if not isinstance(value, str):
        raise fail(f"must be a string, got {shown(value)}")
    if len(value) > _LIMITS[key]:
        raise fail(f"is {len(value)} characters long; the limit is {_LIMITS[key]}")
    if key == "name" and not value.strip():
        raise fail("must not be empty")
    if key == "custom_domain" and ("/" in value or ":" in value):
        raise fail("must be a host name only", "e.g. help.example.com, no scheme or path")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise fail(f"must be true or false, got {shown(value)}")
    return value


class PortalFile(BaseModel):
    """Every key is optional; ``model_fields_set`` says which ones the file manages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    custom_domain: str | None = None
    meta_description: str | None = None
    allow_robots: bool | None = None
    primary_color: str | None = None
    is_active: bool | None = None
    enable_ticket_creation_form: bool | None = None

    _strings = field_validator("name", "custom_domain", "meta_description",
                               mode="before")(_string)
    _flags = field_validator("allow_robots", "is_active", "enable_ticket_creation_form",
                             mode="before")(_flag)

    @field_validator("primary_color", mode="before")
    @classmethod
    def _color(cls, value: Any) -> str:
        if not isinstance(value, str) or not _COLOR.match(value):
            raise fail(f'must be a colour like "#0E7C66", got {shown(value)}')
        return value

    def settings(self) -> dict[str, Any]:
        """The settings the file sets, by name (a nullable one may be set to None)."""
        return {key: getattr(self, key) for key in PORTAL_FIELDS if key in self.model_fields_set}


def unknown(loc: tuple[str, ...]) -> tuple[str, str | None]:
    return "unknown portal setting", "known: " + ", ".join(PORTAL_FIELDS)
