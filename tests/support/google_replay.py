"""A stand-in for Google Workspace's auto-provisioning of a custom SAML app.

Sources: [GW] Google Workspace Admin Help "Automated user provisioning"
(https://support.google.com/a/answer/7681608): users are synced every few
hours; active, suspended and deleted users are provisioned, archived ones
not; the deprovisioning settings turn "app turned off for the user", "user
suspended" and "user deleted" into a suspension or a deletion in the app.
[GW-SETUP] a service provider's setup guide for Google's SCIM client
(https://authn-sh-docs.pages.dev/guides/scim/google-workspace/): the
connection check `GET /Users?count=1`. Google publishes no request bodies,
so users are created, looked up, suspended and deleted with RFC 7644
shapes; `docs/dashboard-api.md` marks these as unverified.
"""

import requests

from scim_setup.emulator.scim_replay import USER_URN, ScimReplay


class GoogleReplay(ScimReplay):
    """Sends Google Workspace's SCIM requests to one tenant URL with one SCIM token."""

    def test_connection(self) -> requests.Response:
        """`GET /Users?count=1` when auto-provisioning is set up ([GW-SETUP])."""
        return self._send("GET", "/Users", params={"count": 1})

    def find_user(self, user_name: str) -> requests.Response:
        """`GET /Users?filter=userName eq "x"` before a create (RFC 7644 §3.4.2)."""
        return self._send("GET", "/Users", params={"filter": f'userName eq "{user_name}"'})

    def create_user(
        self, primary_email: str, given_name: str, family_name: str
    ) -> requests.Response:
        """`POST /Users` with the default mapping: primary e-mail, first and last name."""
        body = {
            "schemas": [USER_URN],
            "userName": primary_email,
            "name": {"givenName": given_name, "familyName": family_name},
            "emails": [{"value": primary_email, "type": "work", "primary": True}],
            "active": True,
        }
        return self._send("POST", "/Users", json=body)

    def set_active(self, user_id: str, active: bool) -> requests.Response:
        """Suspension (or restore) per the deprovisioning settings: `replace active` ([GW])."""
        operation = {"op": "replace", "path": "active", "value": active}
        return self._patch(f"/Users/{user_id}", [operation])

    def delete_user(self, user_id: str) -> requests.Response:
        """ "Delete" in the deprovisioning settings: `DELETE /Users/{id}` ([GW])."""
        return self._send("DELETE", f"/Users/{user_id}")
