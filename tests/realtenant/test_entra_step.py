"""The Entra step of the real program, run by the real engine from preview to destroy, against
each target of `conftest.py`: the local stand-ins always, a real tenant and Dashboard when their
credentials are set.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The tests share one stack per target and run top to bottom, as an operator's commands would. What
they check is what both targets can show: the engine's plan and summary, the stack's outputs, and
the Dashboard and Graph as the package's own clients read them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from providers.graph.client import GraphError
from scripts.local_stack import LocalStack
from tests.realtenant.conftest import Target
from tests.support.entra_stack import planned_ops, scim_token, up_summary
from tests.support.leaks import assert_not_leaked

ENTRA_RESOURCES = (
    "scim-entra-app",
    "scim-entra-sync-secret",
    "scim-entra-sync-job",
    "scim-entra-job-control",
)
TOKEN = "scim-dashboard-token"
GONE_WITHIN_S = 120.0
"""How long a real tenant may go on showing a deleted service principal (replication)."""

REVEALED: list[str] = []


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str, target: Target, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    stack = target.stack(tmp_path_factory.mktemp(f"entra-step-{target.name}"))
    yield stack
    if stack.resources():  # a test failed half-way: leave nothing behind in the tenant
        stack.run("destroy", "--yes", "--skip-preview", *stack.config_args(), check=False)


def test_preview_plans_the_entra_step_and_changes_nothing(stack, target):
    before = target.dashboard().get_settings()

    ops = planned_ops(stack)

    for name in (*ENTRA_RESOURCES, TOKEN):
        assert ops[name] == {"create"}, name
    assert target.dashboard().get_settings() == before


def test_up_connects_entra_to_the_dashboard(stack, target):
    summary = up_summary(stack)

    assert set(summary) == {"create"}
    outputs = stack.outputs()
    sp_id = outputs["service_principal_object_id"]
    job_id = outputs["job_id"]
    assert job_id.startswith(f"/servicePrincipals/{sp_id}/synchronization/jobs/scim.")
    assert outputs["test_connection"]["result"] == "passed"
    assert outputs["entra_test_connection"]["result"] == "passed"
    active = target.dashboard().get_settings().token
    assert active is not None and outputs["token_id"] == active.id
    graph = target.graph()
    graph.validate_credentials(job_id)  # Entra reaches the Dashboard with the saved token
    assert graph.job(job_id).schedule_state == "Active"
    assert graph.job_status(job_id).code != "Quarantine"
    REVEALED.append(scim_token(stack))


def test_second_up_changes_nothing(stack, target):
    token_id = stack.outputs()["token_id"]

    summary = up_summary(stack)

    assert set(summary) == {"same"}
    active = target.dashboard().get_settings().token
    assert active is not None and active.id == token_id


def test_destroy_removes_the_app_and_switches_scim_off(stack, target):
    sp_id = stack.outputs()["service_principal_object_id"]

    stack.destroy()

    settings = target.dashboard().get_settings()
    assert (settings.enabled, settings.token) == (False, None)
    assert service_principal_gone(target, sp_id)


def test_no_token_or_credential_in_state_or_cli_output(stack, target):
    texts = {
        "the stack's state": stack.export(),
        "the pulumi CLI's output": stack.transcript(),
        "the stack config file": stack.config_file.read_text(),
    }
    assert REVEALED
    for where, text in texts.items():
        for secret in {*REVEALED, *target.secrets()}:
            assert_not_leaked(text, secret, where)


def service_principal_gone(target: Target, sp_id: str) -> bool:
    """Whether Graph answers 404 for the service principal, within `GONE_WITHIN_S` (a real
    tenant replicates a delete; the fake Graph answers at once)."""
    give_up = time.monotonic() + GONE_WITHIN_S
    graph = target.graph()
    while True:
        try:
            graph.service_principal(object_id=sp_id)
        except GraphError as error:
            if error.status == 404:
                return True
            raise
        if time.monotonic() > give_up:
            return False
        time.sleep(5)
