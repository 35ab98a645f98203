"""Resource ids and import ids, parsed as upstream parses them.

go-azure-sdk's typed Graph ids (`common-types/stable/id_serviceprincipal*.go`) and
`internal/services/applications/parse/from_template.go` both use go-azure-helpers'
`resourceids.Parser.Parse(input, false)`: a leading `/` is optional, the fixed segments must match
exactly (case-sensitive), every variable segment must be non-empty, and nothing may follow. The
same formats are what `pulumi import` accepts (upstream's importers validate with these parsers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scim_setup.emulator.azuread.errors import ProviderError

_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

SERVICE_PRINCIPAL = ("servicePrincipals", "{servicePrincipalId}")
SYNCHRONIZATION_JOB = (*SERVICE_PRINCIPAL, "synchronization", "jobs", "{synchronizationJobId}")
APP_ROLE_ASSIGNED_TO = (*SERVICE_PRINCIPAL, "appRoleAssignedTo", "{appRoleAssignmentId}")
FROM_TEMPLATE = (
    "applicationTemplates",
    "{templateId}",
    "instantiate",
    "{applicationId}",
    "{servicePrincipalId}",
)


class InvalidId(ProviderError):
    pass


def parse(value: str, segments: tuple[str, ...]) -> dict[str, str]:
    """The variable segments of `value` by name, or `InvalidId` naming the expected format."""
    expected = "/" + "/".join(segments)
    if not value:
        raise InvalidId(f"parsing {value!r}: cannot parse an empty string (expected {expected})")
    parts = value.removeprefix("/").split("/")
    if len(parts) != len(segments):
        raise InvalidId(
            f"parsing {value!r}: the number of segments didn't match (expected {expected})"
        )
    parsed: dict[str, str] = {}
    for part, segment in zip(parts, segments, strict=True):
        if segment.startswith("{"):
            if not part:
                raise InvalidId(f"parsing {value!r}: {segment} is empty (expected {expected})")
            parsed[segment.strip("{}")] = part
        elif part != segment:
            raise InvalidId(
                f"parsing {value!r}: parsing segment {segment!r}: expected {segment!r} "
                f"but got {part!r} (expected {expected})"
            )
    return parsed


def service_principal_id(value: str) -> str:
    """The object id in `/servicePrincipals/{id}` (`stable.ParseServicePrincipalID`)."""
    return parse(value, SERVICE_PRINCIPAL)["servicePrincipalId"]


@dataclass(frozen=True)
class JobId:
    service_principal_id: str
    job_id: str

    @classmethod
    def parse(cls, value: str) -> JobId:
        """`stable.ParseServicePrincipalIdSynchronizationJobID`."""
        found = parse(value, SYNCHRONIZATION_JOB)
        return cls(found["servicePrincipalId"], found["synchronizationJobId"])

    def __str__(self) -> str:
        return f"/servicePrincipals/{self.service_principal_id}/synchronization/jobs/{self.job_id}"


@dataclass(frozen=True)
class AssignmentId:
    resource_id: str
    assignment_id: str

    @classmethod
    def parse(cls, value: str) -> AssignmentId:
        """`stable.ParseServicePrincipalIdAppRoleAssignedToID`."""
        found = parse(value, APP_ROLE_ASSIGNED_TO)
        return cls(found["servicePrincipalId"], found["appRoleAssignmentId"])

    def __str__(self) -> str:
        return f"/servicePrincipals/{self.resource_id}/appRoleAssignedTo/{self.assignment_id}"


@dataclass(frozen=True)
class FromTemplateId:
    template_id: str
    application_id: str
    service_principal_id: str

    @classmethod
    def parse(cls, value: str) -> FromTemplateId:
        """`parse.ParseFromTemplateID`; the importer also wants the three parts to be UUIDs
        (`ValidateFromTemplateID`)."""
        found = parse(value, FROM_TEMPLATE)
        parsed = cls(found["templateId"], found["applicationId"], found["servicePrincipalId"])
        for part in (parsed.template_id, parsed.application_id, parsed.service_principal_id):
            if not is_uuid(part):
                raise InvalidId(f"parsing {value!r}: {part!r} is not a valid UUID")
        return parsed

    def __str__(self) -> str:
        return (
            f"/applicationTemplates/{self.template_id}/instantiate/"
            f"{self.application_id}/{self.service_principal_id}"
        )


def is_uuid(value: object) -> bool:
    """`validation.IsUUID` (hashicorp/go-uuid's format, any case)."""
    return isinstance(value, str) and bool(_UUID.match(value))
