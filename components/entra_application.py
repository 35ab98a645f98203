"""The enterprise application that receives the provisioning configuration, created or found.

A `NewApplication` is created from the non-gallery template; an `ExistingApplication` is only
ever read through a data source, never adopted as a resource, so `pulumi destroy` leaves it in
place. The choice and its checks are `components.entra_application_args`. `pulumi_azuread` is
imported where the app is created or looked up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.entra_application_args import (
    ApplicationChoice,
    ExistingApplication,
    NewApplication,
    application_problems,
)
from components.entra_values import is_guid
from providers.graph.service_principal_ready import (
    ServicePrincipalReady,
    ServicePrincipalReadyArgs,
)

__all__ = [
    "DEFAULT_ACCESS_ROLE_ID",
    "NON_GALLERY_TEMPLATE_ID",
    "USER_ROLE_NAME",
    "ApplicationChoice",
    "ExistingApplication",
    "NewApplication",
    "ResolvedApplication",
    "application_problems",
    "group_assignment_role_id",
    "is_guid",
    "resolve_application",
]

NON_GALLERY_TEMPLATE_ID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
"""Graph application template "custom application": the portal's "Create your own application"
(non-gallery). Source: Microsoft Graph docs, instantiate applicationTemplate."""

DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"
"""Graph's role id for "assigned, no specific role"; valid only for apps that declare no roles."""

USER_ROLE_NAME = "User"


@dataclass(frozen=True)
class ResolvedApplication:
    """The ids provisioning needs, however the app was obtained."""

    client_id: pulumi.Output[str]
    service_principal_object_id: pulumi.Output[str]
    application_object_id: pulumi.Output[str | None]
    app_roles: pulumi.Output[Sequence[Mapping[str, Any]]]


def resolve_application(
    name: str, application: ApplicationChoice, parent: pulumi.Resource
) -> ResolvedApplication:
    """Create the new app, or look the existing one up; return the ids either way."""
    if isinstance(application, NewApplication):
        return _create(name, application, parent)
    return _look_up(application, parent)


def _create(name: str, app: NewApplication, parent: pulumi.Resource) -> ResolvedApplication:
    import pulumi_azuread as azuread

    created = azuread.ApplicationFromTemplate(
        f"{name}-app",
        display_name=app.display_name,
        template_id=NON_GALLERY_TEMPLATE_ID,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    # The template resource reports object ids only; the client id and the app roles come from
    # the registration, which the provider waits for before it reports the create as done.
    registration = azuread.get_application_output(
        object_id=created.application_object_id,
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    # The provider waits for the application, not for its service principal, which the secret,
    # the job and the assignments read first: Graph may answer 404 for it a while longer.
    ready = ServicePrincipalReady(
        f"{name}-service-principal-ready",
        ServicePrincipalReadyArgs(service_principal_id=created.service_principal_object_id),
        pulumi.ResourceOptions(parent=parent),
    )
    return ResolvedApplication(
        client_id=registration.client_id,
        service_principal_object_id=ready.service_principal_id,
        application_object_id=created.application_object_id,
        app_roles=registration.app_roles,
    )


def _look_up(app: ExistingApplication, parent: pulumi.Resource) -> ResolvedApplication:
    import pulumi_azuread as azuread

    found = azuread.get_service_principal_output(
        client_id=app.client_id,
        object_id=app.object_id,
        display_name=app.display_name,
        opts=pulumi.InvokeOutputOptions(parent=parent),
    )
    return ResolvedApplication(
        client_id=found.client_id,
        service_principal_object_id=found.object_id,
        application_object_id=pulumi.Output.from_input(None),
        app_roles=found.app_roles,
    )


def group_assignment_role_id(app_roles: Sequence[Mapping[str, Any]]) -> str:
    """The app role a provisioning group is assigned with.

    The app's enabled `User` role when it has one: apps made from the non-gallery template declare
    `User` and `msiam_access` (both with a null value, so they are missing from the provider's
    `app_role_ids`), and Microsoft's Graph walkthrough for such an app assigns `User` as "the
    default app role of the app"; it is also what the portal assigns. An app without any roles
    gets Default Access, the only id Graph accepts then. An app with roles but none named
    `User` is refused rather than guessed at.
    """
    for role in app_roles:
        if _is_user_role(role):
            return str(role["id"])
    if not app_roles:
        return DEFAULT_ACCESS_ROLE_ID
    names = ", ".join(sorted(str(r.get("display_name")) for r in app_roles))
    raise ValueError(
        f"The application declares app roles ({names}) but no enabled '{USER_ROLE_NAME}' role "
        "that groups can hold; add one, or leave assigned_group_ids empty and assign groups "
        "in the portal."
    )


def _is_user_role(role: Mapping[str, Any]) -> bool:
    named_user = USER_ROLE_NAME in (role.get("value"), role.get("display_name"))
    for_users = USER_ROLE_NAME in (role.get("allowed_member_types") or [])
    return named_user and for_users and bool(role.get("enabled"))
