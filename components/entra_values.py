"""The values the Entra step takes from a person: object ids, e-mail addresses, URLs.

One place for their checks, shared by the components' arguments and the stack config schema, so
both accept and refuse the same values. Pure functions: importing this loads no Azure SDK.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

GUID_PATTERN = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
"""An Entra object id or client id, in any case (Graph itself answers in lower case)."""

_GUID = re.compile(rf"^{GUID_PATTERN}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_guid(value: str) -> bool:
    """Entra object ids and client ids are GUIDs; anything else is a typo or a display name."""
    return bool(_GUID.match(value))


def normalised_guid(value: str) -> str:
    """A GUID as Graph answers it (lower case, no spaces); anything else unchanged.

    The provider stores the ids Graph returns, and the assignment's ids force replacement: an id
    typed in upper case would plan a replace on every `up` (whose create-before-delete Graph
    refuses with 400 "Permission being assigned already exists"). Every id from config or
    arguments passes here before it reaches a resource.
    """
    stripped = value.strip()
    return stripped.lower() if is_guid(stripped) else value


def is_email_address(value: object) -> bool:
    """One address like ops@example.com: what Entra accepts as the failure-notice recipient."""
    return isinstance(value, str) and _EMAIL.match(value) is not None


def is_web_url(value: str) -> bool:
    """An http(s) URL with a host, as Entra needs a tenant URL to be."""
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)
