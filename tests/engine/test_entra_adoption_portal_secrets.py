"""Adopting an app whose provisioning secrets were saved with notification settings.

PYTEST_DONT_REWRITE: the test holds a real SCIM token; a failing assertion must not print it.

Graph's own example for saving provisioning secrets (synchronization-serviceprincipal-put-
synchronization), like the portal's Save, stores four keys: BaseAddress, SecretToken,
SyncNotificationSettings and SyncAll. Graph merges keys on PUT, and pulumi-azuread's
SynchronizationSecret waits until Graph lists as many keys as it sent
(terraform-provider-azuread `synchronization_secret_resource.go`): a program that sent fewer keys
than are saved would time out on the secret's first `pulumi up` of the adoption. The program
always sends all four (`components/provisioning_credentials.py`); the stand-in plugin does what
upstream does, on a scaled clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from components.entra_import import assignment_import_id, job_import_id
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from tests.support.dashboard import Dashboard, HandMadeToken
from tests.support.entra_stack import (
    SALES,
    USER_ROLE,
    USER_ROLES,
    entra_stack,
    fake_entra,
)
from tests.support.leaks import assert_not_leaked

SP_ID = "adc00000-0000-4000-8000-0000000000b1"
JOB = f"scim.0123456789abcdef0123456789abcdef.{SP_ID}"
NOTIFICATIONS_OFF = json.dumps({"Enabled": False, "DeleteThresholdEnabled": False})


@pytest.fixture(scope="module")
def by_hand(emulator: EmulatorProcess) -> HandMadeToken:
    return Dashboard(emulator.url, emulator.admin_token).set_up_by_hand(60)


@pytest.fixture(scope="module")
def graph(by_hand: HandMadeToken, emulator: EmulatorProcess) -> Iterator[FakeGraphProcess]:
    """The app, its job running, Sales assigned, and the four keys Graph's example saves."""
    tenant_url = Dashboard(emulator.url, emulator.admin_token).settings()["tenantUrl"]
    with fake_entra() as process:
        process.add_service_principal(
            SP_ID, "adc00000-0000-4000-8000-0000000000b2", "SSO", None, USER_ROLES
        )
        process.add_job(SP_ID, JOB, "Active")
        pairs = [
            {"key": "BaseAddress", "value": tenant_url},
            {"key": "SecretToken", "value": by_hand.token},
            {"key": "SyncNotificationSettings", "value": NOTIFICATIONS_OFF},
            {"key": "SyncAll", "value": "false"},
        ]
        path = f"/servicePrincipals/{SP_ID}/synchronization/secrets"
        process.graph("PUT", path, {"value": pairs}).raise_for_status()
        yield process


def test_first_up_of_the_adoption_succeeds(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    by_hand: HandMadeToken,
    tmp_path_factory: pytest.TempPathFactory,
):
    assignment = graph.assign(SP_ID, SALES, USER_ROLE)["id"]
    work = tmp_path_factory.mktemp("entra-adoption-portal")
    stack = entra_stack(work, emulator, graph, {"objectId": SP_ID}, [SALES])
    stack.set_config("scim:existingToken", by_hand.token, secret=True)
    imports = {
        "synchronizationJob": job_import_id(SP_ID, JOB),
        "groupAssignments": {SALES: assignment_import_id(SP_ID, assignment)},
    }
    stack.set_object_config("entra:import", imports)

    result = stack.run("up", "--yes", "--skip-preview", *stack.config_args(), check=False)

    assert_not_leaked(result.stdout + result.stderr, by_hand.token, "the pulumi CLI's output")
    assert "timeout while waiting" not in result.stdout
    assert result.returncode == 0
