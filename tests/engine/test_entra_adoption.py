"""Adopting a Dashboard and an Entra app set up by hand (`entra:import`), by the real engine.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The admin guide done by hand: SCIM on in the Dashboard and a token generated; in the portal the
enterprise app's Tenant URL and that token saved, the job started, the Sales group assigned. The
program is the real one, Entra the fake Graph, pulumi-azuread the stand-in plugin
(`tests/support/entra_stack.py`). The tests share one stack and run top to bottom as the operator's
commands of docs/adoption.md: `scim-setup adopt` (which previews), `pulumi up`, an up that changes
nothing, the `entra:import` section removed; provisioning never stops and the hand-made token,
job and assignment are kept.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from components.entra_import import assignment_import_id, job_import_id
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.support.console_script import SCRIPT
from tests.support.dashboard import Dashboard, HandMadeToken
from tests.support.entra_stack import (
    SALES,
    USER_ROLE,
    USER_ROLES,
    GraphLog,
    assert_nothing_leaked,
    backup_accounts,
    entra_stack,
    fake_entra,
    provisioning_cycle,
    state_resources,
    up_summary,
)
from tests.support.leaks import assert_not_leaked

SIZE = 70
SP_ID = "adc00000-0000-4000-8000-0000000000a1"
APP_ID = "adc00000-0000-4000-8000-0000000000a2"
APPLICATION_ID = "adc00000-0000-4000-8000-0000000000a3"
JOB = f"scim.0123456789abcdef0123456789abcdef.{SP_ID}"
JOB_RESOURCE = "scim-entra-sync-job"
ASSIGNMENT_RESOURCE = f"scim-entra-group-{SALES}"


@pytest.fixture(scope="module")
def by_hand(emulator: EmulatorProcess) -> HandMadeToken:
    """The Dashboard half of the admin guide: SCIM on, a size, Generate (the saved token)."""
    return Dashboard(emulator.url, emulator.admin_token).set_up_by_hand(SIZE)


@pytest.fixture(scope="module")
def graph(by_hand: HandMadeToken, emulator: EmulatorProcess) -> Iterator[FakeGraphProcess]:
    """The Entra half: the app, its saved Tenant URL and token, its running job, Sales assigned."""
    tenant_url = Dashboard(emulator.url, emulator.admin_token).settings()["tenantUrl"]
    with fake_entra() as process:
        process.add_service_principal(SP_ID, APP_ID, "Backup SSO", APPLICATION_ID, USER_ROLES)
        process.add_job(SP_ID, JOB, "Active")
        process.save_secrets(SP_ID, tenant_url, by_hand.token)
        yield process


@pytest.fixture(scope="module")
def assignment_id(graph: FakeGraphProcess) -> str:
    return graph.assign(SP_ID, SALES, USER_ROLE)["id"]


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    assignment_id: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> LocalStack:
    work = tmp_path_factory.mktemp("entra-adoption")
    return entra_stack(work, emulator, graph, {"objectId": SP_ID})


@pytest.fixture
def log(graph: FakeGraphProcess) -> GraphLog:
    return GraphLog(graph)


def adopt(stack: LocalStack, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "adopt", "--stack", stack.stack, *stack.config_args()],
        cwd=stack.project_dir,
        env={**stack.env, "COLUMNS": "200"},
        input=token + "\n",
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_adopt_writes_the_imports_and_finds_the_first_up_safe(
    stack, by_hand, assignment_id, dashboard: Dashboard, log
):
    dashboard.clear_requests()

    result = adopt(stack, by_hand.token)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "is safe" in result.stdout
    config = stack.config_file.read_text()
    assert job_import_id(SP_ID, JOB) in config
    assert assignment_import_id(SP_ID, assignment_id) in config
    assert log.writes() == []
    assert dashboard.writes() == []
    assert_not_leaked(result.stdout + result.stderr, by_hand.token, "scim-setup adopt's output")


def test_up_imports_the_job_and_assignment_and_keeps_the_token(
    stack, graph, by_hand, dashboard: Dashboard, log
):
    dashboard.clear_requests()

    summary = up_summary(stack)

    assert summary.get("import") == 2
    assert "replace" not in summary and "delete" not in summary
    resources = state_resources(stack)
    assert resources[JOB_RESOURCE]["id"] == job_import_id(SP_ID, JOB)
    writes = log.writes()
    assert not any(w.startswith("POST ") and w.endswith("/synchronization/jobs") for w in writes)
    assert not any(w.startswith("POST ") and w.endswith("/appRoleAssignedTo") for w in writes)
    assert not any(w.startswith("DELETE ") for w in writes)
    assert log.actions() == []  # the running job is neither restarted nor started again
    assert [w for w in dashboard.writes() if w["path"] == "/api/v1/scim/token"] == []
    assert dashboard.settings()["token"]["id"] == by_hand.id
    assert dashboard.scim_status(by_hand.token) == 200
    outputs = stack.outputs()
    assert outputs["job_id"] == job_import_id(SP_ID, JOB)
    assert outputs["entra_test_connection"]["result"] == "passed"


def test_provisioning_keeps_working_with_the_adopted_token(stack, graph, emulator):
    status = provisioning_cycle(graph, stack.outputs()["job_id"])

    assert status["lastExecution"]["state"] == "Succeeded"
    accounts = backup_accounts(emulator)
    assert set(accounts) == {"ada@contoso.onmicrosoft.com", "carol@contoso.onmicrosoft.com"}
    assert {a["quotaGb"] for a in accounts.values()} == {SIZE}


def test_second_up_changes_nothing_and_writes_nothing(stack, dashboard: Dashboard, log):
    dashboard.clear_requests()

    summary = up_summary(stack)

    assert set(summary) == {"same"}
    assert log.writes() == []
    assert dashboard.writes() == []


def test_removing_the_imports_and_the_saved_token_changes_nothing(
    stack, by_hand, dashboard: Dashboard, log
):
    stack.remove_config("entra:import")
    stack.remove_config("scim:existingToken")
    dashboard.clear_requests()

    summary = up_summary(stack)

    assert set(summary) == {"same"}
    assert log.writes() == []
    assert dashboard.writes() == []
    assert dashboard.scim_status(by_hand.token) == 200


def test_the_adopted_token_never_appears_in_output_state_or_logs(stack, graph, by_hand, emulator):
    assert_nothing_leaked(stack, graph, emulator, [by_hand.token])
