"""`azuread:index/appRoleAssignment:AppRoleAssignment`, as terraform-provider-azuread's
`internal/services/approleassignments/app_role_assignment_resource.go` does it.

All three inputs (`appRoleId`, `principalObjectId`, `resourceObjectId`, UUIDs) force replacement,
compared exactly: Read stores the ids as Graph writes them (lower case). There is no update.
Creating an assignment that exists fails with Graph's 400. Timeouts: 5 minutes each. The id, also
the import id, is `/servicePrincipals/{resourceObjectId}/appRoleAssignedTo/{assignmentId}`.
"""

from __future__ import annotations

from providers.graph.client import GraphError
from scim_setup.emulator.azuread.errors import ProviderError
from scim_setup.emulator.azuread.graph import was_not_found
from scim_setup.emulator.azuread.ids import AssignmentId
from scim_setup.emulator.azuread.resource import Input, Resource, must_be_uuid
from scim_setup.emulator.azuread.wire import Properties


def replication_retry(error: GraphError) -> bool:
    """The create's `RetryFunc`: 404, or 400 "Not a valid reference update" (a principal or app
    Graph has not replicated yet)."""
    if error.status == 404:
        return True
    return error.status == 400 and "not a valid reference update" in str(error).lower()


class AppRoleAssignment(Resource):
    token = "azuread:index/appRoleAssignment:AppRoleAssignment"
    inputs = (
        Input("appRoleId", required=True, force_new=True, validate=must_be_uuid),
        Input("principalObjectId", required=True, force_new=True, validate=must_be_uuid),
        Input("resourceObjectId", required=True, force_new=True, validate=must_be_uuid),
    )

    def create(self, inputs: Properties, deadline: float) -> tuple[str, Properties]:
        """`appRoleAssignmentResourceCreate`: the resource's service principal must exist; POST
        the assignment (retrying replication lag), then read it."""
        resource_id = str(inputs["resourceObjectId"])
        try:
            self.graph.call("GET", f"/servicePrincipals/{resource_id}")
        except GraphError as error:
            if was_not_found(error):
                raise ProviderError(
                    "principal_object_id: Service principal not found for resource "
                    f"(Object ID: {resource_id!r}): {error}"
                ) from None
            raise ProviderError(
                f"Could not retrieve service principal for resource (Object ID: {resource_id!r})"
                f": {error}"
            ) from None
        body = {
            "appRoleId": inputs["appRoleId"],
            "principalId": inputs["principalObjectId"],
            "resourceId": resource_id,
        }
        try:
            created = self.graph.call(
                "POST",
                f"/servicePrincipals/{resource_id}/appRoleAssignedTo",
                body,
                retry_if=replication_retry,
                deadline=deadline,
            )
        except GraphError as error:
            raise ProviderError(f"Could not create app role assignment: {error}") from None
        if not created.get("id"):
            raise ProviderError("Bad API response: the ID returned for app role assignment is nil")
        if not created.get("resourceId"):
            raise ProviderError(
                "Bad API response: resource ID returned for app role assignment is nil"
            )
        assignment = AssignmentId(str(created["resourceId"]), str(created["id"]))
        found = self.read(str(assignment), {})
        if found is None:
            raise ProviderError(f"retrieving {assignment}: not found right after creation")
        return found

    def read(self, resource_id: str, state: Properties) -> tuple[str, Properties] | None:
        """`appRoleAssignmentResourceRead`: 404 means gone; every property as Graph has it."""
        assignment = AssignmentId.parse(resource_id)
        path = f"/servicePrincipals/{assignment.resource_id}/appRoleAssignedTo/"
        try:
            found = self.graph.call("GET", path + assignment.assignment_id)
        except GraphError as error:
            if was_not_found(error):
                return None
            raise ProviderError(f"retrieving {assignment}: {error}") from None
        outputs = {
            "id": str(assignment),
            "appRoleId": found.get("appRoleId") or "",
            "principalDisplayName": found.get("principalDisplayName") or "",
            "principalObjectId": found.get("principalId") or "",
            "principalType": found.get("principalType") or "",
            "resourceDisplayName": found.get("resourceDisplayName") or "",
            "resourceObjectId": found.get("resourceId") or "",
        }
        return str(assignment), outputs

    def delete(self, resource_id: str, state: Properties, deadline: float) -> None:
        """`appRoleAssignmentResourceDelete`: DELETE, no wait."""
        assignment = AssignmentId.parse(resource_id)
        path = f"/servicePrincipals/{assignment.resource_id}/appRoleAssignedTo/"
        try:
            self.graph.call("DELETE", path + assignment.assignment_id)
        except GraphError as error:
            raise ProviderError(f"id: Deleting {assignment}: {error}") from None
