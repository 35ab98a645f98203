"""A stand-in for Okta's SCIM 2.0 client: the requests Okta documents sending.

Source [OKTA]: Okta's "Okta and SCIM Version 2.0" reference,
https://developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20 (user
and group operations, with request bodies), and its SCIM 1.1 sibling
https://developer.okta.com/docs/reference/scim/scim-11/ for the constant
paging of the connection check and the `Okta SCIM Client` User-Agent.
Integrations built with the App Integration Wizard update users with `PUT`
(the whole user, `active` included), OIN-template ones with `PATCH`; both
are here, as is deactivation both ways.
"""

from typing import Any

import requests

from scim_setup.emulator.scim_replay import GROUP_URN, USER_URN, ScimReplay

PAGE = {"startIndex": 1, "count": 100}
"""Okta pages every lookup with these constants ([OKTA] "Create Users", "Import Users")."""


class OktaReplay(ScimReplay):
    """Sends Okta's SCIM requests to one tenant URL with one SCIM token."""

    user_agent = "Okta SCIM Client 1.0.0"

    def test_connection(self) -> requests.Response:
        """`GET /Users?startIndex=1&count=2`: the check when provisioning is saved ([OKTA])."""
        return self._send("GET", "/Users", params={"startIndex": 1, "count": 2})

    def find_user(self, user_name: str) -> requests.Response:
        """`GET /Users?filter=userName eq "x"&startIndex=1&count=100` before a create."""
        return self._send("GET", "/Users", params={"filter": f'userName eq "{user_name}"', **PAGE})

    def import_users(self, start_index: int = 1) -> requests.Response:
        """`GET /Users?startIndex=N&count=100`: an import walks every page."""
        return self._send("GET", "/Users", params={"startIndex": start_index, "count": 100})

    def create_user(
        self, user_name: str, given_name: str, family_name: str, okta_id: str
    ) -> requests.Response:
        """`POST /Users` with the profile, an empty `groups` and a password ([OKTA] Create)."""
        return self._send(
            "POST", "/Users", json=self.user_body(user_name, given_name, family_name, okta_id)
        )

    def user_body(
        self, user_name: str, given_name: str, family_name: str, okta_id: str
    ) -> dict[str, Any]:
        """The user as Okta sends it on create (and, with `id` and changes, on `PUT`)."""
        return {
            "schemas": [USER_URN],
            "userName": user_name,
            "name": {"givenName": given_name, "familyName": family_name},
            "emails": [{"primary": True, "value": user_name, "type": "work"}],
            "displayName": f"{given_name} {family_name}",
            "locale": "en-US",
            "externalId": okta_id,
            "groups": [],
            "password": "1mz050nq",
            "active": True,
        }

    def get_user(self, user_id: str) -> requests.Response:
        """`GET /Users/{id}` ([OKTA] Retrieve specific Users)."""
        return self._send("GET", f"/Users/{user_id}")

    def replace_user(self, user_id: str, user: dict[str, Any]) -> requests.Response:
        """`PUT /Users/{id}` with the whole user, `id` included ([OKTA] Update a specific User)."""
        return self._send("PUT", f"/Users/{user_id}", json={**user, "id": user_id})

    def deactivate_by_put(self, user_id: str, user: dict[str, Any]) -> requests.Response:
        """Deactivation by `PUT` of the whole user with `active: false` (AIW integrations)."""
        return self.replace_user(user_id, {**user, "active": False})

    def set_active(self, user_id: str, active: bool) -> requests.Response:
        """`PATCH` `{"op":"replace","value":{"active":…}}` ([OKTA] Update a specific User)."""
        return self._patch(f"/Users/{user_id}", [{"op": "replace", "value": {"active": active}}])

    # Group Push

    def find_group(self, display_name: str) -> requests.Response:
        """`GET /Groups?filter=displayName eq "x"&startIndex=1&count=100`."""
        params = {"filter": f'displayName eq "{display_name}"', **PAGE}
        return self._send("GET", "/Groups", params=params)

    def create_group(self, display_name: str, members: list[dict[str, str]]) -> requests.Response:
        """`POST /Groups` with its members, each `{"value": id, "display": userName}`."""
        body = {"schemas": [GROUP_URN], "displayName": display_name, "members": members}
        return self._send("POST", "/Groups", json=body)

    def rename_group(self, group_id: str, display_name: str) -> requests.Response:
        """A no-path replace whose value repeats the group's `id` ([OKTA] Update Group name)."""
        value = {"id": group_id, "displayName": display_name}
        return self._patch(f"/Groups/{group_id}", [{"op": "replace", "value": value}])

    def add_members(self, group_id: str, members: list[dict[str, str]]) -> requests.Response:
        """`{"op":"add","path":"members","value":[{"value","display"}]}`."""
        operation = {"op": "add", "path": "members", "value": members}
        return self._patch(f"/Groups/{group_id}", [operation])

    def remove_member(self, group_id: str, user_id: str) -> requests.Response:
        """`{"op":"remove","path":"members[value eq \\"id\\"]"}`."""
        operation = {"op": "remove", "path": f'members[value eq "{user_id}"]'}
        return self._patch(f"/Groups/{group_id}", [operation])

    def replace_group(
        self, group_id: str, display_name: str, members: list[dict[str, str]]
    ) -> requests.Response:
        """`PUT /Groups/{id}` with the whole member list."""
        body = {
            "schemas": [GROUP_URN],
            "id": group_id,
            "displayName": display_name,
            "members": members,
        }
        return self._send("PUT", f"/Groups/{group_id}", json=body)

    def delete_group(self, group_id: str) -> requests.Response:
        """`DELETE /Groups/{id}` when a pushed group is unlinked and deleted."""
        return self._send("DELETE", f"/Groups/{group_id}")
