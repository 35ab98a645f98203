"""The SCIM 2.0 endpoint at the tenant URL, as Microsoft Entra ID calls it.

Every request is checked in the order a real service would: the tenant in the
path (404), the SCIM API token (401), then whether SCIM is enabled in the
Dashboard (403). Reads answer straight from the stored JSON documents; writes
go through `emulator.scim_resources`, which validates with scim2-models.

`attributes` and `excludedAttributes` act on top-level attributes only, which
covers what Entra sends (`excludedAttributes=members` on groups).
"""

import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from scim2_models import (
    ForbiddenException,
    InvalidSyntaxException,
    InvalidValueException,
    NotFoundException,
    SCIMException,
    UnauthorizedException,
    UniquenessException,
)

from emulator import scim_filter, scim_resources
from emulator.clock import utc_now
from emulator.scim_discovery import MAX_RESULTS, build_discovery
from emulator.store import GroupRecord, Store, StoredResource, UniquenessConflict, UserRecord
from emulator.tokens import bearer_token, new_id, token_matches

SCIM_MEDIA_TYPE = "application/scim+json"
LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
_ALWAYS_RETURNED = {"schemas", "id"}


def tenant_url(base_url: str, tenant_id: str) -> str:
    """Return the SCIM base URL of a tenant: the *Tenant URL* an Entra admin pastes."""
    return f"{base_url}/scim/v2/{tenant_id}"


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Serialise a SCIM message with the media type Entra expects."""
    content = b"" if body is None else json.dumps(body).encode()
    return Response(content, status_code=status, media_type=SCIM_MEDIA_TYPE, headers=headers)


def scim_error_response(error: SCIMException) -> Response:
    """Render a SCIM error; `status` is a string, as RFC 7644 §3.12 requires."""
    body = error.to_error().model_dump(mode="json")
    status = int(body.get("status") or 400)
    headers = {"WWW-Authenticate": 'Bearer realm="scim"'} if status == 401 else None
    return scim_response(body, status, headers)


class ScimApi:
    """Routes and handlers of the SCIM endpoint for the store's one tenant."""

    def __init__(self, store: Store, base_url: str) -> None:
        self._store = store
        self.tenant_url = tenant_url(base_url, store.settings().tenant_id)
        self._discovery = build_discovery(self.tenant_url)

    def router(self) -> APIRouter:
        """Return the routes, mounted under `/scim/v2/{tenant_id}`."""
        router = APIRouter(prefix="/scim/v2/{tenant_id}")
        routes: list[tuple[str, Callable[..., Any], str]] = [
            ("/Users", self.list_users, "GET"),
            ("/Users", self.create_user, "POST"),
            ("/Users/{user_id}", self.get_user, "GET"),
            ("/Users/{user_id}", self.patch_user, "PATCH"),
            ("/Users/{user_id}", self.delete_user, "DELETE"),
            ("/Groups", self.list_groups, "GET"),
            ("/Groups", self.create_group, "POST"),
            ("/Groups/{group_id}", self.get_group, "GET"),
            ("/Groups/{group_id}", self.patch_group, "PATCH"),
            ("/Groups/{group_id}", self.delete_group, "DELETE"),
            ("/ServiceProviderConfig", self.service_provider_config, "GET"),
            ("/ResourceTypes", self.resource_types, "GET"),
            ("/ResourceTypes/{name}", self.resource_type, "GET"),
            ("/Schemas", self.schemas, "GET"),
            ("/Schemas/{schema_id}", self.schema, "GET"),
        ]
        for path, handler, method in routes:
            router.add_api_route(path, handler, methods=[method], include_in_schema=False)
        return router

    def _authorise(self, request: Request, tenant_id: str) -> None:
        """Check tenant, token and the enabled switch; see the module docstring for the order."""
        settings = self._store.settings()
        if tenant_id != settings.tenant_id:
            raise NotFoundException(detail="no SCIM tenant at this URL")
        token = bearer_token(request.headers.get("authorization"))
        record = self._store.scim_token()
        if token is None or record is None or not token_matches(token, record.token_hash):
            raise UnauthorizedException(detail="missing, invalid or revoked SCIM API token")
        if not settings.enabled:
            raise ForbiddenException(detail="SCIM user management is disabled in the Dashboard")
        self._store.touch_scim_token(utc_now())

    # Users

    async def list_users(self, request: Request, tenant_id: str) -> Response:
        """`GET /Users`: filter, paging and attribute selection; always a ListResponse."""
        self._authorise(request, tenant_id)
        query = _Query(request)
        condition = scim_filter.to_sql(query.filter, scim_filter.USER_COLUMNS)
        page = self._store.query_users(condition, query.offset, query.limit)
        resources = [query.project(self._user_json(user)) for user in page.resources]
        return scim_response(_list_response(page.total, query.start_index, resources))

    async def create_user(self, request: Request, tenant_id: str) -> Response:
        """`POST /Users`: also creates the user's backup account at today's account size."""
        self._authorise(request, tenant_id)
        attributes = scim_resources.new_user(await _json_body(request))
        now = utc_now()
        resource = StoredResource(str(uuid.uuid4()), attributes.document, now, now)
        try:
            self._store.insert_user(
                _user_record(resource, attributes),
                account_id=new_id("ba"),
                quota_gb=self._store.settings().account_size_gb,
            )
        except UniquenessConflict:
            raise UniquenessException(detail="a user with this userName already exists") from None
        body = self._user_json(resource)
        return scim_response(body, 201, {"Location": body["meta"]["location"]})

    async def get_user(self, request: Request, tenant_id: str, user_id: str) -> Response:
        """`GET /Users/{id}`."""
        self._authorise(request, tenant_id)
        return scim_response(_Query(request).project(self._user_json(self._user(user_id))))

    async def patch_user(self, request: Request, tenant_id: str, user_id: str) -> Response:
        """`PATCH /Users/{id}`: answers 200 with the resource, like the reference code."""
        self._authorise(request, tenant_id)
        stored = self._user(user_id)
        attributes = scim_resources.patched_user(stored.document, await _json_body(request))
        resource = _modified(stored, attributes.document)
        try:
            self._store.update_user(_user_record(resource, attributes))
        except UniquenessConflict:
            raise UniquenessException(detail="a user with this userName already exists") from None
        return scim_response(self._user_json(resource))

    async def delete_user(self, request: Request, tenant_id: str, user_id: str) -> Response:
        """`DELETE /Users/{id}`: the backup account goes with the user."""
        self._authorise(request, tenant_id)
        if not self._store.delete_user(user_id):
            raise NotFoundException(detail="no user with this id")
        return Response(status_code=204)

    def _user(self, user_id: str) -> StoredResource:
        user = self._store.get_user(user_id)
        if user is None:
            raise NotFoundException(detail="no user with this id")
        return user

    def _user_json(self, user: StoredResource) -> dict[str, Any]:
        return _resource_json(user, "User", f"{self.tenant_url}/Users/{user.id}")

    # Groups

    async def list_groups(self, request: Request, tenant_id: str) -> Response:
        """`GET /Groups`: as `GET /Users`, filtered on `displayName`, `externalId` or `id`."""
        self._authorise(request, tenant_id)
        query = _Query(request)
        condition = scim_filter.to_sql(query.filter, scim_filter.GROUP_COLUMNS)
        page = self._store.query_groups(condition, query.offset, query.limit)
        resources = [self._group_json(group, query) for group in page.resources]
        return scim_response(_list_response(page.total, query.start_index, resources))

    async def create_group(self, request: Request, tenant_id: str) -> Response:
        """`POST /Groups`: Entra creates groups empty and adds members by PATCH."""
        self._authorise(request, tenant_id)
        attributes = scim_resources.new_group(await _json_body(request))
        self._check_members_exist(attributes.member_ids)
        now = utc_now()
        resource = StoredResource(str(uuid.uuid4()), attributes.document, now, now)
        try:
            self._store.insert_group(_group_record(resource, attributes))
        except UniquenessConflict:
            raise UniquenessException(detail="a group with this displayName exists") from None
        body = self._group_json(resource, _Query(request))
        return scim_response(body, 201, {"Location": body["meta"]["location"]})

    async def get_group(self, request: Request, tenant_id: str, group_id: str) -> Response:
        """`GET /Groups/{id}`, usually with `excludedAttributes=members`."""
        self._authorise(request, tenant_id)
        return scim_response(self._group_json(self._group(group_id), _Query(request)))

    async def patch_group(self, request: Request, tenant_id: str, group_id: str) -> Response:
        """`PATCH /Groups/{id}`: answers 204 without the member list, as Entra asks."""
        self._authorise(request, tenant_id)
        stored = self._group(group_id)
        before = [member_id for member_id, _ in self._store.group_members(group_id)]
        attributes = scim_resources.patched_group(
            stored.document, before, await _json_body(request)
        )
        self._check_members_exist(set(attributes.member_ids) - set(before))
        members_changed = set(attributes.member_ids) != set(before)
        resource = _modified(stored, attributes.document, force=members_changed)
        try:
            self._store.update_group(_group_record(resource, attributes))
        except UniquenessConflict:
            raise UniquenessException(detail="a group with this displayName exists") from None
        return Response(status_code=204)

    async def delete_group(self, request: Request, tenant_id: str, group_id: str) -> Response:
        """`DELETE /Groups/{id}`."""
        self._authorise(request, tenant_id)
        if not self._store.delete_group(group_id):
            raise NotFoundException(detail="no group with this id")
        return Response(status_code=204)

    def _group(self, group_id: str) -> StoredResource:
        group = self._store.get_group(group_id)
        if group is None:
            raise NotFoundException(detail="no group with this id")
        return group

    def _check_members_exist(self, member_ids: Any) -> None:
        missing = set(member_ids) - self._store.existing_ids(member_ids)
        if missing:
            raise InvalidValueException(
                detail="members must be users or groups of this tenant: "
                + ", ".join(sorted(missing))
            )

    def _group_json(self, group: StoredResource, query: "_Query") -> dict[str, Any]:
        body = _resource_json(group, "Group", f"{self.tenant_url}/Groups/{group.id}")
        if query.wants("members"):
            members = [
                {"value": member_id, "$ref": f"{self.tenant_url}/{kind}s/{member_id}", "type": kind}
                for member_id, kind in self._store.group_members(group.id)
            ]
            if members:
                body["members"] = members
        return query.project(body)

    # Discovery

    async def service_provider_config(self, request: Request, tenant_id: str) -> Response:
        """`GET /ServiceProviderConfig`."""
        self._authorise(request, tenant_id)
        return scim_response(self._discovery.service_provider_config)

    async def resource_types(self, request: Request, tenant_id: str) -> Response:
        """`GET /ResourceTypes`."""
        self._authorise(request, tenant_id)
        items = list(self._discovery.resource_types.values())
        return scim_response(_list_response(len(items), 1, items))

    async def resource_type(self, request: Request, tenant_id: str, name: str) -> Response:
        """`GET /ResourceTypes/{name}`."""
        self._authorise(request, tenant_id)
        return scim_response(_lookup(self._discovery.resource_types, name, "resource type"))

    async def schemas(self, request: Request, tenant_id: str) -> Response:
        """`GET /Schemas`."""
        self._authorise(request, tenant_id)
        items = list(self._discovery.schemas.values())
        return scim_response(_list_response(len(items), 1, items))

    async def schema(self, request: Request, tenant_id: str, schema_id: str) -> Response:
        """`GET /Schemas/{id}`."""
        self._authorise(request, tenant_id)
        return scim_response(_lookup(self._discovery.schemas, schema_id, "schema"))


class _Query:
    """The query parameters of a SCIM read; names are matched case-insensitively.

    Anything else in the query string, such as Entra's `aadOptscim062020` flag
    carried over from the tenant URL, is ignored.
    """

    def __init__(self, request: Request) -> None:
        params = {key.lower(): value for key, value in request.query_params.items()}
        self.filter = params.get("filter")
        self.start_index = max(1, _integer(params, "startIndex", 1))
        self.limit = min(MAX_RESULTS, max(0, _integer(params, "count", MAX_RESULTS)))
        self.offset = self.start_index - 1
        self._only = _names(params.get("attributes"))
        self._excluded = _names(params.get("excludedattributes"))

    def wants(self, attribute: str) -> bool:
        """Whether `attribute` is returned under `attributes` / `excludedAttributes`."""
        name = attribute.lower()
        if name in _ALWAYS_RETURNED:
            return True
        if self._only:
            return name in self._only
        return name not in self._excluded

    def project(self, body: dict[str, Any]) -> dict[str, Any]:
        """Drop the top-level attributes the request did not ask for."""
        if not self._only and not self._excluded:
            return body
        return {key: value for key, value in body.items() if self.wants(key)}


def _integer(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name.lower())
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidValueException(detail=f"{name} must be an integer") from None


def _names(raw: str | None) -> set[str]:
    if not raw:
        return set()
    return {name.strip().lower() for name in raw.split(",") if name.strip()}


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        raise InvalidSyntaxException(detail="the request body is not valid JSON") from None


def _list_response(total: int, start_index: int, resources: list[Any]) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _resource_json(resource: StoredResource, kind: str, location: str) -> dict[str, Any]:
    document = dict(resource.document)
    meta = {
        "resourceType": kind,
        "created": resource.created_at,
        "lastModified": resource.modified_at,
        "location": location,
    }
    return {"schemas": document.pop("schemas", []), "id": resource.id, **document, "meta": meta}


def _modified(
    stored: StoredResource, document: dict[str, Any], *, force: bool = False
) -> StoredResource:
    """Return the resource with its new document; `lastModified` moves only on a change."""
    if document == stored.document and not force:
        return stored
    return StoredResource(stored.id, document, stored.created_at, utc_now())


def _user_record(resource: StoredResource, attributes: scim_resources.UserAttributes) -> UserRecord:
    return UserRecord(resource, attributes.user_name, attributes.external_id, attributes.active)


def _group_record(
    resource: StoredResource, attributes: scim_resources.GroupAttributes
) -> GroupRecord:
    return GroupRecord(
        resource, attributes.display_name, attributes.external_id, attributes.member_ids
    )


def _lookup(documents: dict[str, dict[str, Any]], key: str, kind: str) -> dict[str, Any]:
    for name, document in documents.items():
        if name.lower() == key.lower():
            return document
    raise NotFoundException(detail=f"no {kind} named {key}")
