"""The Microsoft Graph permissions of everything this package does, stated once.

`REQUIRED` is what the identity running `pulumi up` needs (application permissions, with admin
consent): the azuread resources the Entra step declares and the package's own Graph calls.
`CALLS` lists each call, who makes it, and the least privileged application permission Microsoft
Graph's reference page for it names (learn.microsoft.com/graph/api/<page>); every one is covered
by a permission in `REQUIRED`. docs/permissions.md is this table (a test keeps them equal), and
the 403 advice of the Graph client names `REQUIRED`.

National clouds: each Graph reference page has a table of the national clouds that offer the API.
The China cloud (operated by 21Vianet) lacks `validateCredentials` (its page marks China ❌) and
`start`, so the package skips those two calls there with a warning (`unavailable`) instead of
failing on them.
"""

from __future__ import annotations

from dataclasses import dataclass

REQUIRED = (
    "Application.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    "Synchronization.ReadWrite.All",
    "User.Read.All",
)
"""Every permission `pulumi up`, `scim-setup adopt` and `scim-setup provision-on-demand` need."""

READ_ONLY = ("Application.Read.All", "Synchronization.Read.All")
"""Enough for `scim-setup adopt` alone (it only reads) and for previews of pull requests."""


@dataclass(frozen=True)
class GraphCall:
    """One Graph call: who makes it, the least privileged permission, the page that says so."""

    call: str
    made_by: str
    least_privileged: str
    covered_by: str
    page: str


CALLS = (
    GraphCall(
        "POST /applicationTemplates/{id}/instantiate",
        "azuread.ApplicationFromTemplate",
        "Application.ReadWrite.OwnedBy",
        "Application.ReadWrite.All",
        "applicationtemplate-instantiate",
    ),
    GraphCall(
        "GET /servicePrincipals, GET /applications",
        "azuread get_service_principal / get_application, scim-setup adopt",
        "Application.Read.All",
        "Application.ReadWrite.All",
        "serviceprincipal-list",
    ),
    GraphCall(
        "PUT /servicePrincipals/{id}/synchronization/secrets",
        "azuread.SynchronizationSecret, ProvisioningJobControl (rewrite-credentials)",
        "Application.ReadWrite.OwnedBy",
        "Synchronization.ReadWrite.All",
        "synchronization-serviceprincipal-put-synchronization",
    ),
    GraphCall(
        "POST, GET, DELETE …/synchronization/jobs",
        "azuread.SynchronizationJob, scim-setup adopt (list)",
        "Application.ReadWrite.OwnedBy",
        "Synchronization.ReadWrite.All",
        "synchronization-synchronization-post-jobs",
    ),
    GraphCall(
        "POST /servicePrincipals/{id}/appRoleAssignedTo",
        "azuread.AppRoleAssignment",
        "AppRoleAssignment.ReadWrite.All and Application.Read.All",
        "AppRoleAssignment.ReadWrite.All, Application.ReadWrite.All",
        "serviceprincipal-post-approleassignedto",
    ),
    GraphCall(
        "GET /servicePrincipals/{id}/appRoleAssignedTo",
        "scim-setup adopt",
        "Application.Read.All",
        "Application.ReadWrite.All",
        "serviceprincipal-list-approleassignedto",
    ),
    GraphCall(
        "GET …/jobs/{id}",
        "ProvisioningJobStatus, ProvisioningJobControl",
        "Application.ReadWrite.OwnedBy",
        "Synchronization.ReadWrite.All",
        "synchronization-synchronizationjob-get",
    ),
    GraphCall(
        "POST …/jobs/{id}/validateCredentials",
        "EntraConnectionTest, ProvisioningJobControl",
        "Application.ReadWrite.OwnedBy",
        "Synchronization.ReadWrite.All",
        "synchronization-synchronizationjob-validatecredentials",
    ),
    GraphCall(
        "POST …/jobs/{id}/start, …/pause, …/restart",
        "azuread.SynchronizationJob (start, pause), ProvisioningJobControl",
        "Application.ReadWrite.OwnedBy",
        "Synchronization.ReadWrite.All",
        "synchronization-synchronizationjob-start",
    ),
    GraphCall(
        "GET, PUT, DELETE …/jobs/{id}/schema, POST …/schema/parseExpression",
        "AttributeMappings, scim-setup provision-on-demand",
        "Application.ReadWrite.OwnedBy",
        "Synchronization.ReadWrite.All",
        "synchronization-synchronizationschema-update",
    ),
    GraphCall(
        "POST …/jobs/{id}/provisionOnDemand",
        "scim-setup provision-on-demand",
        "Application.ReadWrite.OwnedBy",
        "Synchronization.ReadWrite.All",
        "synchronization-synchronizationjob-provisionondemand",
    ),
    GraphCall(
        "GET /users/{id or userPrincipalName}",
        "scim-setup provision-on-demand --user <UPN>",
        "User.Read.All",
        "User.Read.All",
        "user-get",
    ),
)

CHINA = "china"
UNAVAILABLE = {CHINA: frozenset({"validateCredentials", "start"})}
"""Cloud (`azuread:environment`) → the Graph calls it does not offer."""


def unavailable(environment: str, call: str) -> str | None:
    """Why `call` is skipped in this cloud (a warning's text), or None where Graph offers it."""
    if call not in UNAVAILABLE.get(environment, frozenset()):
        return None
    return (
        f"Microsoft Graph in the {environment} cloud has no synchronizationJob {call}; "
        f"scim-setup skipped it (see docs/permissions.md). Check the job in the Entra admin center"
    )


def missing_permissions_advice() -> str:
    """What the 403 of any Graph call asks the operator to do."""
    return (
        f"the identity lacks Graph permissions; grant {', '.join(REQUIRED)} with admin consent "
        "(docs/permissions.md)"
    )
