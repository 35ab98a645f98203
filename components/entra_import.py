"""Taking over Entra objects made by hand (`entra:import`) instead of creating duplicates.

A setup made in the portal already has a synchronization job and group assignments. Declaring them
again would create a second job and fail on the assignments (Graph answers 400 "Permission being
assigned already exists"), so they are imported with Pulumi's `import` resource option: the first
`up` shows them as imports; the config stays, because it also says what `pulumi destroy` leaves in
Entra (docs/adoption.md). The synchronization secret is not imported: pulumi-azuread has an
importer for it, but Graph reads the token back masked, so imported state could never hold it. It
is written with the adopted token and the same tenant URL, which changes nothing Entra uses.

The ids are the ones pulumi-azuread documents for `pulumi import` (pulumi_azuread 6.11
`synchronization_job.py` and `app_role_assignment.py`, from terraform-provider-azuread's
importers): `/servicePrincipals/{servicePrincipalId}/synchronization/jobs/{jobId}` and
`/servicePrincipals/{resourcePrincipalId}/appRoleAssignedTo/{appRoleAssignmentId}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from components.entra_values import GUID_PATTERN, normalised_guid

JOB_IMPORT_ID = re.compile(rf"^/servicePrincipals/({GUID_PATTERN})/synchronization/jobs/[^/\s]+$")
ASSIGNMENT_IMPORT_ID = re.compile(
    rf"^/servicePrincipals/({GUID_PATTERN})/appRoleAssignedTo/[^/\s]+$"
)


@dataclass(frozen=True)
class EntraImports:
    """Existing Entra objects to import: the job, and each group's assignment by group id."""

    synchronization_job: str | None = None
    group_assignments: Mapping[str, str] = field(default_factory=dict)
    sync_all: bool | None = None
    """`SyncAll` as Entra held it when adopted: the scope the first `up` switches from."""

    def assignment_for(self, group_id: object) -> str | None:
        if not isinstance(group_id, str):
            return None
        return self.group_assignments.get(normalised_guid(group_id))

    def normalised(self) -> EntraImports:
        """Every GUID in lower case, as Graph answers and the provider stores them."""
        job = self.synchronization_job
        return replace(
            self,
            synchronization_job=None if job is None else normalised_import_id(job),
            group_assignments={
                normalised_guid(group): normalised_import_id(value)
                for group, value in self.group_assignments.items()
            },
        )


def normalised_import_id(value: str) -> str:
    """The import id with its service principal's GUID in lower case (the rest kept as is)."""
    match = JOB_IMPORT_ID.match(value) or ASSIGNMENT_IMPORT_ID.match(value)
    if match is None:
        return value
    start, end = match.span(1)
    return value[:start] + match.group(1).lower() + value[end:]


def job_import_id(service_principal_id: str, job_id: str) -> str:
    return f"/servicePrincipals/{service_principal_id}/synchronization/jobs/{job_id}"


def assignment_import_id(service_principal_id: str, assignment_id: str) -> str:
    return f"/servicePrincipals/{service_principal_id}/appRoleAssignedTo/{assignment_id}"


def job_import_id_problem(value: str) -> str | None:
    if JOB_IMPORT_ID.match(value):
        return None
    return (
        f"{value!r} is not a synchronization job id; expected "
        "/servicePrincipals/{servicePrincipalObjectId}/synchronization/jobs/{jobId}"
    )


def assignment_import_id_problem(value: str) -> str | None:
    if ASSIGNMENT_IMPORT_ID.match(value):
        return None
    return (
        f"{value!r} is not an app role assignment id; expected "
        "/servicePrincipals/{servicePrincipalObjectId}/appRoleAssignedTo/{assignmentId}"
    )


def service_principals_of(imports: EntraImports) -> set[str]:
    """The service principal object ids the import ids name (lower case); one when consistent."""
    ids = [imports.synchronization_job, *imports.group_assignments.values()]
    found = set()
    for value in ids:
        match = value and (JOB_IMPORT_ID.match(value) or ASSIGNMENT_IMPORT_ID.match(value))
        if match:
            found.add(match.group(1).lower())
    return found
