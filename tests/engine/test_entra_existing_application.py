"""The real program provisioning through an existing Entra app (the SSO app), by the real engine.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The Dashboard is the emulator, Entra the fake Graph holding an enterprise app made in the portal,
pulumi-azuread the stand-in plugin (`tests/support/entra_stack.py`). The tests share one stack and
run top to bottom, as an operator's commands would: up, a provisioning cycle, an up that changes
nothing, one group removed, destroy (which leaves the app alone); the last proves that no token
reached the state or the CLI's output.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.support.dashboard import Dashboard
from tests.support.entra_stack import (
    ENGINEERING,
    SALES,
    USER_ROLE,
    USER_ROLES,
    GraphLog,
    assert_nothing_leaked,
    backup_accounts,
    entra_stack,
    fake_entra,
    provisioning_cycle,
    scim_token,
    up_summary,
)

SP_ID = "0e5c0000-0000-4000-8000-0000000000e1"
APP_ID = "0e5c0000-0000-4000-8000-0000000000e2"
APPLICATION_ID = "0e5c0000-0000-4000-8000-0000000000e3"
REVEALED: list[str] = []
"""Every SCIM token this module has seen, to prove none reached the state or the CLI's output."""


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    """The SSO app as made in the portal (no provisioning yet), and the directory."""
    with fake_entra() as process:
        process.add_service_principal(SP_ID, APP_ID, "Backup SSO", APPLICATION_ID, USER_ROLES)
        yield process


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> LocalStack:
    work = tmp_path_factory.mktemp("entra-existing-app")
    return entra_stack(work, emulator, graph, {"clientId": APP_ID}, [SALES, ENGINEERING])


@pytest.fixture
def log(graph: FakeGraphProcess) -> GraphLog:
    return GraphLog(graph)


def assignments(graph: FakeGraphProcess) -> dict[str, str]:
    """The app's assignments: principal id → app role id."""
    response = graph.graph("GET", f"/servicePrincipals/{SP_ID}/appRoleAssignedTo")
    response.raise_for_status()
    return {a["principalId"]: a["appRoleId"] for a in response.json()["value"]}


def jobs(graph: FakeGraphProcess) -> list[dict[str, Any]]:
    response = graph.graph("GET", f"/servicePrincipals/{SP_ID}/synchronization/jobs")
    response.raise_for_status()
    return response.json()["value"]


def test_up_uses_the_existing_app_and_assigns_the_groups_with_its_user_role(stack, graph, log):
    summary = up_summary(stack)

    assert set(summary) == {"create"}
    outputs = stack.outputs()
    assert (outputs["client_id"], outputs["service_principal_object_id"]) == (APP_ID, SP_ID)
    assert outputs["job_id"].startswith(f"/servicePrincipals/{SP_ID}/synchronization/jobs/")
    assert outputs["entra_test_connection"]["result"] == "passed"
    assert assignments(graph) == {SALES: USER_ROLE, ENGINEERING: USER_ROLE}
    assert [job["id"] for job in jobs(graph)] == [outputs["job_id"].rsplit("/", 1)[-1]]
    assert not any(w.startswith("POST /v1.0/applicationTemplates") for w in log.writes())
    REVEALED.append(scim_token(stack))


def test_a_cycle_provisions_both_groups(stack, graph, emulator):
    provisioning_cycle(graph, stack.outputs()["job_id"])

    accounts = backup_accounts(emulator)
    assert set(accounts) == {
        "ada@contoso.onmicrosoft.com",
        "bob@contoso.onmicrosoft.com",
        "carol@contoso.onmicrosoft.com",
    }
    assert all(account["active"] for account in accounts.values())


def test_second_up_changes_nothing_and_writes_nothing(stack, dashboard: Dashboard, log):
    dashboard.clear_requests()

    summary = up_summary(stack)

    assert set(summary) == {"same"}
    assert log.writes() == []
    assert log.actions() == []
    assert dashboard.writes() == []


def test_removing_a_group_deletes_its_assignment_only_and_its_users_are_disabled(
    stack, graph, emulator, log
):
    stack.set_object_config("entra:assignedGroups", [SALES])

    summary = up_summary(stack)

    assert summary.get("delete") == 1 and "create" not in summary and "replace" not in summary
    assert assignments(graph) == {SALES: USER_ROLE}
    deleted = [w for w in log.writes() if w.startswith("DELETE ")]
    assert len(deleted) == 1 and "/appRoleAssignedTo/" in deleted[0]
    provisioning_cycle(graph, stack.outputs()["job_id"])
    active = {name: a["active"] for name, a in backup_accounts(emulator).items()}
    assert active == {
        "ada@contoso.onmicrosoft.com": True,
        "bob@contoso.onmicrosoft.com": False,
        "carol@contoso.onmicrosoft.com": True,
    }


def test_destroy_removes_the_job_and_assignments_and_leaves_the_app(stack, graph, dashboard):
    REVEALED.append(scim_token(stack))

    stack.destroy()

    assert graph.graph("GET", f"/servicePrincipals/{SP_ID}").status_code == 200
    assert jobs(graph) == []
    assert assignments(graph) == {}
    assert dashboard.settings()["token"] is None


def test_no_token_or_credential_in_state_cli_output_or_logs(stack, graph, emulator):
    assert REVEALED

    assert_nothing_leaked(stack, graph, emulator, REVEALED)
