"""The SCIM 2.0 endpoint at the tenant URL, as identity providers call it.

Every request is checked in the order a real service would: the tenant in the
path (404), the SCIM API token (401), then whether SCIM is enabled in the
Dashboard (403). Reads answer straight from the stored JSON documents; writes
go through `scim_setup.emulator.scim_resources`, which validates with scim2-models.
Bodies are read through `scim_setup.emulator.request_limits`, so no input can make the
server answer 500.

`attributes` and `excludedAttributes` act on top-level attributes only, which
covers what Entra sends (`excludedAttributes=members` on groups). The
`docs/dashboard-api.md` SCIM section says, per identity provider, which
requests arrive and what each does.
"""

import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from scim2_models import (
    ForbiddenException,
    InvalidFilterException,
    InvalidSyntaxException,
    InvalidValueException,
    MutabilityException,
    NotFoundException,
    NotImplementedException,
    PayloadTooLargeException,
    SCIMException,
    UnauthorizedException,
    UniquenessException,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scim_setup.emulator import request_limits, scim_filter, scim_resources
from scim_setup.emulator.clock import utc_now
from scim_setup.emulator.scim_discovery import MAX_RESULTS, build_discovery
from scim_setup.emulator.store import (
    GroupRecord,
    Member,
    Page,
    SqlCondition,
    Store,
    StoredResource,
    UniquenessConflict,
    UserRecord,
)
from scim_setup.emulator.tokens import bearer_token, new_id, token_matches

SCIM_MEDIA_TYPE = "application/scim+json"
LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
MAX_START_INDEX = 2**31 - 1
"""The largest `startIndex` accepted: SQLite offsets are 64-bit, clients' indexes 32-bit."""
_PREFIX = "/scim/v2/{tenant_id}"
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

    def routes(self) -> list[Route]:
        """The routes under `/scim/v2/{tenant_id}`, in matching order (`.search` before `{id}`).

        A flat list, not a `Mount`: a mount matches each request once to pick it and again
        inside, on every request (issue 13 measured a tenth of a SCIM lookup's CPU for that).
        """
        routes: list[tuple[str, Callable[..., Any], str]] = [
            ("/Users", self.list_users, "GET"),
            ("/Users", self.create_user, "POST"),
            ("/Users/.search", self.search_users, "POST"),
            ("/Users/{user_id}", self.get_user, "GET"),
            ("/Users/{user_id}", self.replace_user, "PUT"),
            ("/Users/{user_id}", self.patch_user, "PATCH"),
            ("/Users/{user_id}", self.delete_user, "DELETE"),
            ("/Groups", self.list_groups, "GET"),
            ("/Groups", self.create_group, "POST"),
            ("/Groups/.search", self.search_groups, "POST"),
            ("/Groups/{group_id}", self.get_group, "GET"),
            ("/Groups/{group_id}", self.replace_group, "PUT"),
            ("/Groups/{group_id}", self.patch_group, "PATCH"),
            ("/Groups/{group_id}", self.delete_group, "DELETE"),
            ("/.search", self.search_all, "POST"),
            ("/Bulk", self.bulk, "POST"),
            ("/ServiceProviderConfig", self.service_provider_config, "GET"),
            ("/ResourceTypes", self.resource_types, "GET"),
            ("/ResourceTypes/{name}", self.resource_type, "GET"),
            ("/Schemas", self.schemas, "GET"),
            ("/Schemas/{schema_id}", self.schema, "GET"),
        ]
        return [
            Route(_PREFIX + path, _endpoint(handler), methods=[method])
            for path, handler, method in routes
        ]

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
        return self._list_users(_Query.from_params(request))

    async def search_users(self, request: Request, tenant_id: str) -> Response:
        """`POST /Users/.search`: `GET /Users` with its parameters in a SearchRequest body."""
        self._authorise(request, tenant_id)
        return self._list_users(_Query.from_search(await _json_body(request)))

    def _list_users(self, query: "_Query") -> Response:
        page = self._store.query_users(query.condition(scim_filter.USER_COLUMNS), *query.window)
        resources = [query.project(self._user_json(user)) for user in page.resources]
        return scim_response(_list_response(page.total, query.start_index, resources))

    async def create_user(self, request: Request, tenant_id: str) -> Response:
        """`POST /Users`: also creates the user's backup account at today's account size."""
        self._authorise(request, tenant_id)
        query = _Query.from_params(request)
        attributes = scim_resources.new_user(await _json_body(request))
        now = utc_now()
        resource = StoredResource(str(uuid.uuid4()), attributes.document, now, now)
        with _unique("a user with this userName already exists"):
            self._store.insert_user(
                _user_record(resource, attributes),
                account_id=new_id("ba"),
                quota_gb=self._store.settings().account_size_gb,
            )
        body = self._user_json(resource)
        return scim_response(query.project(body), 201, {"Location": body["meta"]["location"]})

    async def get_user(self, request: Request, tenant_id: str, user_id: str) -> Response:
        """`GET /Users/{id}`."""
        self._authorise(request, tenant_id)
        return scim_response(
            _Query.from_params(request).project(self._user_json(self._user(user_id)))
        )

    async def replace_user(self, request: Request, tenant_id: str, user_id: str) -> Response:
        """`PUT /Users/{id}`: the body is the whole user; `active: false` disables it."""
        self._authorise(request, tenant_id)
        query = _Query.from_params(request)
        stored = self._user(user_id)
        payload = await _json_body(request)
        _check_body_id(payload, user_id)
        attributes = scim_resources.replaced_user(stored.document, payload)
        return self._save_user(query, stored, attributes)

    async def patch_user(self, request: Request, tenant_id: str, user_id: str) -> Response:
        """`PATCH /Users/{id}`: answers 200 with the resource, like the reference code."""
        self._authorise(request, tenant_id)
        query = _Query.from_params(request)
        stored = self._user(user_id)
        attributes = scim_resources.patched_user(stored.document, await _json_body(request))
        return self._save_user(query, stored, attributes)

    def _save_user(
        self, query: "_Query", stored: StoredResource, attributes: scim_resources.UserAttributes
    ) -> Response:
        """Store a PUT or PATCH result; the backup account follows both the same way."""
        resource = _modified(stored, attributes.document)
        with _unique("a user with this userName already exists"):
            self._store.update_user(_user_record(resource, attributes))
        return scim_response(query.project(self._user_json(resource)))

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
        return self._list_groups(_Query.from_params(request))

    async def search_groups(self, request: Request, tenant_id: str) -> Response:
        """`POST /Groups/.search`."""
        self._authorise(request, tenant_id)
        return self._list_groups(_Query.from_search(await _json_body(request)))

    def _list_groups(self, query: "_Query") -> Response:
        page = self._store.query_groups(query.condition(scim_filter.GROUP_COLUMNS), *query.window)
        resources = [self._group_json(group, query) for group in page.resources]
        return scim_response(_list_response(page.total, query.start_index, resources))

    async def create_group(self, request: Request, tenant_id: str) -> Response:
        """`POST /Groups`: Entra creates groups empty and adds members by PATCH."""
        self._authorise(request, tenant_id)
        query = _Query.from_params(request)
        attributes = scim_resources.new_group(await _json_body(request))
        self._check_new_members(None, attributes.member_ids)
        now = utc_now()
        resource = StoredResource(str(uuid.uuid4()), attributes.document, now, now)
        with _unique("a group with this displayName exists"):
            self._store.insert_group(_group_record(resource, attributes))
        body = self._group_json(resource, query)
        return scim_response(body, 201, {"Location": body["meta"]["location"]})

    async def get_group(self, request: Request, tenant_id: str, group_id: str) -> Response:
        """`GET /Groups/{id}`, usually with `excludedAttributes=members`."""
        self._authorise(request, tenant_id)
        return scim_response(self._group_json(self._group(group_id), _Query.from_params(request)))

    async def replace_group(self, request: Request, tenant_id: str, group_id: str) -> Response:
        """`PUT /Groups/{id}`: new attributes and the whole member list; 200 with the group."""
        self._authorise(request, tenant_id)
        query = _Query.from_params(request)
        stored = self._group(group_id)
        payload = await _json_body(request)
        _check_body_id(payload, group_id)
        before = self._store.group_members(group_id)
        attributes = scim_resources.replaced_group(stored.document, before, payload)
        self._save_group(stored, before, attributes)
        return scim_response(self._group_json(self._group(group_id), query))

    async def patch_group(self, request: Request, tenant_id: str, group_id: str) -> Response:
        """`PATCH /Groups/{id}`: 204 without the member list, as Entra asks.

        RFC 7644 §3.5.2 makes a 200 with the group compulsory when the request
        names `attributes` (or `excludedAttributes`), so it gets one.
        """
        self._authorise(request, tenant_id)
        query = _Query.from_params(request)
        stored = self._group(group_id)
        before = self._store.group_members(group_id)
        attributes = scim_resources.patched_group(
            group_id, stored.document, before, await _json_body(request)
        )
        self._save_group(stored, before, attributes)
        if not query.selects:
            return Response(status_code=204)
        return scim_response(self._group_json(self._group(group_id), query))

    def _save_group(
        self,
        stored: StoredResource,
        before: list[Member],
        attributes: scim_resources.GroupAttributes,
    ) -> None:
        old = {member.id for member in before}
        self._check_new_members(stored.id, attributes.member_ids - old)
        changed = [(m.id, m.display) for m in attributes.members] != [
            (m.id, m.display) for m in before
        ]
        resource = _modified(stored, attributes.document, force=changed)
        with _unique("a group with this displayName exists"):
            self._store.update_group(_group_record(resource, attributes))

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

    def _check_new_members(self, group_id: str | None, member_ids: set[str]) -> None:
        """New members must exist, and no group may end up containing itself."""
        if not member_ids:
            return
        missing = member_ids - self._store.existing_ids(member_ids)
        if missing:
            raise InvalidValueException(
                detail="members must be users or groups of this tenant; unknown: "
                + ", ".join(sorted(missing))
            )
        if group_id is not None and member_ids & self._store.enclosing_groups(group_id):
            raise InvalidValueException(
                detail="a group cannot be a member of itself, directly or through another group"
            )

    def _group_json(self, group: StoredResource, query: "_Query") -> dict[str, Any]:
        body = _resource_json(group, "Group", f"{self.tenant_url}/Groups/{group.id}")
        if query.wants("members"):
            members = [self._member_json(member) for member in self._store.group_members(group.id)]
            if members:
                body["members"] = members
        return query.project(body)

    def _member_json(self, member: Member) -> dict[str, Any]:
        body = {
            "value": member.id,
            "$ref": f"{self.tenant_url}/{member.kind}s/{member.id}",
            "type": member.kind,
        }
        if member.display is not None:
            body["display"] = member.display
        return body

    # Searching everything, and what is not supported

    async def search_all(self, request: Request, tenant_id: str) -> Response:
        """`POST /.search`: users then groups, one ListResponse (RFC 7644 §3.4.3).

        A filter on an attribute only one resource type has matches nothing of
        the other type, as RFC 7644 §3.4.2.1 asks of searches at the root.
        """
        self._authorise(request, tenant_id)
        query = _Query.from_search(await _json_body(request))
        users = _condition_or_none(query, scim_filter.USER_COLUMNS)
        groups = _condition_or_none(query, scim_filter.GROUP_COLUMNS)
        if users is None and groups is None:
            raise InvalidFilterException(detail="neither users nor groups can be filtered so")
        offset, limit = query.window
        user_page = Page(0, []) if users is None else self._store.query_users(users, offset, limit)
        resources = [query.project(self._user_json(user)) for user in user_page.resources]
        group_offset = max(0, offset - user_page.total)
        group_limit = limit - len(resources)
        group_page = (
            Page(0, [])
            if groups is None
            else self._store.query_groups(groups, group_offset, group_limit)
        )
        resources += [self._group_json(group, query) for group in group_page.resources]
        total = user_page.total + group_page.total
        return scim_response(_list_response(total, query.start_index, resources))

    async def bulk(self, request: Request, tenant_id: str) -> Response:
        """`POST /Bulk`: 501, as `ServiceProviderConfig` says (`bulk.supported: false`)."""
        self._authorise(request, tenant_id)
        raise NotImplementedException(detail="bulk operations are not supported")

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
    """The parameters of a SCIM read, from a query string or a SearchRequest body.

    Names are matched case-insensitively. Anything else in the query string,
    such as Entra's `aadOptscim062020` flag carried over from the tenant URL,
    is ignored, and so are `sortBy`/`sortOrder` (`sort.supported` is false:
    results come in creation order).
    """

    def __init__(
        self, filter_: str | None, start_index: int, count: int, only: set[str], excluded: set[str]
    ) -> None:
        self.filter = filter_
        self.start_index = start_index
        self.limit = min(MAX_RESULTS, max(0, count))
        self._only = only
        self._excluded = excluded

    @classmethod
    def from_params(cls, request: Request) -> "_Query":
        """Read `filter`, `startIndex`, `count`, `attributes`, `excludedAttributes`."""
        if not request.scope.get("query_string"):
            return cls(None, 1, MAX_RESULTS, set(), set())
        params = {key.lower(): value for key, value in request.query_params.items()}
        return cls(
            params.get("filter"),
            _start_index(_integer(params.get("startindex"), "startIndex", 1)),
            _integer(params.get("count"), "count", MAX_RESULTS),
            _names(params.get("attributes")),
            _names(params.get("excludedattributes")),
        )

    @classmethod
    def from_search(cls, body: Any) -> "_Query":
        """Read a SearchRequest (RFC 7644 §3.4.3); its parameters mean what they do in a GET."""
        if not isinstance(body, dict):
            raise InvalidSyntaxException(detail="the request body must be a JSON object")
        fields = {key.lower(): value for key, value in body.items()}
        schemas = fields.get("schemas")
        if not isinstance(schemas, list) or SEARCH_REQUEST_URN not in schemas:
            raise InvalidSyntaxException(
                detail=f"a search must list the {SEARCH_REQUEST_URN} schema"
            )
        filter_ = fields.get("filter")
        if filter_ is not None and not isinstance(filter_, str):
            raise InvalidValueException(detail="filter must be a string")
        return cls(
            filter_,
            _start_index(_integer(fields.get("startindex"), "startIndex", 1)),
            _integer(fields.get("count"), "count", MAX_RESULTS),
            _names(fields.get("attributes")),
            _names(fields.get("excludedattributes")),
        )

    @property
    def window(self) -> tuple[int, int]:
        """The (offset, limit) of the page in the matching resources."""
        return self.start_index - 1, self.limit

    @property
    def selects(self) -> bool:
        """Whether the request named `attributes` or `excludedAttributes`."""
        return bool(self._only or self._excluded)

    def condition(self, columns: dict[str, scim_filter.Column]) -> SqlCondition:
        """The filter as SQL over `columns`; `400 invalidFilter` when it does not fit them."""
        return scim_filter.to_sql(self.filter, columns)

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
        if not self.selects:
            return body
        return {key: value for key, value in body.items() if self.wants(key)}


def _endpoint(
    handler: Callable[..., Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of a handler that takes the path parameters as arguments."""

    async def endpoint(request: Request) -> Response:
        return await handler(request, **request.path_params)

    return endpoint


def _integer(raw: Any, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and len(raw) <= 20:
        try:
            return int(raw)
        except ValueError:
            pass
    raise InvalidValueException(detail=f"{name} must be an integer")


def _start_index(value: int) -> int:
    """RFC 7644 §3.4.2.4: below 1 counts as 1; beyond a 32-bit index is refused."""
    if value > MAX_START_INDEX:
        raise InvalidValueException(detail=f"startIndex must be at most {MAX_START_INDEX}")
    return max(1, value)


def _names(raw: Any) -> set[str]:
    """Attribute names from a comma-separated string or a JSON list of strings."""
    if not raw:
        return set()
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise InvalidValueException(detail="attributes must be a list of attribute names")
    return {name.strip().lower() for name in raw if name.strip()}


async def _json_body(request: Request) -> Any:
    """The request body within `scim_setup.emulator.request_limits`, or the SCIM error it earns."""
    try:
        return await request_limits.json_body(request)
    except request_limits.InputRejected as error:
        if error.problem == "too_large":
            raise PayloadTooLargeException(detail=error.detail) from None
        if error.problem == "syntax":
            raise InvalidSyntaxException(detail=error.detail) from None
        raise InvalidValueException(detail=error.detail) from None


def _check_body_id(payload: Any, resource_id: str) -> None:
    """A PUT body may repeat the resource's `id`, but not name another one."""
    if isinstance(payload, dict) and payload.get("id") not in (None, resource_id):
        raise MutabilityException(detail="the id in the body differs from the id in the URL")


def _condition_or_none(
    query: _Query, columns: dict[str, scim_filter.Column]
) -> SqlCondition | None:
    try:
        return query.condition(columns)
    except InvalidFilterException:
        return None


@contextmanager
def _unique(detail: str) -> Iterator[None]:
    """Turn the store's uniqueness conflict into `409 uniqueness`."""
    try:
        yield
    except UniquenessConflict:
        raise UniquenessException(detail=detail) from None


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
        resource, attributes.display_name, attributes.external_id, attributes.members
    )


def _lookup(documents: dict[str, dict[str, Any]], key: str, kind: str) -> dict[str, Any]:
    for name, document in documents.items():
        if name.lower() == key.lower():
            return document
    raise NotFoundException(detail=f"no {kind} named {key}")
