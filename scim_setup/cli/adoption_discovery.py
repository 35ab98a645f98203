"""What a setup made by hand consists of, and the stack config that takes it over unchanged.

The Dashboard's settings and active token come from its admin API; with an `entra:application`
in the stack config, the enterprise app, its registration, its synchronization job and its group
assignments come from Graph (the credentials the azuread provider uses). `adoption_config` turns
that into stack config: the same account size, the job and assignments as `entra:import` ids,
the assigned groups, and whether the job runs, so the first `pulumi up` changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.entra_import import assignment_import_id, job_import_id
from providers.dashboard.client import DashboardClient, ScimSettingsState, TokenInfo
from providers.dashboard.token_adoption import active_token_info
from providers.graph.client import GraphClient, GraphError
from providers.graph.discovery import (
    AppRoleAssignmentInfo,
    ServicePrincipalInfo,
    SynchronizationJobInfo,
)

SCIM_TEMPLATE_ID = "scim"
APPLICATION_KEY = "entra:application"


class AdoptionError(Exception):
    """Nothing can be adopted as things are; the message is one line naming the fix."""


@dataclass(frozen=True)
class EntraFound:
    service_principal: ServicePrincipalInfo
    application_object_id: str | None
    job: SynchronizationJobInfo | None
    groups: list[AppRoleAssignmentInfo] = field(default_factory=list)
    users: int = 0
    """Users assigned directly: they stay assigned, but the stack does not manage them."""


@dataclass(frozen=True)
class Discovery:
    settings: ScimSettingsState
    token: TokenInfo
    entra: EntraFound | None


def discover_dashboard(
    client: DashboardClient, saved_token: str
) -> tuple[ScimSettingsState, TokenInfo]:
    """The settings, and the active token once `saved_token` is proven to be it."""
    settings = client.get_settings()
    if settings.token is None:
        raise AdoptionError(
            "the Dashboard has no active SCIM token, so there is nothing to adopt; run "
            "`pulumi up` to generate one"
        )
    return settings, active_token_info(settings, saved_token)


def application_lookup(config: Mapping[str, str]) -> dict[str, str] | None:
    """The stack's `entra:application` as Graph lookup arguments; None without Entra."""
    raw = config.get(APPLICATION_KEY)
    if raw is None:
        return None
    try:
        app = json.loads(raw)
    except json.JSONDecodeError:
        app = None
    names = {
        "objectId": "object_id",
        "clientId": "client_id",
        "existingDisplayName": "display_name",
    }
    lookup = {names[k]: str(v) for k, v in (app or {}).items() if k in names and v}
    if len(lookup) != 1:
        raise AdoptionError(
            f"{APPLICATION_KEY} must name the existing enterprise app to adopt: set exactly one "
            f"of objectId, clientId or existingDisplayName (`pulumi config set --path "
            f"{APPLICATION_KEY}.objectId <object id>`)"
        )
    return lookup


def discover_entra(graph: GraphClient, lookup: Mapping[str, str]) -> EntraFound:
    try:
        sp = graph.service_principal(**lookup)
        jobs = graph.synchronization_jobs(sp.id)
        assignments = graph.app_role_assignments(sp.id)
        application_id = graph.application_object_id(sp.app_id)
    except GraphError as error:
        raise AdoptionError(str(error)) from None
    scim_jobs = [job for job in jobs if job.template_id == SCIM_TEMPLATE_ID] or jobs
    return EntraFound(
        service_principal=sp,
        application_object_id=application_id,
        job=scim_jobs[0] if scim_jobs else None,
        groups=[a for a in assignments if a.principal_type == "Group"],
        users=sum(a.principal_type == "User" for a in assignments),
    )


def adoption_config(found: Discovery, config: Mapping[str, str]) -> dict[str, str]:
    """Plain stack config (`pulumi config set --path` keys) that matches what exists."""
    values = {"scim:accountSizeGb": str(found.settings.account_size_gb)}
    entra = found.entra
    if entra is None:
        return values
    sp_id = entra.service_principal.id
    if entra.job is not None:
        values["entra:import.synchronizationJob"] = job_import_id(sp_id, entra.job.id)
        values["entra:startProvisioning"] = str(entra.job.schedule_state == "Active").lower()
    groups = _listed_groups(config)
    for assignment in entra.groups:
        key = f'entra:import.groupAssignments["{assignment.principal_id}"]'
        values[key] = assignment_import_id(sp_id, assignment.id)
        if assignment.principal_id not in groups:
            groups.append(assignment.principal_id)
    values.update({f"entra:assignedGroups[{i}]": group for i, group in enumerate(groups)})
    return values


def _listed_groups(config: Mapping[str, str]) -> list[str]:
    try:
        groups: Any = json.loads(config.get("entra:assignedGroups") or "[]")
    except json.JSONDecodeError:
        return []
    return [str(g) for g in groups] if isinstance(groups, list) else []
