"""A stand-in for OneLogin's SCIM provisioning: the calls OneLogin documents making.

Source [OL]: OneLogin's developer guide "Implement RESTful SCIM APIs for your
app", https://developers.onelogin.com/scim/implement-scim-api: the list of
calls (get user with a userName filter, create, get by id, update, get
groups, create group, patch group, delete user, get users) and its example
flow, whose initial connection looks up a userName that does not exist and
accepts an empty list. The user body follows the "SCIM Provisioner with
SAML (SCIM v2 Core)" template's JSON (userName, name); updates are the whole
user by `PUT`. Where [OL] shows no body (group patches), the RFC 7644 form is
sent, and the docs say so.
"""

import uuid
from typing import Any

import requests

from scim_setup.emulator.scim_replay import GROUP_URN, USER_URN, ScimReplay


class OneLoginReplay(ScimReplay):
    """Sends OneLogin's SCIM requests to one tenant URL with one SCIM token."""

    def test_connection(self) -> requests.Response:
        """The initial connection: a userName OneLogin knows does not exist ([OL] step 1)."""
        return self.find_user(f"onelogin-probe-{uuid.uuid4()}")

    def find_user(self, user_name: str) -> requests.Response:
        """`GET /Users?filter=userName eq "x"` ([OL] Get User with userName filter)."""
        return self._send("GET", "/Users", params={"filter": f'userName eq "{user_name}"'})

    def list_users(self) -> requests.Response:
        """`GET /Users` ([OL] Get Users)."""
        return self._send("GET", "/Users")

    def user_body(self, user_name: str, given_name: str, family_name: str) -> dict[str, Any]:
        """The template's user: `userName` and `name`."""
        return {
            "schemas": [USER_URN],
            "userName": user_name,
            "name": {
                "givenName": given_name,
                "familyName": family_name,
                "formatted": f"{given_name} {family_name}",
            },
        }

    def create_user(self, user: dict[str, Any]) -> requests.Response:
        """`POST /Users` ([OL] Create User)."""
        return self._send("POST", "/Users", json=user)

    def get_user(self, user_id: str) -> requests.Response:
        """`GET /Users/{id}` ([OL] Get User by ID)."""
        return self._send("GET", f"/Users/{user_id}")

    def update_user(self, user_id: str, user: dict[str, Any]) -> requests.Response:
        """`PUT /Users/{id}` with the whole user ([OL] Update User)."""
        return self._send("PUT", f"/Users/{user_id}", json=user)

    def suspend_user(self, user_id: str, user: dict[str, Any]) -> requests.Response:
        """Suspension: the whole user again, with `active: false`."""
        return self.update_user(user_id, {**user, "active": False})

    def delete_user(self, user_id: str) -> requests.Response:
        """`DELETE /Users/{id}` ([OL] Delete User)."""
        return self._send("DELETE", f"/Users/{user_id}")

    def list_groups(self) -> requests.Response:
        """`GET /Groups` ([OL] Get Groups)."""
        return self._send("GET", "/Groups")

    def create_group(self, display_name: str) -> requests.Response:
        """`POST /Groups` with no members ([OL] Create Group)."""
        body = {"schemas": [GROUP_URN], "displayName": display_name, "members": []}
        return self._send("POST", "/Groups", json=body)

    def add_member(self, group_id: str, user_id: str) -> requests.Response:
        """`PATCH /Groups/{id}` adding one member ([OL] Patch Group; RFC 7644 form)."""
        operation = {"op": "add", "path": "members", "value": [{"value": user_id}]}
        return self._patch(f"/Groups/{group_id}", [operation])

    def remove_member(self, group_id: str, user_id: str) -> requests.Response:
        """`PATCH /Groups/{id}` removing one member ([OL] Patch Group; RFC 7644 form)."""
        operation = {"op": "remove", "path": f'members[value eq "{user_id}"]'}
        return self._patch(f"/Groups/{group_id}", [operation])
