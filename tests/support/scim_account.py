"""Putting the emulated Dashboard account in the state a test needs."""

import uuid
from typing import Any

import requests

from scim_setup.emulator.process import EmulatorProcess

ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"


def enable_scim(
    emulator: EmulatorProcess, admin: requests.Session, account_size_gb: int = 50
) -> str:
    """Enable SCIM with `account_size_gb` and return a newly generated SCIM token."""
    settings = {"enabled": True, "accountSizeGb": account_size_gb}
    admin.put(f"{emulator.url}/api/v1/scim", json=settings).raise_for_status()
    response = admin.post(f"{emulator.url}/api/v1/scim/token")
    response.raise_for_status()
    return response.json()["token"]


def unique(prefix: str) -> str:
    """A name no other test uses: tests share one emulator per module."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def backup_accounts(emulator: EmulatorProcess) -> dict[str, dict[str, Any]]:
    """The backup accounts by userName, as the admin API lists them."""
    with emulator.admin_session() as admin:
        items = admin.get(f"{emulator.url}/api/v1/backup-accounts").json()["items"]
    return {item["userName"]: item for item in items}


def backup_account(emulator: EmulatorProcess, user_name: str) -> dict[str, Any]:
    accounts = backup_accounts(emulator)
    assert user_name in accounts, f"no backup account for {user_name}"
    return accounts[user_name]


def assert_scim_error(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR_URN]
    assert body["status"] == str(status)
    return body
