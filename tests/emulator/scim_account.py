"""Putting the emulated Dashboard account in the state a test needs."""

import uuid

import requests

from emulator.process import EmulatorProcess


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
