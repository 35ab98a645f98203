"""What the Dashboard's SCIM endpoint declares in `GET /Schemas` (RFC 7644 §4, RFC 7643 §7), and
whether an Entra mapping target names one of those attributes.

Entra reads `/Schemas` too when a provisioning configuration is saved. A target is written as
Entra's customappsso attribute list writes it: `userName`, `name.givenName`,
`emails[type eq "work"].value`, or an extension attribute under its schema URN
(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`). The token goes in a
header only and never appears in a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from providers.dashboard.client import RETRIES, DashboardError
from providers.http_transport import (
    REAL_CLOCK,
    SCIM_ENDPOINT,
    Clock,
    FailedStatus,
    HttpTransport,
    Malformed,
    NoAnswer,
    Unreadable,
    json_body,
    retried,
)

if TYPE_CHECKING:
    import requests

CORE_USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
_VALUE_FILTER = re.compile(r"\[[^\]]*\]")
COMMON_ATTRIBUTES = frozenset({"externalid"})
"""RFC 7643 §3.1: every resource has `externalId`, though no schema lists it."""


class SchemasUnavailable(DashboardError):
    """`/Schemas` could not be read; the message says what was called and what to do."""


@dataclass(frozen=True)
class DeclaredAttributes:
    """Schema URN (lower case) → attribute name (lower case) → its sub-attribute names."""

    schemas: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)
    spelled: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Schema URN (lower case) → its attribute names as the endpoint spells them."""

    def target_problem(self, target: str) -> str | None:
        """Why `target` is no attribute the endpoint declares, or None."""
        urn, path = _split(target)
        attributes = self.schemas.get(urn.lower())
        if attributes is None:
            known = ", ".join(sorted(self.schemas)) or "none"
            return f"{target!r}: the Dashboard declares no schema {urn} (it declares {known})"
        name, _, sub = _VALUE_FILTER.sub("", path).partition(".")
        if urn.lower() == CORE_USER_URN.lower() and not sub and name.lower() in COMMON_ATTRIBUTES:
            return None
        subs = attributes.get(name.lower())
        if subs is None:
            return (
                f"{target!r} is not an attribute the Dashboard's SCIM endpoint declares in "
                f"/Schemas; use one of {', '.join(self.spelled.get(urn.lower(), ()))}"
            )
        if sub and sub.lower() not in subs:
            known = ", ".join(sorted(subs))
            return f"{target!r}: {name} has no sub-attribute {sub!r} (it has {known})"
        return None


def read_declared_attributes(
    tenant_url: str, token: str, verify: bool | str = True, clock: Clock = REAL_CLOCK
) -> DeclaredAttributes:
    """`GET {tenant_url}/Schemas` with the SCIM token; a read, so retried like the admin API's."""
    url = f"{tenant_url.split('?', 1)[0].rstrip('/')}/Schemas"
    transport = HttpTransport(SCIM_ENDPOINT, clock=clock, secrets=[token])
    try:
        return transport.exchange(
            "GET",
            url,
            _declared_attributes_in,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/scim+json"},
            retry=RETRIES,
            verify=verify,
        )
    except NoAnswer as failure:
        raise SchemasUnavailable(
            f"GET {url} failed ({failure.what}{retried(failure.retries)}); check that the "
            "Dashboard is up"
        ) from None
    except FailedStatus as failure:
        raise SchemasUnavailable(
            f"GET {url} returned {failure.status}{retried(failure.retries)}; the attribute "
            "mappings are checked against it. Run `pulumi refresh` if the SCIM token was changed "
            "outside Pulumi"
        ) from None
    except Unreadable:
        raise SchemasUnavailable(
            f"GET {url} did not answer a SCIM ListResponse of schemas"
        ) from None
    finally:
        transport.close()


def _declared_attributes_in(response: requests.Response) -> DeclaredAttributes:
    if response.status_code != 200:
        raise Malformed(f"status {response.status_code}, not 200")
    try:
        return declared_attributes(json_body(response, empty={}))
    except (AttributeError, TypeError, KeyError):
        raise Malformed("no SCIM ListResponse of schemas") from None


def declared_attributes(list_response: Mapping[str, Any]) -> DeclaredAttributes:
    """The attributes of every schema in a `/Schemas` ListResponse."""
    schemas: dict[str, dict[str, frozenset[str]]] = {}
    spelled: dict[str, tuple[str, ...]] = {}
    for schema in list_response.get("Resources") or []:
        spelled[str(schema["id"]).lower()] = tuple(
            str(a["name"]) for a in schema.get("attributes") or []
        )
        attributes = {
            str(a["name"]).lower(): frozenset(
                str(s["name"]).lower() for s in a.get("subAttributes") or []
            )
            for a in schema.get("attributes") or []
        }
        schemas[str(schema["id"]).lower()] = attributes
    return DeclaredAttributes(schemas, spelled)


def _split(target: str) -> tuple[str, str]:
    """(schema URN, attribute path): a target without a URN belongs to the core User schema."""
    if target.lower().startswith("urn:"):
        urn, _, name = target.rpartition(":")
        return urn, name
    return CORE_USER_URN, target
