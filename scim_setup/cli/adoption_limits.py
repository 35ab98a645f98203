"""What `scim-setup adopt` cannot take over, refused before any config is written.

Each would otherwise fail in the first `pulumi up`, after the config is written: pulumi-azuread's
inputs that force replacement (`template_id` of the job, `app_role_id` of an assignment) cannot
be imported with other values, and a saved secret key the stack does not send makes the secret's
count-based wait time out. Every refusal is one line naming the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.entra_application import DEFAULT_ACCESS_ROLE_ID, group_assignment_role_id
from components.entra_provisioning import SCIM_JOB_TEMPLATE_ID
from components.provisioning_credentials import SECRET_KEYS
from providers.graph.discovery import (
    AppRoleAssignmentInfo,
    ServicePrincipalInfo,
    SynchronizationJobInfo,
)


class AdoptionError(Exception):
    """Nothing can be adopted as things are; the message is one line naming the fix."""


def scim_job(jobs: list[SynchronizationJobInfo]) -> SynchronizationJobInfo | None:
    """The app's `scim` job; a job of another template cannot be imported.

    pulumi-azuread's `template_id` forces replacement (`synchronization_job_resource.go`), and
    the component declares `scim`: importing a `customappsso` (legacy) or gallery job fails.
    """
    scim = [job for job in jobs if job.template_id == SCIM_JOB_TEMPLATE_ID]
    if scim or not jobs:
        return scim[0] if scim else None
    job = jobs[0]
    raise AdoptionError(
        f"the app's provisioning job {job.id} uses template {job.template_id!r}, not "
        f"{SCIM_JOB_TEMPLATE_ID!r}, and scim-setup manages only non-gallery SCIM jobs (the "
        "template forces a replacement); provision from a new app instead: `pulumi config set "
        "--path entra:application.displayName <name>` (then assign its groups and run `pulumi up`)"
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
