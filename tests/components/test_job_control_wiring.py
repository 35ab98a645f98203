"""The program under mocks: what the job control receives, and which config change restarts.

Microsoft's known issues: a switch between "sync all" and "sync assigned" takes effect only after
a restart. The program runs twice, with the deployed config and with one key changed; the job
control's inputs of both runs go through the provider's own rule (`scope_changed`, then
`job_actions` for a running job), as `check` and `update` apply it in a real `pulumi up`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from providers.graph.client import JobStatus, ProvisioningJob
from providers.graph.job_control import RESTART_SCOPE, job_actions, scope_changed
from tests.support.azure_mocks import GROUP_A, GROUP_B, JOB, JOB_CONTROL, SECRET
from tests.support.stack_program import BASE_CONFIG, run_program

if TYPE_CHECKING:
    from conftest import PulumiEngine

DEPLOYED = {
    **BASE_CONFIG,
    "entra:application": '{"displayName": "Backup SCIM"}',
    "entra:assignedGroups": f'["{GROUP_A}"]',
}
RUNNING = ProvisioningJob("Active", JobStatus("Active", None, None, None, 0, None))


def control_inputs(engine: PulumiEngine, config: dict[str, str]) -> dict[str, Any]:
    run_program(engine, config)
    return engine.one(JOB_CONTROL).inputs


def restart_declared(engine: PulumiEngine, change: dict[str, str]) -> list[str]:
    before = control_inputs(engine, DEPLOYED)
    after = control_inputs(engine, {**DEPLOYED, **change})
    return job_actions(RUNNING, after["start_provisioning"], scope_changed(before, after))


def test_a_sync_all_change_declares_the_restart(pulumi_engine):
    assert restart_declared(pulumi_engine, {"entra:syncAll": "true"}) == [RESTART_SCOPE]


@pytest.mark.parametrize(
    "change",
    [
        {"entra:assignedGroups": f'["{GROUP_A}", "{GROUP_B}"]'},
        {"entra:notificationEmail": "ops@example.com"},
        {"entra:deleteThreshold": "500"},
        {"entra:compliantPatch": "true"},
        {"entra:testConnection": "false"},
        {"entra:failWhenQuarantined": "true"},
        {"scim:accountSizeGb": "80"},
        {"scim:keepers": '{"rotation": "2027-01"}'},
    ],
    ids=lambda change: next(iter(change)),
)
def test_no_other_change_declares_a_restart(pulumi_engine, change):
    assert restart_declared(pulumi_engine, change) == []


def test_job_control_gets_the_secrets_pairs_as_a_secret_after_secret_and_job(pulumi_engine):
    inputs = control_inputs(pulumi_engine, {**DEPLOYED, "entra:syncAll": "true"})

    control = pulumi_engine.one(JOB_CONTROL)
    secret = pulumi_engine.one(SECRET)
    assert control.is_secret("credentials")
    assert control.plain("credentials") == secret.plain("credentials")
    assert control.additional_secret_outputs == ["credentials"]
    assert control.dependencies >= {secret.urn, pulumi_engine.one(JOB).urn}
    assert (inputs["start_provisioning"], inputs["sync_all"]) == (True, True)
    assert "ProvisioningManagement" in inputs["portal_url"]


ADOPTED = {
    **BASE_CONFIG,
    "entra:application": '{"objectId": "11111111-2222-4333-8444-555555555555"}',
    "entra:assignedGroups": f'["{GROUP_A}"]',
}


@pytest.mark.parametrize(
    ("saved", "declared", "restarts"),
    [("true", "false", True), ("false", "false", False), ("true", "true", False)],
    ids=["all-to-assigned", "kept-assigned", "kept-all"],
)
def test_the_first_up_after_adoption_restarts_when_the_scope_differs_from_the_saved_one(
    pulumi_engine, saved, declared, restarts
):
    """On the first `up` the job control is created (`olds` empty): the scope it switches from is
    the `SyncAll` key `scim-setup adopt` read from Entra (`entra:import.syncAll`)."""
    config = {**ADOPTED, "entra:import": f'{{"syncAll": {saved}}}', "entra:syncAll": declared}
    inputs = control_inputs(pulumi_engine, config)

    actions = job_actions(RUNNING, inputs["start_provisioning"], scope_changed({}, inputs))
    assert actions == ([RESTART_SCOPE] if restarts else [])


def test_a_new_setup_never_restarts_on_create(pulumi_engine):
    inputs = control_inputs(pulumi_engine, {**DEPLOYED, "entra:syncAll": "true"})

    assert scope_changed({}, inputs) is False
