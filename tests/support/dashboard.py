"""The Dashboard as its UI user sees it: admin calls to the emulator, plus its test hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests


@dataclass(frozen=True)
class HandMadeToken:
    """A token a person generated in the UI and saved; its secret never shows in a report."""

    id: str
    token: str = field(repr=False)


class Dashboard:
    """Admin-side access to the emulator, standing in for a person using the Dashboard UI."""

    def __init__(self, url: str, admin_token: str) -> None:
        self.url = url
        self.admin_token = admin_token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {admin_token}"

    def settings(self) -> dict[str, Any]:
        return self.session.get(f"{self.url}/api/v1/scim", timeout=10).json()

    def put_settings(self, enabled: bool, account_size_gb: int) -> None:
        body = {"enabled": enabled, "accountSizeGb": account_size_gb}
        self.session.put(f"{self.url}/api/v1/scim", json=body, timeout=10).raise_for_status()

    def set_up_by_hand(self, account_size_gb: int) -> HandMadeToken:
        """The admin guide done in the UI: SCIM on, a size, Generate (no label); the saved token."""
        self.put_settings(enabled=True, account_size_gb=account_size_gb)
        generated = self.regenerate_token()
        return HandMadeToken(generated["id"], generated["token"])

    def regenerate_token(self) -> dict[str, Any]:
        response = self.session.post(f"{self.url}/api/v1/scim/token", timeout=10)
        response.raise_for_status()
        return response.json()

    def revoke_token(self, token_id: str) -> int:
        return self.session.delete(
            f"{self.url}/api/v1/scim/token/{token_id}", timeout=10
        ).status_code

    def scim_status(self, token: str) -> int:
        """What the SCIM endpoint says to Entra's Test Connection made with `token`."""
        tenant_url = self.settings()["tenantUrl"]
        response = requests.get(
            f"{tenant_url}/Users",
            params={"filter": 'userName eq "7d1c4a52-0c5b-4b8e-9b7e-0c2f1f0e9a11"'},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        return response.status_code

    def requests(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.url}/_emulator/requests", timeout=10).json()["items"]

    def clear_requests(self) -> None:
        requests.delete(f"{self.url}/_emulator/requests", timeout=10).raise_for_status()

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["method"] in ("POST", "PUT", "PATCH", "DELETE")]

    def fault(self, **spec: Any) -> None:
        requests.post(f"{self.url}/_emulator/faults", json=spec, timeout=10).raise_for_status()

    def clear_faults(self) -> None:
        requests.delete(f"{self.url}/_emulator/faults", timeout=10).raise_for_status()
