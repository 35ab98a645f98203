"""What a setup made by hand consists of, and the stack config that takes it over unchanged.

The Dashboard's settings and active token come from its admin API; with an `entra:application`
in the stack config, the enterprise app, its registration, its synchronization job, its group
assignments and its saved provisioning secrets come from Graph (the credentials the azuread
provider uses). `adoption_config` turns that into stack config: the same account size, the job
and assignments as `entra:import` ids, the assigned groups, whether the job runs, and the scope,
tenant URL flag and notification settings Entra keeps, so the first `pulumi up` changes nothing.

What the stack cannot take over is refused here, in one line, rather than in the import: a job
whose template is not `scim`, a group assigned another app role than the one the component
assigns, and saved secret keys the component does not send.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from components.entra_application import (
    DEFAULT_ACCESS_ROLE_ID,
    group_assignment_role_id,
)
from components.entra_import import assignment_import_id, job_import_id
from components.entra_values import normalised_guid
from components.provisioning_credentials import (
    SECRET_KEYS,
    saved_scope,
)
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


def scim_job(jobs: list[SynchronizationJobInfo]) -> SynchronizationJobInfo | None:
    """The app's `scim` job; a job of another template cannot be imported.

    pulumi-azuread's `template_id` forces replacement (`synchronization_job_resource.go`), and
    the component declares `scim`: importing a `customappsso` (legacy) or gallery job fails.
    """
    scim = [job for job in jobs if job.template_id == SCIM_TEMPLATE_ID]
    if scim or not jobs:
        return scim[0] if scim else None
    job = jobs[0]
    raise AdoptionError(
        f"the app's provisioning job {job.id} uses template {job.template_id!r}, not "
        f"{SCIM_TEMPLATE_ID!r}, and scim-setup manages only non-gallery SCIM jobs (the template "
        "forces a replacement); provision from a new app instead: `pulumi config set --path "
        "entra:application.displayName <name>` (then assign its groups and run `pulumi up`)"
    )


def refuse_other_roles(sp: ServicePrincipalInfo, groups: list[AppRoleAssignmentInfo]) -> None:
    """Every group must hold the role the component assigns (`group_assignment_role_id`).

    pulumi-azuread's `app_role_id` forces replacement (`app_role_assignment_resource.go`), and
    the replacement's create fails with Graph's 400 "Permission being assigned already exists".
    """
    if not groups:
        return
    roles = [_provider_role(role) for role in sp.app_roles]
    try:
        declared = group_assignment_role_id(roles)
    except ValueError:
        names = ", ".join(sorted(str(r["display_name"]) for r in roles))
        raise AdoptionError(
            f"the app declares app roles ({names}) but no enabled 'User' role for users, the "
            "role scim-setup assigns groups with; add one in the app registration's App roles, "
            "then run adopt again"
        ) from None
    others = [g for g in groups if g.app_role_id.lower() != declared.lower()]
    if others:
        names = {str(r["id"]).lower(): str(r["display_name"]) for r in roles}
        group = others[0]
        held = names.get(group.app_role_id.lower(), _role_name(group.app_role_id))
        wanted = names.get(declared.lower(), _role_name(declared))
        raise AdoptionError(
            f"group {group.principal_display_name or group.principal_id} ({group.principal_id})"
            f"{f' and {len(others) - 1} more' if len(others) > 1 else ''} hold the app role "
            f"{held!r}, not {wanted!r}, the role scim-setup assigns (the import would replace the "
            f"assignment); in the portal's Users and groups, edit each one's role to {wanted!r}, "
            "then run adopt again"
        )


def refuse_unsent_keys(service_principal_id: str, secrets: Mapping[str, str]) -> None:
    """Graph merges keys on PUT, and pulumi-azuread waits until it lists as many as were sent
    (`synchronizationSecretResourceCreate`): a saved key the stack does not send never goes away,
    and every `up` that writes the secret would time out."""
    unsent = sorted(set(secrets) - set(SECRET_KEYS))
    if unsent:
        raise AdoptionError(
            f"the app's saved provisioning secrets hold {', '.join(unsent)}, which scim-setup "
            f"does not send (only {', '.join(SECRET_KEYS)}), so pulumi-azuread's secret would "
            "wait for Graph until it times out; remove them first (Graph drops a key saved with "
            "an empty value: PUT /servicePrincipals/"
            f'{service_principal_id}/synchronization/secrets {{"value": [{{"key": '
            f'"{unsent[0]}", "value": ""}}]}}), then run adopt again'
        )


def _provider_role(role: Mapping[str, Any]) -> dict[str, Any]:
    """A Graph `appRole` in the shape pulumi-azuread reports it (`app_roles` of the data source)."""
    return {
        "id": str(role.get("id") or ""),
        "display_name": role.get("displayName"),
        "value": role.get("value"),
        "allowed_member_types": list(role.get("allowedMemberTypes") or []),
        "enabled": bool(role.get("isEnabled")),
    }


def _role_name(role_id: str) -> str:
    return "Default Access" if role_id == DEFAULT_ACCESS_ROLE_ID else role_id


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
