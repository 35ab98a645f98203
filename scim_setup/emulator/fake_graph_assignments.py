"""The fake Graph's app role assignments: who is assigned to an enterprise app.

Graph calls answered, as Microsoft Graph v1.0 documents them and pulumi-azuread's
`app_role_assignment_resource.go` calls them:

- `POST /servicePrincipals/{id}/appRoleAssignedTo` `{"principalId", "resourceId", "appRoleId"}`
  (serviceprincipal-post-approleassignedto): 201 with the appRoleAssignment. The app role must be
  one of the app's enabled roles, or Default Access (all zeros) for an app without roles. The same
  principal, role and app again is Graph's 400 "Permission being assigned already exists for the
  object." (what a create-before-delete replacement of the assignment runs into).
- `GET …/appRoleAssignedTo` (serviceprincipal-list-approleassignedto), `GET …/appRoleAssignedTo/
  {assignmentId}` (upstream's `appRoleAssignmentResourceRead`), `DELETE` (serviceprincipal-
  delete-approleassignedto, 204).

Object ids come back as lower-case GUIDs whatever case was sent, as Graph writes them. The
principal is a user or group of the fake directory (`fake_graph_directory`); an id it does not
hold is taken as a group of that id, since tests name groups they never define (Graph would
answer 404 for an object that does not exist).

Test-control routes:

- `POST /_fake/appRoleAssignments` `{"resourceId", "principalId", "principalType",
  "principalDisplayName", "appRoleId"}`: assign a user or group; answers the assignment with its
  new `id`.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator.clock import utc_now
from scim_setup.emulator.fake_graph_state import FakeGraphState, graph_error, not_found, refused

DEFAULT_ACCESS_ROLE_ID = "00000000-0000-0000-0000-000000000000"


def assignment_json(
    resource: dict[str, Any],
    principal_id: str,
    principal_type: str,
    principal_name: str,
    app_role_id: str,
) -> dict[str, Any]:
    """A new appRoleAssignment as Graph returns it (its id: 43 URL-safe characters)."""
    return {
        "id": secrets.token_urlsafe(32)[:43],
        "deletedDateTime": None,
        "appRoleId": app_role_id.lower(),
        "createdDateTime": utc_now(),
        "principalDisplayName": principal_name,
        "principalId": principal_id.lower(),
        "principalType": principal_type,
        "resourceDisplayName": resource["displayName"],
        "resourceId": resource["id"],
    }


def add_assignment_routes(app: FastAPI, state: FakeGraphState) -> None:
    def resource_of(sp_id: str) -> dict[str, Any] | None:
        with state.lock:
            found = state.service_principals.get(sp_id.lower())
        return found if found and state.clock() >= found.get("visibleAt", 0.0) else None

    def principal(principal_id: str) -> tuple[str, str]:
        """(principalType, displayName) of a directory object."""
        with state.lock:
            user = state.users.get(principal_id)
            group = state.groups.get(principal_id)
        if user is not None:
            return "User", str(user.get("displayName") or user.get("userPrincipalName"))
        if group is not None:
            return "Group", str(group.get("displayName") or principal_id)
        return "Group", f"Group {principal_id[:8]}"

    @app.post("/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo")
    async def create_assignment(sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        resource = resource_of(sp_id)
        if resource is None:
            return not_found(sp_id)
        body = await request.json()
        given = body if isinstance(body, dict) else {}
        fields = {k: str(given[k]) for k in _REQUIRED if isinstance(given.get(k), str) and given[k]}
        if len(fields) < len(_REQUIRED):
            return graph_error(
                400, "Request_BadRequest", "principalId, resourceId and appRoleId are required."
            )
        if fields["resourceId"].lower() != resource["id"]:
            return graph_error(400, "Request_BadRequest", "Not a valid reference update.")
        role_id = fields["appRoleId"].lower()
        roles = [r for r in resource.get("appRoles") or [] if r.get("isEnabled", True)]
        if role_id not in {str(r["id"]).lower() for r in roles} and not (
            role_id == DEFAULT_ACCESS_ROLE_ID and not roles
        ):
            return graph_error(
                400,
                "Request_BadRequest",
                f"Permission being assigned was not found on application '{resource['appId']}'.",
            )
        principal_id = fields["principalId"].lower()
        principal_type, principal_name = principal(principal_id)
        with state.lock:
            existing = state.assignments.setdefault(resource["id"], [])
            if any(
                a["principalId"] == principal_id and a["appRoleId"] == role_id for a in existing
            ):
                return graph_error(
                    400,
                    "Request_BadRequest",
                    "Permission being assigned already exists for the object.",
                )
            assignment = assignment_json(
                resource, principal_id, principal_type, principal_name, role_id
            )
            existing.append(assignment)
        return JSONResponse(assignment, 201)

    @app.get("/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo")
    async def list_assignments(sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        if resource_of(sp_id) is None:
            return not_found(sp_id)
        with state.lock:
            items = list(state.assignments.get(sp_id.lower(), []))
        return JSONResponse({"value": items})

    def find(sp_id: str, assignment_id: str) -> dict[str, Any] | None:
        with state.lock:
            items = state.assignments.get(sp_id.lower(), [])
            return next((a for a in items if a["id"] == assignment_id), None)

    @app.get("/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo/{assignment_id}")
    async def get_assignment(sp_id: str, assignment_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        found = find(sp_id, assignment_id)
        return not_found(assignment_id) if found is None else JSONResponse(found)

    @app.delete("/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo/{assignment_id}")
    async def delete_assignment(sp_id: str, assignment_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        found = find(sp_id, assignment_id)
        if found is None:
            return not_found(assignment_id)
        with state.lock:
            state.assignments[sp_id.lower()].remove(found)
        return Response(status_code=204)

    @app.post("/_fake/appRoleAssignments")
    async def post_assignment(request: Request) -> JSONResponse:
        body = await request.json()
        resource_id = str(body["resourceId"]).lower()
        with state.lock:
            resource = state.service_principals.get(resource_id)
            if resource is None:
                return not_found(body["resourceId"])
            assignment = assignment_json(
                resource,
                str(body["principalId"]),
                body.get("principalType", "Group"),
                body.get("principalDisplayName", ""),
                str(body["appRoleId"]),
            )
            state.assignments.setdefault(resource_id, []).append(assignment)
        return JSONResponse(assignment, 201)


_REQUIRED = ("principalId", "resourceId", "appRoleId")
