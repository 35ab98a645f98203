"""Fixtures for the emulator's own tests: SCIM switched on and an Entra stand-in."""

from collections.abc import Iterator

import pytest
import requests

from scim_setup.emulator.entra_replay import EntraReplay
from scim_setup.emulator.process import EmulatorProcess
from tests.support.scim_account import enable_scim


@pytest.fixture
def scim_token(emulator: EmulatorProcess, admin_session: requests.Session) -> str:
    """The active SCIM token, with SCIM enabled at 50 GB."""
    return enable_scim(emulator, admin_session)


@pytest.fixture
def entra(emulator: EmulatorProcess, scim_token: str) -> Iterator[EntraReplay]:
    """Entra's provisioning requests, sent to the plain tenant URL (no compliance flag)."""
    replay = EntraReplay(emulator.tenant_url, scim_token)
    yield replay
    replay.close()
