"""A stand-in for Microsoft Entra ID's provisioning service: the requests it sends.

Real Entra cannot reach a local endpoint (it needs public HTTPS), so tests and
the demo replay its documented request shapes instead, quirks included. Each
method cites its section of `shared/research/scim-endpoint.md` (§1 = "What
the Entra provisioning service sends").

`compliant` chooses between the two columns of the §1 quirk table: the
default, non-compliant shapes (`"False"` strings, member removal with a
`value` list) or the RFC shapes Entra sends when the tenant URL carries the
`aadOptscim062020` flag. Left as None, it follows the flag in the tenant URL.

Every method returns the `requests.Response`, as Entra judges the status.
"""

import uuid
from collections.abc import Iterable
from typing import Any

import requests

from scim_setup.emulator.scim_replay import GROUP_URN, USER_URN, ScimReplay

ENTERPRISE_USER_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MISSPELT_ENTERPRISE_USER_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"
ADSCIM_GROUP_URN = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
COMPLIANCE_FLAG = "aadOptscim062020"


class EntraReplay(ScimReplay):
    """Sends Entra's SCIM requests to one tenant URL with one SCIM token."""

    def __init__(self, tenant_url: str, token: str, *, timeout: float = 10.0) -> None:
        super().__init__(tenant_url, token, timeout=timeout)
        self.compliant = COMPLIANCE_FLAG.lower() in self.query.lower()

    # Lookups

    def test_connection(self) -> requests.Response:
        """*Test Connection*: look up a user by a random GUID; expects 200, 0 results (§1)."""
        return self.find_user(str(uuid.uuid4()))

    def find_user(self, user_name: str) -> requests.Response:
        """`GET /Users?filter=userName eq "x"`, the default matching attribute (§1 Lookups)."""
        return self._send("GET", "/Users", params={"filter": f'userName eq "{user_name}"'})

    def find_user_by_external_id(self, external_id: str) -> requests.Response:
        """`GET /Users?filter=externalId eq jyoung`: unquoted, as the doc prints it (§1 Lookups)."""
        return self._send("GET", "/Users", params={"filter": f"externalId eq {external_id}"})

    def get_user(self, user_id: str) -> requests.Response:
        """`GET /Users/{id}` (§1 Lookups)."""
        return self._send("GET", f"/Users/{user_id}")

    def list_users(self, start_index: int = 1, count: int = 5) -> requests.Response:
        """`GET /Users?startIndex=N&count=5`: the validator's paging test (§3)."""
        return self._send("GET", "/Users", params={"startIndex": start_index, "count": count})

    def find_group(self, display_name: str) -> requests.Response:
        """`GET /Groups?excludedAttributes=members&filter=displayName eq "x"` (§1 Lookups)."""
        params = {"excludedAttributes": "members", "filter": f'displayName eq "{display_name}"'}
        return self._send("GET", "/Groups", params=params)

    def get_group(self, group_id: str) -> requests.Response:
        """`GET /Groups/{id}?excludedAttributes=members` (§1 Lookups)."""
        return self._send("GET", f"/Groups/{group_id}", params={"excludedAttributes": "members"})

    def schemas(self) -> requests.Response:
        """`GET /Schemas`, called when a provisioning configuration is saved (§1 /Schemas)."""
        return self._send("GET", "/Schemas")

    # Users

    def create_user(
        self,
        user_name: str,
        external_id: str,
        given_name: str,
        family_name: str,
        email: str,
        *,
        with_nulls: bool = False,
    ) -> requests.Response:
        """`POST /Users` with the doc's payload (§1 Create user).

        `with_nulls` sends the doc's second example instead: `displayName`, the
        unmapped attributes as `null`, and the enterprise URN misspelt `…:2.0User`.
        """
        body: dict[str, Any] = {
            "schemas": [USER_URN, ENTERPRISE_USER_URN],
            "externalId": external_id,
            "userName": user_name,
            "active": True,
            "emails": [{"primary": True, "type": "work", "value": email}],
            "meta": {"resourceType": "User"},
            "name": {
                "formatted": f"{given_name} {family_name}",
                "familyName": family_name,
                "givenName": given_name,
            },
            "roles": [],
        }
        if with_nulls:
            body["schemas"] = [USER_URN, MISSPELT_ENTERPRISE_USER_URN]
            body["displayName"] = f"{given_name} {family_name}"
            body.update(
                dict.fromkeys(
                    ("addresses", "phoneNumbers", "preferredLanguage", "title", "department"),
                )
            )
            body["manager"] = None
        return self._send("POST", "/Users", json=body)

    def update_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        family_name: str | None = None,
        given_name: str | None = None,
        display_name: str | None = None,
        user_name: str | None = None,
        external_id: str | None = None,
        employee_number: str | None = None,
        compliant: bool | None = None,
    ) -> requests.Response:
        """`PATCH /Users/{id}` with the changed attributes (§1 Update, quirk "Replace many").

        Non-compliant: one `Replace` per path. Compliant: the filter path
        `emails[type eq "work"].value` stays its own op; the rest is one
        `replace` without `path` whose value has dotted keys.
        """
        changes = {
            "displayName": display_name,
            "userName": user_name,
            "externalId": external_id,
            "name.familyName": family_name,
            "name.givenName": given_name,
            f"{ENTERPRISE_USER_URN}:employeeNumber": employee_number,
        }
        changes = {path: value for path, value in changes.items() if value is not None}
        operations = []
        if email is not None:
            operations.append(
                {
                    "op": self._op("Replace", compliant),
                    "path": 'emails[type eq "work"].value',
                    "value": email,
                }
            )
        if self._compliant(compliant) and changes:
            operations.append({"op": "replace", "value": changes})
        else:
            operations += [
                {"op": "Replace", "path": path, "value": value} for path, value in changes.items()
            ]
        return self._patch(f"/Users/{user_id}", operations)

    def set_manager(self, user_id: str, manager_id: str) -> requests.Response:
        """`Add` on `manager` with `[{"$ref": …, "value": id}]` (§1 Update, Example 5)."""
        reference = {"$ref": f"{self.base_url}/Users/{manager_id}", "value": manager_id}
        return self._patch(
            f"/Users/{user_id}", [{"op": "Add", "path": "manager", "value": [reference]}]
        )

    def add_to_empty_attribute(self, user_id: str, nick_name: str) -> requests.Response:
        """`Add` of a single value, `nickName` as in the quirk table (§1 "Add single-value")."""
        op = self._op("Add", None)
        return self._patch(
            f"/Users/{user_id}", [{"op": op, "path": "nickName", "value": nick_name}]
        )

    def add_phone(self, user_id: str, number: str) -> requests.Response:
        """`add` through a filter path that matches no element yet ([SP] in §1 Update)."""
        operation = {"op": "add", "path": 'phoneNumbers[type eq "mobile"].value', "value": number}
        return self._patch(f"/Users/{user_id}", [operation])

    def disable_user(self, user_id: str, compliant: bool | None = None) -> requests.Response:
        """Soft delete: `active` to false, as `"False"` or `false` (§1 quirk table, "Disable")."""
        return self._set_active(user_id, False, compliant)

    def enable_user(self, user_id: str, compliant: bool | None = None) -> requests.Response:
        """Re-assignment: `active` to true, as `"True"` or `true` (§1 Disable / delete)."""
        return self._set_active(user_id, True, compliant)

    def delete_user(self, user_id: str) -> requests.Response:
        """Hard delete: `DELETE /Users/{id}`, expects 204 (§1 Disable / delete)."""
        return self._send("DELETE", f"/Users/{user_id}")

    def _set_active(self, user_id: str, active: bool, compliant: bool | None) -> requests.Response:
        value: bool | str = active if self._compliant(compliant) else str(active)
        operation = {"op": self._op("Replace", compliant), "path": "active", "value": value}
        return self._patch(f"/Users/{user_id}", [operation])

    # Groups

    def create_group(self, display_name: str, external_id: str) -> requests.Response:
        """`POST /Groups` with Microsoft's ADSCIM schema URI, created empty (§1 Groups)."""
        body = {
            "schemas": [GROUP_URN, ADSCIM_GROUP_URN],
            "externalId": external_id,
            "displayName": display_name,
            "meta": {"resourceType": "Group"},
        }
        return self._send("POST", "/Groups", json=body)

    def rename_group(self, group_id: str, display_name: str) -> requests.Response:
        """`Replace displayName` (§1 Groups)."""
        operation = {"op": "Replace", "path": "displayName", "value": display_name}
        return self._patch(f"/Groups/{group_id}", [operation])

    def add_members(self, group_id: str, user_ids: Iterable[str]) -> requests.Response:
        """`{"op":"Add","path":"members","value":[{"$ref":null,"value":id}]}` (§1 Groups)."""
        members = [{"$ref": None, "value": user_id} for user_id in user_ids]
        return self._patch(
            f"/Groups/{group_id}", [{"op": "Add", "path": "members", "value": members}]
        )

    def remove_members(
        self, group_id: str, user_ids: Iterable[str], compliant: bool | None = None
    ) -> requests.Response:
        """Remove members, in the two forms of the §1 quirk table ("Remove member").

        Non-compliant: `{"op":"Remove","path":"members","value":[{"value":id}]}`.
        Compliant: one `{"op":"remove","path":"members[value eq \\"id\\"]"}` per member.
        """
        ids = list(user_ids)
        if self._compliant(compliant):
            operations: list[dict[str, Any]] = [
                {"op": "remove", "path": f'members[value eq "{user_id}"]'} for user_id in ids
            ]
        else:
            members = [{"value": user_id} for user_id in ids]
            operations = [{"op": "Remove", "path": "members", "value": members}]
        return self._patch(f"/Groups/{group_id}", operations)

    def delete_group(self, group_id: str) -> requests.Response:
        """`DELETE /Groups/{id}`, expects 204 (§1 Groups)."""
        return self._send("DELETE", f"/Groups/{group_id}")

    # Transport

    def _compliant(self, compliant: bool | None) -> bool:
        return self.compliant if compliant is None else compliant

    def _op(self, name: str, compliant: bool | None) -> str:
        """Entra capitalises ops unless the compliance flag is on (§1 quirk table)."""
        return name.lower() if self._compliant(compliant) else name
