"""What `scim-setup adopt` reads from Graph about a provisioning setup made in the portal.

The shapes are Microsoft Graph v1.0's: `servicePrincipal` (`id`, `appId`, `displayName`,
`appRoles`), `application` (`id`, `appId`), `synchronizationJob` (`id`, `templateId`,
`schedule.state`), `appRoleAssignment` (`id`, `appRoleId`, `principalId`, `principalType`,
`principalDisplayName`, `resourceId`) and the saved provisioning secrets (`{"value": [{key,
value}]}`, sensitive values read back as `*`, as upstream's
`flattenSynchronizationSecretKeyStringValuePair` expects); collections come as `{"value": [...]}`
with an optional `@odata.nextLink` (Graph docs: serviceprincipal-get, serviceprincipal-list,
synchronization-synchronization-list-jobs, serviceprincipal-list-approleassignedto,
synchronization-serviceprincipal-put-synchronization).
`GraphClient` makes the calls; this module only turns the answers into the fields adoption uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ServicePrincipalInfo:
    """An enterprise application: `id` is the object id the portal shows on its Overview page."""

    id: str
    app_id: str
    display_name: str
    app_roles: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SynchronizationJobInfo:
    id: str
    template_id: str
    schedule_state: str
    """Graph's `schedule.state`: Active (running), Disabled or Paused."""


@dataclass(frozen=True)
class AppRoleAssignmentInfo:
    id: str
    app_role_id: str
    principal_id: str
    principal_type: str
    principal_display_name: str


def service_principal_from_json(data: dict[str, Any]) -> ServicePrincipalInfo:
    return ServicePrincipalInfo(
        id=str(data.get("id") or ""),
        app_id=str(data.get("appId") or ""),
        display_name=str(data.get("displayName") or ""),
        app_roles=tuple(role for role in data.get("appRoles") or [] if isinstance(role, dict)),
    )


def job_from_json(data: dict[str, Any]) -> SynchronizationJobInfo:
    schedule = data.get("schedule") or {}
    return SynchronizationJobInfo(
        id=str(data.get("id") or ""),
        template_id=str(data.get("templateId") or ""),
        schedule_state=str(schedule.get("state") or "Disabled"),
    )


def assignment_from_json(data: dict[str, Any]) -> AppRoleAssignmentInfo:
    return AppRoleAssignmentInfo(
        id=str(data.get("id") or ""),
        app_role_id=str(data.get("appRoleId") or ""),
        principal_id=str(data.get("principalId") or ""),
        principal_type=str(data.get("principalType") or ""),
        principal_display_name=str(data.get("principalDisplayName") or ""),
    )


def secrets_from_json(data: dict[str, Any]) -> dict[str, str]:
    pairs = data.get("value") or []
    return {
        str(pair.get("key")): str(pair.get("value") or "")
        for pair in pairs
        if isinstance(pair, dict) and pair.get("key")
    }


def odata_string(value: str) -> str:
    """`value` as an OData string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"
