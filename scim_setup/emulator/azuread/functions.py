"""The functions `azuread:index/getApplication:getApplication` and
`azuread:index/getServicePrincipal:getServicePrincipal`, as terraform-provider-azuread's data
sources do them (`internal/services/applications/application_data_source.go`
`applicationDataSourceRead`, `internal/services/serviceprincipals/service_principal_data_source.go`
`servicePrincipalDataSourceRead`; roles and tags flattened as `internal/helpers/applications`
does).

What the components read (`clientId`, `objectId`, `appRoles`) is real, with every result the
plain properties of our objects give; nested blocks our apps never set (api, web, optional
claims, SAML settings) are left out (null).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from providers.graph.client import GraphError
from scim_setup.emulator.azuread.errors import ProviderError
from scim_setup.emulator.azuread.graph import Graph, was_not_found
from scim_setup.emulator.azuread.wire import Properties

GET_APPLICATION = "azuread:index/getApplication:getApplication"
GET_SERVICE_PRINCIPAL = "azuread:index/getServicePrincipal:getServicePrincipal"


def odata_quoted(value: str) -> str:
    """`odata.EscapeSingleQuote`."""
    return value.replace("'", "''")


def get_application(graph: Graph, args: Properties) -> Properties:
    """By `objectId`, else a filter on `clientId`, `displayName` or `identifierUri`; exactly one
    must match. Then the beta read (`oauth2RequirePostResponse`) and the owners, as upstream."""
    object_id = args.get("objectId")
    if object_id:
        try:
            app = graph.call("GET", f"/applications/{object_id}")
        except GraphError as error:
            if was_not_found(error):
                raise ProviderError(
                    f"object_id: Application with object ID {object_id!r} was not found"
                ) from None
            raise ProviderError(
                f"object_id: Retrieving Application with object ID {object_id!r}: {error}"
            ) from None
    else:
        app = _one_application(graph, args)
    app_id = str(app.get("id") or "")
    if not app_id:
        raise ProviderError("Bad API Response: nil object ID returned for application")
    beta = _beta(graph, f"/applications/{app_id}?$select=oauth2RequirePostResponse")
    try:
        owners = graph.call("GET", f"/applications/{app_id}/owners").get("value") or []
    except GraphError as error:
        raise ProviderError(f"owners: Could not retrieve owners for {app_id}: {error}") from None
    roles = app.get("appRoles") or []
    return {
        "id": f"/applications/{app_id}",
        "objectId": app_id,
        "clientId": app.get("appId") or "",
        "displayName": app.get("displayName") or "",
        "appRoles": flatten_app_roles(roles),
        "appRoleIds": flatten_app_role_ids(roles),
        "description": app.get("description") or "",
        "deviceOnlyAuthEnabled": bool(app.get("isDeviceOnlyAuthSupported")),
        "disabledByMicrosoft": app.get("disabledByMicrosoftStatus") or "",
        "fallbackPublicClientEnabled": bool(app.get("isFallbackPublicClient")),
        "featureTags": flatten_features(app.get("tags") or []),
        "identifierUris": app.get("identifierUris") or [],
        "notes": app.get("notes") or "",
        "oauth2PostResponseRequired": bool(beta.get("oauth2RequirePostResponse")),
        "owners": [str(owner.get("id")) for owner in owners],
        "publisherDomain": app.get("publisherDomain") or "",
        "serviceManagementReference": app.get("serviceManagementReference") or "",
        "signInAudience": app.get("signInAudience") or "",
        "tags": app.get("tags") or [],
    }


def _one_application(graph: Graph, args: Properties) -> dict[str, Any]:
    if args.get("clientId"):
        field, value = "appId", str(args["clientId"])
        query = f"appId eq '{value}'"
    elif args.get("displayName"):
        field, value = "displayName", str(args["displayName"])
        query = f"displayName eq '{value}'"
    elif args.get("identifierUri"):
        field, value = "identifierUri", str(args["identifierUri"])
        query = f"identifierUris/any(uri:uri eq '{value}')"
    else:
        raise ProviderError(
            "One of `object_id`, `client_id`, `displayName`, or `identifier_uri` must be specified"
        )
    try:
        found = graph.call("GET", f"/applications?$filter={query}").get("value") or []
    except GraphError as error:
        raise ProviderError(f"Listing applications for filter {query!r}: {error}") from None
    if not found:
        raise ProviderError(f"Application not found: no applications found matching {query!r}")
    if len(found) > 1:
        raise ProviderError(f"Multiple applications found matching filter: {query!r}")
    app = found[0]
    if field in ("appId", "displayName") and str(app.get(field) or "").lower() != value.lower():
        raise ProviderError(f"Bad API Response: {field} does not match for filter {query!r}")
    return app


def get_service_principal(graph: Graph, args: Properties) -> Properties:
    """By `objectId`, else `displayName` (exactly one), else `clientId`; then the beta read
    (`samlMetadataUrl`), as upstream."""
    sp = _find_service_principal(graph, args)
    sp_id = str(sp.get("id") or "")
    if not sp_id:
        raise ProviderError("Bad API Response: API returned service principal with nil object ID")
    beta = _beta(graph, f"/servicePrincipals/{sp_id}?$select=samlMetadataUrl")
    roles = sp.get("appRoles") or []
    app_id = str(sp.get("appId") or "")
    names = [n for n in sp.get("servicePrincipalNames") or [] if n.lower() != app_id.lower()]
    scopes = sp.get("oauth2PermissionScopes") or []
    return {
        "id": f"/servicePrincipals/{sp_id}",
        "objectId": sp_id,
        "clientId": app_id,
        "displayName": sp.get("displayName") or "",
        "accountEnabled": bool(sp.get("accountEnabled")),
        "alternativeNames": sp.get("alternativeNames") or [],
        "appRoleAssignmentRequired": bool(sp.get("appRoleAssignmentRequired")),
        "appRoleIds": flatten_app_role_ids(roles),
        "appRoles": flatten_app_roles(roles),
        "applicationTenantId": sp.get("appOwnerOrganizationId") or "",
        "description": sp.get("description") or "",
        "featureTags": flatten_features(sp.get("tags") or []),
        "homepageUrl": sp.get("homepage") or "",
        "loginUrl": sp.get("loginUrl") or "",
        "logoutUrl": sp.get("logoutUrl") or "",
        "notes": sp.get("notes") or "",
        "notificationEmailAddresses": sp.get("notificationEmailAddresses") or [],
        "oauth2PermissionScopeIds": {
            str(s.get("value")): str(s.get("id")) for s in scopes if s.get("value") and s.get("id")
        },
        "preferredSingleSignOnMode": sp.get("preferredSingleSignOnMode") or "",
        "redirectUris": sp.get("replyUrls") or [],
        "samlMetadataUrl": beta.get("samlMetadataUrl") or "",
        "servicePrincipalNames": names,
        "signInAudience": sp.get("signInAudience") or "",
        "tags": sp.get("tags") or [],
        "type": sp.get("servicePrincipalType") or "",
    }


def _find_service_principal(graph: Graph, args: Properties) -> dict[str, Any]:
    if args.get("objectId"):
        path = f"/servicePrincipals/{args['objectId']}"
        try:
            return graph.call("GET", path)
        except GraphError as error:
            if was_not_found(error):
                raise ProviderError(f"object_id: {path} was not found") from None
            raise ProviderError(f"object_id: Retrieving {path}: {error}") from None
    if args.get("displayName"):
        name = str(args["displayName"])
        found = _list_service_principals(graph, f"displayName eq '{odata_quoted(name)}'")
        if not found:
            raise ProviderError(
                f"Service principal not found: no service principals found matching "
                f"displayName {name!r}"
            )
        if len(found) > 1:
            raise ProviderError(f"Multiple service principals found: matching displayName {name!r}")
        return _first(found, lambda sp: str(sp.get("displayName") or "").lower() == name.lower())
    client_id = str(args.get("clientId") or "")
    found = _list_service_principals(graph, f"appId eq '{odata_quoted(client_id)}'")
    return _first(found, lambda sp: str(sp.get("appId") or "").lower() == client_id.lower())


def _list_service_principals(graph: Graph, query: str) -> list[dict[str, Any]]:
    try:
        return graph.call("GET", f"/servicePrincipals?$filter={query}").get("value") or []
    except GraphError as error:
        raise ProviderError(f"Listing service principals for filter {query!r}: {error}") from None


def _first(
    items: list[dict[str, Any]], matches: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    for item in items:
        if matches(item):
            return item
    raise ProviderError("No service principal found")


def _beta(graph: Graph, path: str) -> dict[str, Any]:
    try:
        return graph.call("GET", path, api_version="beta")
    except GraphError as error:
        raise ProviderError(f"Retrieving additional properties: {error}") from None


def flatten_app_roles(roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`applications.FlattenAppRoles`: zero values where Graph has null (a null `value`: "")."""
    return [
        {
            "id": role.get("id") or "",
            "allowedMemberTypes": list(role.get("allowedMemberTypes") or []),
            "description": role.get("description") or "",
            "displayName": role.get("displayName") or "",
            "enabled": bool(role.get("isEnabled")),
            "value": role.get("value") or "",
        }
        for role in roles
    ]


def flatten_app_role_ids(roles: list[dict[str, Any]]) -> dict[str, str]:
    """`applications.FlattenAppRoleIDs`: value → id, for roles that have a value."""
    return {str(r["value"]): str(r["id"]) for r in roles if r.get("value") and r.get("id")}


def flatten_features(tags: list[str]) -> list[dict[str, bool]]:
    """`applications.FlattenFeatures(tags, false)`: the feature flags the tags stand for."""
    lowered = {tag.lower() for tag in tags}
    return [
        {
            "customSingleSignOn": "windowsazureactivedirectorycustomsinglesignonapplication"
            in lowered,
            "enterprise": "windowsazureactivedirectoryintegratedapp" in lowered,
            "gallery": "windowsazureactivedirectorygalleryapplicationnonprimaryv1" in lowered,
            "hide": "hideapp" in lowered,
        }
    ]


FUNCTIONS: dict[str, Callable[[Graph, Properties], Properties]] = {
    GET_APPLICATION: get_application,
    GET_SERVICE_PRINCIPAL: get_service_principal,
}
