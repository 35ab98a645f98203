"""Run the fake Microsoft Graph (`scim_setup.emulator.fake_graph`) as a child process.

    with FakeGraphProcess() as graph:
        graph.add_job(SP_ID, JOB_ID, state="Quarantine")
        subprocess.run([...], env={**os.environ, **graph.environment()})

`environment()` is what points this package's Graph client at the fake: the Graph URL, the
authority host azure-identity signs in at, the CA bundle that trusts the fake's certificate and
the client credentials the fake accepts, under the same `ARM_*` names the azuread provider reads.
"""

from __future__ import annotations

from typing import Any

import requests

from scim_setup.emulator.process import EmulatorProcess


class FakeGraphProcess(EmulatorProcess):
    MODULE = "scim_setup.emulator.fake_graph"

    @property
    def graph_url(self) -> str:
        return self.url

    @property
    def ca_bundle(self) -> str:
        return self._announced("ca_bundle")

    @property
    def tenant_id(self) -> str:
        return self._announced("tenant_id")

    @property
    def client_id(self) -> str:
        return self._announced("client_id")

    @property
    def client_secret(self) -> str:
        return self._announced("client_secret")

    def environment(self) -> dict[str, str]:
        return {
            "SCIM_SETUP_GRAPH_URL": self.graph_url,
            "AZURE_AUTHORITY_HOST": self._announced("authority_host"),
            "REQUESTS_CA_BUNDLE": self.ca_bundle,
            "ARM_TENANT_ID": self.tenant_id,
            "ARM_CLIENT_ID": self.client_id,
            "ARM_CLIENT_SECRET": self.client_secret,
        }

    def add_job(
        self,
        service_principal_id: str,
        job_id: str,
        state: str = "Active",
        valid: bool = True,
        **lifecycle: Any,
    ) -> dict[str, Any]:
        """Create or change a job; `valid=False` makes validateCredentials answer 400 (until
        secrets are saved for the service principal). `lifecycle`: `reason`, `nextAttempt`,
        `schedule`, `hiddenForSeconds` (see `scim_setup.emulator.fake_graph`)."""
        body = {
            "servicePrincipalId": service_principal_id,
            "jobId": job_id,
            "state": state,
            "credentialsValid": valid,
            **lifecycle,
        }
        return self._hook("PUT", "/_fake/jobs", body).json()

    def overwrite_secrets(self, service_principal_id: str, credentials: dict[str, str]) -> None:
        """A person saves other provisioning secrets in the portal."""
        pairs = [{"key": key, "value": value} for key, value in credentials.items()]
        body = {"servicePrincipalId": service_principal_id, "credentials": pairs}
        self._hook("PUT", "/_fake/secrets", body)

    def actions(self) -> list[dict[str, Any]]:
        """Every start and restart so far, with the restart criteria."""
        return self._hook("GET", "/_fake/actions").json()["items"]

    def add_service_principal(
        self,
        object_id: str,
        app_id: str,
        display_name: str,
        application_id: str | None = None,
        app_roles: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """An enterprise app (and its registration, `application_id`), as made in the portal."""
        body = {
            "id": object_id,
            "appId": app_id,
            "displayName": display_name,
            "applicationId": application_id,
            "appRoles": app_roles or [],
        }
        return self._hook("PUT", "/_fake/servicePrincipals", body).json()

    def assign(
        self, resource_id: str, principal_id: str, app_role_id: str, principal_type: str = "Group"
    ) -> dict[str, Any]:
        """Assign a group (or user) to the app; returns the assignment with its `id`."""
        body = {
            "resourceId": resource_id,
            "principalId": principal_id,
            "principalType": principal_type,
            "principalDisplayName": f"{principal_type} {principal_id[:8]}",
            "appRoleId": app_role_id,
        }
        return self._hook("POST", "/_fake/appRoleAssignments", body).json()

    def set_replication_lag(self, seconds: float) -> None:
        """How long service principals created from now on answer 404 (Graph's lag)."""
        self._hook("PUT", "/_fake/replicationLag", {"seconds": seconds})

    def throttle(self, count: int, retry_after: int = 1) -> None:
        """The next `count` Graph calls get 429 with `Retry-After: retry_after`."""
        self._hook("POST", "/_fake/throttle", {"count": count, "retryAfter": retry_after})

    def requests(self) -> list[dict[str, Any]]:
        return self._hook("GET", "/_fake/requests").json()["items"]

    def add_users(self, *users: dict[str, Any]) -> None:
        """Add users to the fake directory (`id`, `userPrincipalName`, `mail`, ..., `assigned`)."""
        self._hook("PUT", "/_fake/directory", {"users": list(users)})

    def add_groups(self, *groups: dict[str, Any]) -> None:
        """Add groups to the fake directory (`id`, `displayName`, `members`: user ids)."""
        self._hook("PUT", "/_fake/groups", {"groups": list(groups)})

    def delete_user(self, user_id: str) -> None:
        """Delete a directory user (Entra soft-deletes: provisioning disables the account)."""
        self._hook("DELETE", f"/_fake/directory/{user_id}")

    def run_cycle(self, job_id: str) -> dict[str, Any]:
        """Run one provisioning cycle of a started job now; returns the job with its status."""
        return self._hook("POST", f"/_fake/jobs/{job_id}/cycle").json()

    def edit_mapping(
        self, service_principal_id: str, job_id: str, target: str, expression: str
    ) -> None:
        """Change one user mapping of the job, as a portal edit would."""
        body = {
            "servicePrincipalId": service_principal_id,
            "jobId": job_id,
            "target": target,
            "expression": expression,
        }
        self._hook("PUT", "/_fake/mappings", body)

    def graph(
        self, method: str, path: str, body: Any = None, version: str = "v1.0"
    ) -> requests.Response:
        """One Graph call (`path` after `/v1.0`, or `/beta`) with a token from the fake's sign-in
        endpoint, as the azuread provider would make it (e.g. `PUT .../synchronization/secrets`)."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": f"{self.url}/.default",
        }
        token_url = f"{self.url}/{self.tenant_id}/oauth2/v2.0/token"
        token = requests.post(token_url, data=form, verify=self.ca_bundle, timeout=10)
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return requests.request(
            method,
            f"{self.url}/{version}{path}",
            json=body,
            headers=headers,
            verify=self.ca_bundle,
            timeout=30,
        )

    def save_secrets(self, service_principal_id: str, tenant_url: str, token: str) -> None:
        """Save the Tenant URL and Secret Token as pulumi-azuread's SynchronizationSecret does."""
        pairs = [
            {"key": "BaseAddress", "value": tenant_url},
            {"key": "SecretToken", "value": token},
            {"key": "SyncAll", "value": "false"},
        ]
        path = f"/servicePrincipals/{service_principal_id}/synchronization/secrets"
        self.graph("PUT", path, {"value": pairs}).raise_for_status()

    def _hook(self, method: str, path: str, body: Any = None) -> requests.Response:
        response = requests.request(
            method, self.url + path, json=body, verify=self.ca_bundle, timeout=10
        )
        response.raise_for_status()
        return response
