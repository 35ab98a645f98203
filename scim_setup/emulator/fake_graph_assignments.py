"""The fake Graph's app role assignments: who is assigned to an enterprise app.

- `GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo` (serviceprincipal-list-approleassignedto).

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
from scim_setup.emulator.fake_graph_state import FakeGraphState, not_found, refused


def add_assignment_routes(app: FastAPI, state: FakeGraphState) -> None:
    @app.get("/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo")
    async def list_assignments(sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        with state.lock:
            if sp_id.lower() not in state.service_principals:
                return not_found(sp_id)
            items = list(state.assignments.get(sp_id.lower(), []))
        return JSONResponse({"value": items})

    @app.post("/_fake/appRoleAssignments")
    async def post_assignment(request: Request) -> JSONResponse:
        body = await request.json()
        resource_id = str(body["resourceId"]).lower()
        with state.lock:
            resource = state.service_principals.get(resource_id)
            if resource is None:
                return not_found(body["resourceId"])
            assignment: dict[str, Any] = {
                "id": secrets.token_urlsafe(32)[:43],
                "deletedDateTime": None,
                "appRoleId": str(body["appRoleId"]).lower(),
                "createdDateTime": utc_now(),
                "principalDisplayName": body.get("principalDisplayName", ""),
                "principalId": str(body["principalId"]).lower(),
                "principalType": body.get("principalType", "Group"),
                "resourceDisplayName": resource["displayName"],
                "resourceId": resource_id,
            }
            state.assignments.setdefault(resource_id, []).append(assignment)
        return JSONResponse(assignment, 201)
