"""The fake Graph's directory: the users and groups that provisioning reads.

- `GET /v1.0/users/{id | userPrincipalName}` (user-get): a user of the fake directory.

Test-control routes:

- `PUT /_fake/directory` `{"users": [{"id", "userPrincipalName", "mail", ..., "assigned",
  "accountEnabled"}]}`: add or replace directory users (`assigned`, used by provisionOnDemand,
  defaults to true; `accountEnabled` false disables the user, as in the portal).
- `DELETE /_fake/directory/{userId}`: delete the user (Entra soft-deletes it: provisioning sees
  `IsSoftDeleted` true and disables the account).
- `PUT /_fake/groups` `{"groups": [{"id", "displayName", "members": [userId, ...]}]}`: add or
  replace groups; assign one to an app to bring its members into the provisioning scope.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator.fake_graph_state import FakeGraphState, graph_error, refused


def directory_user(state: FakeGraphState, key: str) -> dict[str, Any] | None:
    """The user with object id or userPrincipalName `key` (case-insensitive), or None."""
    with state.lock:
        found = state.users.get(key) or state.users.get(key.lower())
        if found is None:
            found = next(
                (
                    u
                    for u in state.users.values()
                    if str(u.get("userPrincipalName", "")).lower() == key.lower()
                ),
                None,
            )
        return None if found is None else dict(found)


def add_directory_routes(app: FastAPI, state: FakeGraphState) -> None:
    @app.get("/v1.0/users/{user}")
    async def get_user(user: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        found = directory_user(state, user)
        if found is None:
            return graph_error(
                404, "Request_ResourceNotFound", f"Resource '{user}' does not exist."
            )
        return JSONResponse({k: v for k, v in found.items() if k != "assigned"})

    @app.put("/_fake/directory")
    async def put_directory(request: Request) -> Response:
        users = (await request.json()).get("users") or []
        with state.lock:
            for user in users:
                state.users[str(user["id"])] = {"assigned": True, **user}
        return Response(status_code=204)

    @app.delete("/_fake/directory/{user_id}")
    async def delete_user(user_id: str) -> Response:
        with state.lock:
            user = state.users.get(user_id)
            if user is None:
                return JSONResponse({"message": f"no user {user_id}"}, 404)
            user["deleted"] = True
        return Response(status_code=204)

    @app.put("/_fake/groups")
    async def put_groups(request: Request) -> Response:
        groups = (await request.json()).get("groups") or []
        with state.lock:
            for group in groups:
                members = [str(member) for member in group.get("members") or []]
                state.groups[str(group["id"]).lower()] = {**group, "members": members}
        return Response(status_code=204)
