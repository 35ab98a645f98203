"""The real program with a new Entra app, run by the real engine from preview to destroy.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The Dashboard is the emulator, Entra the fake Graph, pulumi-azuread the stand-in plugin
(`tests/support/entra_stack.py`). The tests share one stack and run top to bottom, as an operator's
commands would: preview, up, provisioning cycles, an up that changes nothing, a token rotation,
refresh, destroy; the last proves that no token reached the state or the CLI's output.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.support.dashboard import Dashboard
from tests.support.entra_stack import (
    ENGINEERING,
    GROUPS,
    SALES,
    GraphLog,
    assert_nothing_leaked,
    backup_accounts,
    entra_stack,
    fake_entra,
    planned_ops,
    provisioning_cycle,
    scim_token,
    up_steps,
    up_summary,
)

APP = "scim-entra-app"
SECRET = "scim-entra-sync-secret"
JOB = "scim-entra-sync-job"
ASSIGNMENT = f"scim-entra-group-{SALES}"
TOKEN = "scim-dashboard-token"
ENTRA_RESOURCES = (APP, SECRET, JOB, ASSIGNMENT, "scim-entra-job-control")

DAN = "5a1e0000-0000-4000-8000-000000000004"

REVEALED: list[str] = []
"""Every SCIM token this module has seen, to prove none reached the state or the CLI's output."""


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with fake_entra() as process:
        yield process


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> LocalStack:
    work = tmp_path_factory.mktemp("entra-new-app")
    return entra_stack(work, emulator, graph, {"displayName": "Backup SCIM"}, [SALES])


@pytest.fixture
def log(graph: FakeGraphProcess) -> GraphLog:
    return GraphLog(graph)


def reveal_token(stack: LocalStack) -> str:
    token = scim_token(stack)
    REVEALED.append(token)
    return token


def test_preview_plans_every_create_and_writes_nothing(stack, dashboard: Dashboard, log):
    dashboard.clear_requests()

    ops = planned_ops(stack)

    for name in (*ENTRA_RESOURCES, TOKEN):
        assert ops[name] == {"create"}, name
    assert f"scim-entra-group-{ENGINEERING}" not in ops
    assert log.writes() == []
    assert dashboard.writes() == []


def test_up_creates_the_app_and_entra_tests_the_saved_token(stack, dashboard: Dashboard, graph):
    summary = up_summary(stack)

    assert set(summary) == {"create"}
    outputs = stack.outputs()
    sp_id = outputs["service_principal_object_id"]
    assert outputs["job_id"].startswith(f"/servicePrincipals/{sp_id}/synchronization/jobs/scim.")
    assert outputs["portal_url"].endswith(f"/appId/{outputs['client_id']}/objectId/{sp_id}")
    assert outputs["test_connection"]["result"] == "passed"
    assert outputs["entra_test_connection"]["result"] == "passed"
    assert outputs["provisioning_status"]["code"] == "Active"
    assert outputs["token_id"] == dashboard.settings()["token"]["id"]
    assert "token" not in outputs  # with an entra section the token goes to Entra only
    secrets = graph.graph("GET", f"/servicePrincipals/{sp_id}/synchronization/secrets").json()
    saved = {pair["key"]: pair["value"] for pair in secrets["value"]}
    assert saved["BaseAddress"] == outputs["tenant_url"]
    assert saved["SyncAll"] == "false"
    reveal_token(stack)


def test_a_cycle_provisions_the_assigned_group_only(stack, graph, emulator):
    outputs = stack.outputs()

    provisioning_cycle(graph, outputs["job_id"])

    accounts = backup_accounts(emulator)
    assert set(accounts) == {"ada@contoso.onmicrosoft.com", "carol@contoso.onmicrosoft.com"}
    assert {a["quotaGb"] for a in accounts.values()} == {50}


def test_second_up_changes_nothing_and_writes_nothing(stack, dashboard: Dashboard, log):
    dashboard.clear_requests()

    summary = up_summary(stack)

    assert set(summary) == {"same"}
    assert log.writes() == []
    assert log.actions() == []
    assert dashboard.writes() == []


def test_preview_of_a_rotation_shows_the_entra_secret_update(stack):
    stack.set_config("scim:keepers", '{"rotation": "2026-12"}')

    ops = planned_ops(stack)

    assert "replace" in ops[TOKEN]
    assert ops.get(SECRET) == {"update"}


def test_rotation_updates_the_secret_in_place_and_the_job_keeps_running(
    stack, graph, emulator, log
):
    old_token = reveal_token(stack)
    job_id = stack.outputs()["job_id"]
    stack.set_config("scim:keepers", '{"rotation": "2026-12"}')

    summary, ops = up_steps(stack)

    assert "replace" in ops[TOKEN]
    assert ops[SECRET] == {"update"}
    for name in (APP, JOB, ASSIGNMENT):
        assert ops[name] == {"same"}, name
    assert summary.get("replace") == 1
    assert stack.outputs()["job_id"] == job_id
    sp_id = stack.outputs()["service_principal_object_id"]
    assert log.writes() == [f"PUT /v1.0/servicePrincipals/{sp_id}/synchronization/secrets"]
    assert log.actions() == []  # neither restarted nor started again
    new_token = reveal_token(stack)
    dashboard = Dashboard(emulator.url, emulator.admin_token)
    assert (dashboard.scim_status(new_token), dashboard.scim_status(old_token)) == (200, 401)
    graph.add_users(
        {
            "id": DAN,
            "userPrincipalName": "dan@contoso.onmicrosoft.com",
            "displayName": "Dan Sales",
            "assigned": False,
        }
    )
    graph.add_groups({**GROUPS[0], "members": [*GROUPS[0]["members"], DAN]})
    provisioning_cycle(graph, job_id)
    assert "dan@contoso.onmicrosoft.com" in backup_accounts(emulator)


def test_refresh_reads_everything_and_changes_nothing(stack, dashboard: Dashboard, log):
    dashboard.clear_requests()

    refreshed = stack.refresh("--run-program").stdout

    assert "unchanged" in refreshed
    assert not any(word in refreshed for word in (" updated", " deleted", " created"))
    assert stack.outputs()["provisioning_status"]["code"] == "Active"
    assert log.writes() == []
    assert dashboard.writes() == []


def test_destroy_removes_the_app_and_revokes_the_token(stack, dashboard: Dashboard, graph):
    sp_id = stack.outputs()["service_principal_object_id"]
    token = reveal_token(stack)

    stack.destroy()

    assert graph.graph("GET", f"/servicePrincipals/{sp_id}").status_code == 404
    settings = dashboard.settings()
    assert (settings["enabled"], settings["token"]) == (False, None)
    assert dashboard.scim_status(token) == 401


def test_no_token_or_credential_in_state_cli_output_or_logs(stack, graph, emulator):
    assert len(set(REVEALED)) >= 2

    assert_nothing_leaked(stack, graph, emulator, REVEALED)
