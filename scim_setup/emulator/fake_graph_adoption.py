"""The fake Graph's reads for `scim-setup adopt`: enterprise apps, their jobs and assignments.

Shapes as Microsoft Graph v1.0 documents them (serviceprincipal-get, serviceprincipal-list with
`$filter=appId eq '…'` or `displayName eq '…'`, application-list, synchronization-synchronization-
list-jobs, serviceprincipal-list-approleassignedto): collections are `{"value": [...]}`, an
unknown object is 404 `Request_ResourceNotFound`, a filter this fake does not understand is 400.
Jobs are the fake's own (`PUT /_fake/jobs`), listed per service principal.

Test-control routes:

- `PUT /_fake/servicePrincipals` `{"id", "appId", "displayName", "applicationId", "appRoles"}`:
  create or change an enterprise app (and its app registration, `applicationId`, when given).
- `POST /_fake/appRoleAssignments` `{"resourceId", "principalId", "principalType",
  "principalDisplayName", "appRoleId"}`: assign a user or group; answers the assignment with its
  new `id`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator.clock import utc_now

if TYPE_CHECKING:
    from scim_setup.emulator.fake_graph import FakeGraphState

_FILTER = re.compile(r"^(appId|displayName) eq '((?:[^']|'')*)'$")


@dataclass
class AdoptionGraph:
    """Enterprise apps by object id, and app role assignments by resource (app) object id."""

    service_principals: dict[str, dict[str, Any]] = field(default_factory=dict)
    assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def add_adoption_routes(app: FastAPI, state: FakeGraphState) -> None:
    from scim_setup.emulator.fake_graph import graph_error, job_json

    graph = state.adoption

    def refused(request: Request) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer ") and header[7:] in state.issued_tokens:
            return None
        return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")

    def not_found(object_id: str) -> JSONResponse:
        return graph_error(
            404,
            "Request_ResourceNotFound",
            f"Resource '{object_id}' does not exist or one of its queried reference-property "
            "objects are not present.",
        )

    def filtered(request: Request, items: list[dict[str, Any]]) -> Response:
        match = _FILTER.match(request.query_params.get("$filter", ""))
        if match is None:
            return graph_error(400, "Request_UnsupportedQuery", "Unsupported query.")
        key, value = match.group(1), match.group(2).replace("''", "'")
        return JSONResponse({"value": [item for item in items if item.get(key) == value]})

    @app.get("/v1.0/servicePrincipals")
    async def list_service_principals(request: Request) -> Response:
        with state.lock:
            items = list(graph.service_principals.values())
        return refused(request) or filtered(request, [_public(sp) for sp in items])

    @app.get("/v1.0/servicePrincipals/{sp_id}")
    async def get_service_principal(sp_id: str, request: Request) -> Response:
        if error := refused(request):
            return error
        with state.lock:
            found = graph.service_principals.get(sp_id)
        return not_found(sp_id) if found is None else JSONResponse(_public(found))

    @app.get("/v1.0/applications")
    async def list_applications(request: Request) -> Response:
        with state.lock:
            apps = [
                {"id": sp["applicationId"], "appId": sp["appId"], "displayName": sp["displayName"]}
                for sp in graph.service_principals.values()
                if sp.get("applicationId")
            ]
        return refused(request) or filtered(request, apps)

    @app.get("/v1.0/servicePrincipals/{sp_id}/synchronization/jobs")
    async def list_jobs(sp_id: str, request: Request) -> Response:
        if error := refused(request):
            return error
        with state.lock:
            jobs = [job_json(j, job) for (sp, j), job in state.jobs.items() if sp == sp_id]
        return JSONResponse({"value": jobs})

    @app.get("/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo")
    async def list_assignments(sp_id: str, request: Request) -> Response:
        if error := refused(request):
            return error
        with state.lock:
            if sp_id not in graph.service_principals:
                return not_found(sp_id)
            items = list(graph.assignments.get(sp_id, []))
        return JSONResponse({"value": items})

    @app.put("/_fake/servicePrincipals")
    async def put_service_principal(request: Request) -> JSONResponse:
        body = await request.json()
        with state.lock:
            graph.service_principals[body["id"]] = dict(body)
        return JSONResponse(_public(body))

    @app.post("/_fake/appRoleAssignments")
    async def post_assignment(request: Request) -> JSONResponse:
        body = await request.json()
        with state.lock:
            resource = graph.service_principals.get(body["resourceId"])
            if resource is None:
                return not_found(body["resourceId"])
            assignment = {
                "id": secrets.token_urlsafe(32)[:43],
                "deletedDateTime": None,
                "appRoleId": body["appRoleId"],
                "createdDateTime": utc_now(),
                "principalDisplayName": body.get("principalDisplayName", ""),
                "principalId": body["principalId"],
                "principalType": body.get("principalType", "Group"),
                "resourceDisplayName": resource["displayName"],
                "resourceId": body["resourceId"],
            }
            graph.assignments.setdefault(body["resourceId"], []).append(assignment)
        return JSONResponse(assignment, 201)


def _public(sp: dict[str, Any]) -> dict[str, Any]:
    """A servicePrincipal as Graph returns it (the fake's own `applicationId` left out)."""
    return {
        "id": sp["id"],
        "appId": sp["appId"],
        "displayName": sp["displayName"],
        "appRoles": sp.get("appRoles") or [],
        "servicePrincipalType": "Application",
    }
