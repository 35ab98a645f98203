"""Issue 25: the Entra side converges too. The real CLI, the emulator as Dashboard, a fake Graph.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The program is the real one with a new Entra app, run through the stand-in azuread plugin
(`tests/support/entra_stack.py`): the synchronization secret saves the tenant URL and token, the job
control keeps the job running and the job status reads it. The fake's validateCredentials does
what Entra's does: it calls the emulator with the saved tenant URL and token. The tests run top
to bottom on one stack: each gives the fake job the state it needs and leaves the stack converged
for the next (the too-many-deletes quarantine stays, for a person to lift, until the next test
pauses the job in the portal).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from tests.faults.conftest import FaultStack, summarize
from tests.faults.conftest import pulumi_cli as pulumi_cli  # fixture
from tests.support.console_script import SCRIPT
from tests.support.dashboard import Dashboard
from tests.support.entra_stack import (
    SALES,
    GraphLog,
    entra_stack,
    fake_entra,
    job_parts,
)

CONTROL = "pulumi-python:dynamic/entra:ProvisioningJobControl"
SECRETS = "/synchronization/secrets"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with fake_entra() as process:
        yield process


@pytest.fixture(scope="module")
def entra(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> FaultStack:
    """The stack, up: the app, its secret, job and assignment made by the real program."""
    work = tmp_path_factory.mktemp("entra")
    stack = entra_stack(work, emulator, graph, {"displayName": "Backup SCIM"}, [SALES], "entra")
    faulty = FaultStack(stack, Dashboard(emulator.url, emulator.admin_token), emulator)
    stack.up()
    faulty.token()
    return faulty  # no `destroy`: the emulator is reset before the next module


def job_key(entra: FaultStack) -> tuple[str, str]:
    return job_parts(entra.stack.outputs()["job_id"])


def graph_calls(log: GraphLog) -> str:
    """`GET jobs 200, POST validateCredentials 400, PUT secrets 204`: each Graph call."""
    return summarize(log.calls())


@pytest.fixture
def log(graph: FakeGraphProcess) -> GraphLog:
    return GraphLog(graph)


def up(entra: FaultStack, log: GraphLog, fault: str, outcome: str) -> None:
    """One `pulumi up` that must succeed, recorded with the Graph calls it made."""
    result, seconds = entra.timed("up")
    assert result.returncode == 0, result.stdout + result.stderr
    entra.record(fault, outcome, seconds, graph_calls(log))
    entra.assert_converged()


def job_code(entra: FaultStack) -> str:
    """The job's status code as `pulumi refresh` reads it from Graph (`up` keeps the old one)."""
    entra.stack.refresh("--run-program")
    return entra.stack.outputs()["provisioning_status"]["code"]


def planned(entra: FaultStack) -> tuple[str, list[str], Any]:
    """The job control's step in `pulumi preview --json`: (op, plan, attention)."""
    op, inputs = _control_step(entra)
    return op, inputs.get("plan") or [], inputs.get("attention")


def planned_inputs(entra: FaultStack) -> dict[str, Any]:
    """The job control's inputs as `pulumi preview --json` plans them."""
    return _control_step(entra)[1]


def _control_step(entra: FaultStack) -> tuple[str, dict[str, Any]]:
    steps = json.loads(entra.stack.preview("--json").stdout)["steps"]
    step = next(s for s in steps if s["urn"].endswith(f"{CONTROL}::scim-entra-job-control"))
    return step["op"], (step.get("newState") or {}).get("inputs") or {}


def cli(entra: FaultStack, *args: str) -> subprocess.CompletedProcess[str]:
    stack = entra.stack
    argv = [str(SCRIPT), *args, "--stack", stack.stack]
    return subprocess.run(
        argv, cwd=stack.project_dir, env=stack.env, capture_output=True, text=True, timeout=300
    )


def test_token_rotated_while_quarantined_for_credentials_is_lifted_by_the_same_up(
    entra, graph, log
):
    graph.add_job(*job_key(entra), "Quarantine", reason="EncounteredQuarantineException")
    entra.stack.set_config("scim:keepers", '{"rotation": "2"}')
    log.mark()

    up(entra, log, "token rotated, job quarantined for credentials", "same up lifts it (start)")

    assert [(a["action"], a["before"]) for a in log.actions()] == [("start", "Quarantine")]
    assert job_code(entra) == "Active"
    assert entra.stack.outputs().get("provisioning_attention") is None  # None is not exported


def test_quarantine_for_too_many_deletes_is_reported_not_lifted(entra, graph, log):
    graph.add_job(
        *job_key(entra), "Quarantine", reason="TooManyDeletes", nextAttempt="2030-01-02T03:04:05Z"
    )
    log.mark()

    up(entra, log, "job quarantined for too many deletes", "reported with the portal link")

    attention = entra.stack.outputs()["provisioning_attention"]
    assert attention.startswith("provisioning is in quarantine (TooManyDeletes) since ")
    assert "Entra tries again at 2030-01-02T03:04:05Z" in attention
    assert attention.endswith(entra.stack.outputs()["portal_url"])
    assert log.actions() == []
    assert job_code(entra) == "Quarantine"
    status = json.loads(cli(entra, "status", "--json").stdout)
    rows = {check["name"]: check["value"] for check in status["checks"]}
    assert rows["Lifted by"].startswith("a person: scim-setup does not lift TooManyDeletes")
    assert rows["Next attempt"].startswith("2030-01-02T03:04:05Z (in ")


def test_job_paused_in_the_portal_is_started_and_a_second_up_changes_nothing(entra, graph, log):
    graph.add_job(*job_key(entra), "Paused", schedule="Paused")

    assert planned(entra)[:2] == ("update", ["start"])
    log.mark()
    up(entra, log, "job paused in the portal", "next up starts it")
    assert [(a["action"], a["before"]) for a in log.actions()] == [("start", "Paused")]

    entra.stack.preview("--expect-no-changes")
    log.mark()
    up(entra, log, "(the up after)", "changes nothing")
    assert log.actions() == []


def test_start_provisioning_false_keeps_a_paused_job_paused(entra, graph, log):
    graph.add_job(*job_key(entra), "Paused", schedule="Paused")
    entra.stack.set_config("entra:startProvisioning", "false")
    log.mark()

    up(entra, log, "job paused, entra:startProvisioning false", "left paused")

    # The azuread job ignores `enabled` after create; the job control pauses only a running job.
    assert log.actions() == []
    assert job_code(entra) == "Paused"
    graph.add_job(*job_key(entra), "Active")
    entra.stack.remove_config("entra:startProvisioning")
    entra.stack.up()


def test_a_job_started_by_hand_under_start_provisioning_false_is_left_running(entra, graph, log):
    """Issue 29.5: upstream's job Read sets `enabled` from the schedule and its Update pauses to
    match the program; the job ignores `enabled`, and the control pauses only when the key turns
    from true to false."""
    entra.stack.set_config("entra:startProvisioning", "false")
    log.mark()
    up(entra, log, "entra:startProvisioning turned false", "the job control pauses it once")
    assert [(a["action"], a["before"]) for a in log.actions()] == [("pause", "Active")]

    graph.add_job(*job_key(entra), "Active")  # a person starts it in the portal
    assert job_code(entra) == "Active"  # a refresh reads it running (the job's `enabled` too)
    log.mark()
    up(entra, log, "job started by hand, entra:startProvisioning false", "left running")

    assert log.actions() == []
    assert job_code(entra) == "Active"
    entra.stack.remove_config("entra:startProvisioning")
    log.mark()
    entra.stack.up()
    assert log.actions() == []


def status_rows(entra: FaultStack) -> tuple[int, dict[str, str]]:
    """`scim-setup status --json` as it reads the stack now, without a refresh."""
    result = cli(entra, "status", "--json")
    checks = json.loads(result.stdout)["checks"]
    return result.returncode, {check["name"]: check["value"] for check in checks}


def test_status_right_after_an_up_that_reported_a_quarantine_is_not_healthy(entra, graph, log):
    """Issue 29.10: the job status is as of the last refresh, the attention as of this `up`."""
    graph.add_job(*job_key(entra), "Active")
    entra.stack.up()
    assert job_code(entra) == "Active"  # the status output now says Active
    graph.add_job(*job_key(entra), "Quarantine", reason="EncounteredTotalEscrowThreshold")
    log.mark()

    up(entra, log, "quarantine a person lifts, status without refresh", "status exits 1")

    code, rows = status_rows(entra)
    assert code == 1
    assert rows["Needs a person"].startswith(
        "provisioning is in quarantine (EncounteredTotalEscrowThreshold)"
    )
    assert rows["Provisioning job"].startswith("Active (as of the last refresh;")
    graph.add_job(*job_key(entra), "Active")
    entra.stack.up()
    assert entra.stack.outputs().get("provisioning_attention") is None


def test_secret_overwritten_in_the_portal_shows_in_preview_and_up_writes_it_again(
    entra, graph, log
):
    tenant_url = entra.stack.outputs()["tenant_url"]
    pasted = "pasted-in-the-portal-not-a-dashboard-token"
    sp_id = job_key(entra)[0]
    graph.overwrite_secrets(sp_id, {"BaseAddress": tenant_url, "SecretToken": pasted})

    assert planned(entra)[:2] == ("update", ["rewrite-credentials"])
    review = cli(entra, "review", *entra.stack.config_args())
    assert review.returncode == 0, review.stderr
    assert "fail its Test Connection (changed in the portal?); they will be saved again" in (
        review.stdout
    )
    log.mark()
    up(entra, log, "secret overwritten in the portal", "seen by preview, written again by up")

    assert graph_calls(log).count("secrets 204") == 1
    assert [w for w in log.writes() if w.endswith(SECRETS)] == [
        f"PUT /v1.0/servicePrincipals/{sp_id}{SECRETS}"
    ]
    assert log.actions() == []
    entra.stack.preview("--expect-no-changes")


def test_sync_all_change_restarts_once_and_review_says_so(entra, graph, log):
    entra.stack.set_config("entra:syncAll", "true")

    assert planned(entra)[:2] == ("update", ["restart-scope"])
    review = cli(entra, "review", *entra.stack.config_args())
    assert "Provisioning restarts because entra:syncAll changed" in review.stdout
    assert "every user and group is evaluated again" in review.stdout
    log.mark()
    up(entra, log, "entra:syncAll changed", "one restart with the portal's criteria")

    assert [(a["action"], a["resetScope"]) for a in log.actions()] == [
        ("restart", "Watermark, Escrows, QuarantineState")
    ]
    log.mark()
    entra.stack.up()
    assert log.actions() == []


def test_scope_change_in_a_quarantine_only_a_person_lifts_waits_and_is_never_lost(
    entra, graph, log
):
    """Issue 29.11: the restart stays owed in the job control's state until it has been made."""
    graph.add_job(*job_key(entra), "Quarantine", reason="TooManyDeletes")
    entra.stack.set_config("entra:syncAll", "false")

    op, plan, _ = planned(entra)
    assert (op, plan) == ("update", [])
    log.mark()
    up(entra, log, "entra:syncAll changed in a quarantine a person lifts", "restart kept pending")
    assert log.actions() == []
    assert entra.stack.outputs()["provisioning_restart_pending"] is True

    # Nothing to do yet, and nothing forgotten. (The fake Graph dates a quarantine from the time
    # of each read, so the attention text, and with it the step, changes on every preview.)
    inputs = planned_inputs(entra)
    assert (inputs["plan"], inputs["restart_pending"]) == ([], True)
    assert inputs["attention"].startswith("provisioning is in quarantine (TooManyDeletes)")
    review = cli(entra, "review", *entra.stack.config_args())
    assert "The restart for the entra:syncAll change is pending" in review.stdout
    assert status_rows(entra)[1]["Scope restart"].startswith("pending: entra:syncAll changed")

    graph.add_job(*job_key(entra), "Active")  # a person lifted the quarantine in the portal
    assert planned(entra)[:2] == ("update", ["restart-scope"])
    log.mark()
    up(entra, log, "(the quarantine lifted)", "the owed restart, once")
    assert [(a["action"], a["before"]) for a in log.actions()] == [("restart", "Active")]
    assert entra.stack.outputs()["provisioning_restart_pending"] is False
    assert "Scope restart" not in status_rows(entra)[1]
    log.mark()
    entra.stack.up()
    assert log.actions() == []


def test_no_token_or_credential_leaked(entra, graph):
    entra.assert_nothing_leaked(graph.client_secret)
    for secret in {*entra.secrets, graph.client_secret}:
        assert secret not in graph.log_text()
