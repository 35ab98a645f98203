"""The fake Graph's app registrations and enterprise apps (service principals).

Graph calls answered, in the shapes Microsoft Graph v1.0 documents (learn.microsoft.com
graph/api/...); collections are `{"value": [...]}`, an unknown object is 404
`Request_ResourceNotFound`, a `$filter` this fake does not understand is 400:

- `POST /applicationTemplates/{id}/instantiate` `{"displayName"}` (applicationtemplate-instantiate):
  201 with the new `{"application", "servicePrincipal"}` (applicationServicePrincipal). The
  non-gallery template (8adf8e6e-67b2-4cf2-a259-e3dc5476c621, and its US government and China
  twins) gives an app with the roles a non-gallery app has: `User` and `msiam_access`. The new
  service principal answers 404 for `replication_lag` seconds, as Graph's replication lag does
  (terraform-provider-azuread's ApplicationFromTemplateResource waits for the application only).
- `GET /applications/{id}` (application-get), `PATCH` (application-update: `displayName`, 204),
  `DELETE` (application-delete, 204: the app's service principal goes with it, as deleting a
  registration in its home tenant does), `GET /applications?$filter=appId eq '…'` or
  `displayName eq '…'` (application-list, as the upstream `application_data_source.go` asks),
  `GET /applications/{id}/owners` (application-list-owners: none here).
- `GET /servicePrincipals/{id}` (serviceprincipal-get), `DELETE` (serviceprincipal-delete, 204,
  with its jobs, secrets and assignments), `GET /servicePrincipals?$filter=…` (serviceprincipal-
  list, as `service_principal_data_source.go` asks).
- `GET /beta/applications/{id}` and `GET /beta/servicePrincipals/{id}`: the data sources read
  `oauth2RequirePostResponse` and `samlMetadataUrl` from beta; answered with the v1.0 object
  plus those properties.

Ids are lower-case GUIDs as Graph writes them; an upper-case id in a path finds the same object.

Test-control routes:

- `PUT /_fake/servicePrincipals` `{"id", "appId", "displayName", "applicationId", "appRoles"}`:
  create or change an enterprise app (and its app registration, `applicationId`, when given).
- `PUT /_fake/replicationLag` `{"seconds"}`: how long a new service principal answers 404
  (default `DEFAULT_REPLICATION_LAG_SECONDS`; the process option `--replication-lag` too).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator.clock import utc_now
from scim_setup.emulator.fake_graph_state import (
    FakeGraphState,
    graph_error,
    new_id,
    not_found,
    refused,
)

_FILTER = re.compile(r"^(appId|displayName) eq '((?:[^']|'')*)'$")

NON_GALLERY_TEMPLATE_IDS = frozenset(
    {
        "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
        "4602d0b4-76bb-404b-bca9-2652e1a39c6d",
        "5a532e38-1581-4918-9658-008dc27c1d68",
    }
)
"""applicationtemplate-instantiate: the non-gallery template in the global service, US
government and China clouds."""

USER_ROLE_ID = "18d14569-c3bd-439b-9a66-3a2aee01d14f"
"""The `User` role of a non-gallery app, as Microsoft's SAML SSO walkthrough with Graph
(application-saml-sso-configure-api) shows it and assigns it."""


def service_principal_json(sp: dict[str, Any]) -> dict[str, Any]:
    """A servicePrincipal as Graph returns it (the fake's own keys left out)."""
    return {
        "id": sp["id"],
        "accountEnabled": True,
        "appId": sp["appId"],
        "appDisplayName": sp["displayName"],
        "appOwnerOrganizationId": sp.get("appOwnerOrganizationId"),
        "appRoleAssignmentRequired": bool(sp.get("appRoleAssignmentRequired", True)),
        "appRoles": sp.get("appRoles") or [],
        "displayName": sp["displayName"],
        "oauth2PermissionScopes": [],
        "preferredSingleSignOnMode": None,
        "replyUrls": [],
        "servicePrincipalNames": [sp["appId"]],
        "servicePrincipalType": "Application",
        "signInAudience": "AzureADMyOrg",
        "tags": sp.get("tags") or [],
    }


def application_json(app: dict[str, Any]) -> dict[str, Any]:
    """An application as Graph returns it (the properties a non-gallery app has set)."""
    return {
        "id": app["id"],
        "appId": app["appId"],
        "displayName": app["displayName"],
        "appRoles": app.get("appRoles") or [],
        "createdDateTime": app.get("createdDateTime"),
        "deletedDateTime": None,
        "identifierUris": [],
        "signInAudience": "AzureADMyOrg",
        "tags": app.get("tags") or [],
        "api": {"oauth2PermissionScopes": [], "preAuthorizedApplications": []},
        "web": {"redirectUris": [], "implicitGrantSettings": {}},
        "requiredResourceAccess": [],
    }


def non_gallery_roles() -> list[dict[str, Any]]:
    """The app roles Graph gives an app made from the non-gallery template (null `value`)."""

    def role(role_id: str, name: str) -> dict[str, Any]:
        return {
            "allowedMemberTypes": ["User"],
            "description": name,
            "displayName": name,
            "id": role_id,
            "isEnabled": True,
            "origin": "Application",
            "value": None,
        }

    return [role(USER_ROLE_ID, "User"), role(new_id(), "msiam_access")]


def filtered(request: Request, items: list[dict[str, Any]]) -> Response:
    """The items matching the request's `$filter` (`appId` or `displayName` eq), as a list."""
    match = _FILTER.match(request.query_params.get("$filter", ""))
    if match is None:
        return graph_error(400, "Request_UnsupportedQuery", "Unsupported query.")
    key, value = match.group(1), match.group(2).replace("''", "'")
    return JSONResponse({"value": [item for item in items if item.get(key) == value]})


def delete_service_principal(state: FakeGraphState, sp_id: str) -> None:
    """Remove the service principal with everything hanging off it (caller holds the lock)."""
    state.service_principals.pop(sp_id, None)
    state.assignments.pop(sp_id, None)
    state.secrets.pop(sp_id, None)
    for key in [k for k in state.jobs if k[0] == sp_id]:
        del state.jobs[key]
        state.schemas.pop(key, None)


def add_application_routes(app: FastAPI, state: FakeGraphState) -> None:
    def visible(sp: dict[str, Any] | None) -> bool:
        return sp is not None and state.clock() >= sp.get("visibleAt", 0.0)

    def find_service_principal(sp_id: str) -> dict[str, Any] | None:
        with state.lock:
            found = state.service_principals.get(sp_id.lower())
        return found if visible(found) else None

    def find_application(app_id: str) -> dict[str, Any] | None:
        with state.lock:
            return state.applications.get(app_id.lower())

    @app.post("/v1.0/applicationTemplates/{template_id}/instantiate")
    async def instantiate(template_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        if template_id.lower() not in NON_GALLERY_TEMPLATE_IDS:
            return not_found(template_id)
        body = await request.json()
        name = body.get("displayName") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return graph_error(400, "Request_BadRequest", "displayName is required.")
        roles = non_gallery_roles()
        created = utc_now()
        application = {
            "id": new_id(),
            "appId": new_id(),
            "displayName": name,
            "appRoles": roles,
            "createdDateTime": created,
            "tags": [],
        }
        sp = {
            "id": new_id(),
            "appId": application["appId"],
            "displayName": name,
            "appRoles": roles,
            "applicationId": application["id"],
            "appOwnerOrganizationId": state.tenant_id,
            "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
            "visibleAt": state.clock() + state.replication_lag,
        }
        with state.lock:
            state.applications[application["id"]] = application
            state.service_principals[sp["id"]] = sp
        return JSONResponse(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/"
                "$metadata#microsoft.graph.applicationServicePrincipal",
                "application": application_json(application),
                "servicePrincipal": service_principal_json(sp),
            },
            201,
        )

    @app.get("/v1.0/applications")
    async def list_applications(request: Request) -> Response:
        with state.lock:
            apps = [application_json(a) for a in state.applications.values()]
        return refused(state, request) or filtered(request, apps)

    @app.get("/{version}/applications/{app_id}")
    async def get_application(version: str, app_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        found = find_application(app_id)
        if found is None or version not in ("v1.0", "beta"):
            return not_found(app_id)
        body = application_json(found)
        if version == "beta":
            body["oauth2RequirePostResponse"] = False
        return JSONResponse(body)

    @app.patch("/v1.0/applications/{app_id}")
    async def update_application(app_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        body = await request.json()
        with state.lock:
            found = state.applications.get(app_id.lower())
            if found is None:
                return not_found(app_id)
            if isinstance(body.get("displayName"), str):
                found["displayName"] = body["displayName"]
        return Response(status_code=204)

    @app.delete("/v1.0/applications/{app_id}")
    async def delete_application(app_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        with state.lock:
            found = state.applications.pop(app_id.lower(), None)
            if found is None:
                return not_found(app_id)
            for sp_id in [
                i for i, sp in state.service_principals.items() if sp["appId"] == found["appId"]
            ]:
                delete_service_principal(state, sp_id)
        return Response(status_code=204)

    @app.get("/v1.0/applications/{app_id}/owners")
    async def list_owners(app_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        if find_application(app_id) is None:
            return not_found(app_id)
        return JSONResponse({"value": []})

    @app.get("/v1.0/servicePrincipals")
    async def list_service_principals(request: Request) -> Response:
        with state.lock:
            items = list(state.service_principals.values())
        listed = [service_principal_json(sp) for sp in items if visible(sp)]
        return refused(state, request) or filtered(request, listed)

    @app.get("/{version}/servicePrincipals/{sp_id}")
    async def get_service_principal(version: str, sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        found = find_service_principal(sp_id)
        if found is None or version not in ("v1.0", "beta"):
            return not_found(sp_id)
        body = service_principal_json(found)
        if version == "beta":
            body["samlMetadataUrl"] = None
        return JSONResponse(body)

    @app.delete("/v1.0/servicePrincipals/{sp_id}")
    async def delete_sp(sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        if find_service_principal(sp_id) is None:
            return not_found(sp_id)
        with state.lock:
            delete_service_principal(state, sp_id.lower())
        return Response(status_code=204)

    @app.put("/_fake/servicePrincipals")
    async def put_service_principal(request: Request) -> JSONResponse:
        body = await request.json()
        sp = {**body, "id": str(body["id"]).lower()}
        with state.lock:
            state.service_principals[sp["id"]] = sp
            if body.get("applicationId"):
                application = {
                    "id": str(body["applicationId"]).lower(),
                    "appId": body["appId"],
                    "displayName": body["displayName"],
                    "appRoles": body.get("appRoles") or [],
                }
                state.applications[application["id"]] = application
        return JSONResponse(service_principal_json(sp))

    @app.put("/_fake/replicationLag")
    async def put_replication_lag(request: Request) -> Response:
        seconds = float((await request.json()).get("seconds", 0))
        with state.lock:
            state.replication_lag = max(seconds, 0.0)
        return Response(status_code=204)
