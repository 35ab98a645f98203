"""What a setup made by hand consists of, and the stack config that takes it over unchanged.

The Dashboard's settings and active token come from its admin API; with an `entra:application`
in the stack config, the enterprise app, its registration, its synchronization job, its group
assignments and its saved provisioning secrets come from Graph (the credentials the azuread
provider uses). `adoption_config` turns that into stack config: the same account size, the job
and assignments as `entra:import` ids, the assigned groups, whether the job runs, and the scope,
tenant URL flag and notification settings Entra keeps, so the first `pulumi up` changes nothing.

What the stack cannot take over is refused before anything is written, in one line, rather than
in the import (`scim_setup.cli.adoption_limits`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from components.entra_import import assignment_import_id, job_import_id
from components.entra_values import normalised_guid
from components.provisioning_credentials import saved_scope
from providers.dashboard.client import DashboardClient, ScimSettingsState, TokenInfo
from providers.dashboard.token_adoption import active_token_info
from providers.graph.client import GraphClient, GraphError
from providers.graph.discovery import (
    AppRoleAssignmentInfo,
    ServicePrincipalInfo,
    SynchronizationJobInfo,
)
from scim_setup.cli.adoption_limits import (
    AdoptionError,
    refuse_other_roles,
    refuse_unsent_keys,
    scim_job,
)

APPLICATION_KEY = "entra:application"


@dataclass(frozen=True)
class EntraFound:
    service_principal: ServicePrincipalInfo
    application_object_id: str | None
    job: SynchronizationJobInfo | None
    groups: list[AppRoleAssignmentInfo] = field(default_factory=list)
    users: int = 0
    """Users assigned directly: they stay assigned, but the stack does not manage them."""
    secrets: dict[str, str] = field(default_factory=dict)
    """The saved provisioning secrets by key, the token masked as `*`."""


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
    """The app's provisioning setup; `AdoptionError` for what the stack cannot import."""
    try:
        sp = graph.service_principal(**lookup)
        jobs = graph.synchronization_jobs(sp.id)
        assignments = graph.app_role_assignments(sp.id)
        application_id = graph.application_object_id(sp.app_id)
        secrets = graph.synchronization_secrets(sp.id)
    except GraphError as error:
        raise AdoptionError(str(error)) from None
    job = scim_job(jobs)
    groups = [a for a in assignments if a.principal_type == "Group"]
    refuse_other_roles(sp, groups)
    refuse_unsent_keys(sp.id, secrets)
    return EntraFound(
        service_principal=sp,
        application_object_id=application_id,
        job=job,
        groups=groups,
        users=sum(a.principal_type == "User" for a in assignments),
        secrets=secrets,
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
        group = normalised_guid(assignment.principal_id)
        key = f'entra:import.groupAssignments["{group}"]'
        values[key] = assignment_import_id(normalised_guid(sp_id), assignment.id)
        if group not in groups:
            groups.append(group)
    values.update({f"entra:assignedGroups[{i}]": group for i, group in enumerate(groups)})
    values.update(_scope_config(entra.secrets))
    return values


def _scope_config(secrets: Mapping[str, str]) -> dict[str, str]:
    """What Entra uses from the saved keys, so the first `up` sends the same (nothing when the
    app has no saved secrets). `entra:import.syncAll` is the scope a changed `entra:syncAll`
    switches from on that first `up` (`providers.graph.job_control.scope_changed`)."""
    if not secrets:
        return {}
    scope = saved_scope(dict(secrets))
    values = {
        "entra:syncAll": str(scope.sync_all).lower(),
        "entra:import.syncAll": str(scope.sync_all).lower(),
        "entra:compliantPatch": str(scope.compliant_patch).lower(),
    }
    if scope.notification_email is not None:
        values["entra:notificationEmail"] = scope.notification_email
    if scope.delete_threshold is not None:
        values["entra:deleteThreshold"] = str(scope.delete_threshold)
    return values


def adoption_warnings(found: Discovery) -> list[str]:
    """What the first `up` changes in Entra although the config matches what exists."""
    entra = found.entra
    if entra is None or not entra.secrets:
        return []
    scope = saved_scope(dict(entra.secrets))
    warnings = []
    if scope.tenant_url is not None and not _same_url(scope.tenant_url, found.settings.tenant_url):
        warnings.append(
            f"Entra's saved tenant URL {scope.tenant_url} is not the Dashboard's "
            f"({found.settings.tenant_url}); the first `pulumi up` saves the Dashboard's"
        )
    if scope.unkept_recipients is not None:
        warnings.append(
            f"the saved failure-notice recipients {scope.unkept_recipients!r} are not one e-mail "
            "address, which entra:notificationEmail needs; the first `pulumi up` turns the "
            "notices off unless you set `pulumi config set entra:notificationEmail <address>`"
        )
    return warnings


def _same_url(a: str, b: str) -> bool:
    """Equal but for the case of scheme and host and a trailing slash."""
    return _url_key(a) == _url_key(b)


def _url_key(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url.rstrip("/"))
    return parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query


def _listed_groups(config: Mapping[str, str]) -> list[str]:
    try:
        groups: Any = json.loads(config.get("entra:assignedGroups") or "[]")
    except json.JSONDecodeError:
        return []
    return [normalised_guid(str(g)) for g in groups] if isinstance(groups, list) else []
