"""Issue 25: the Entra side converges too. The real CLI, the emulator as Dashboard, a fake Graph.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The azuread plugin cannot be built here, so the program is the real Dashboard step plus the Graph
resources that keep the job running (`ProvisioningJobControl`) and read its status, pointed at a
job of the fake Graph; `entra:*` keys are read as the real program passes them. The fake's
validateCredentials does what Entra's does: it calls the emulator with the saved tenant URL and
token. Where the real program's azuread secret would save a rotated token before the job control
runs, the job control's own repair (saved credentials fail, write them again) does it here.
The tests run top to bottom on one stack, each leaving it converged.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from tests.cli.test_app import SCRIPT
from tests.dashboard import Dashboard
from tests.faults.conftest import FaultStack, fault_stack, summarize
from tests.faults.conftest import pulumi_cli as pulumi_cli  # fixture

SP_ID = "77777777-7777-4777-8777-777777777777"
JOB = f"scim.77777777777777777777777777777777.{SP_ID}"
JOB_ID = f"/servicePrincipals/{SP_ID}/synchronization/jobs/{JOB}"
PORTAL = "https://entra.microsoft.com/#view/ProvisioningManagement/appId/x/objectId/y"
CONTROL = "pulumi-python:dynamic/entra:ProvisioningJobControl"

PROGRAM = f'''
import pulumi

from components.dashboard_scim import DashboardScim, DashboardScimArgs
from components.health_outputs import export_health
from providers.graph.job_control import ProvisioningJobControl, ProvisioningJobControlArgs
from providers.graph.job_status import ProvisioningJobStatus, ProvisioningJobStatusArgs

scim, entra = pulumi.Config("scim"), pulumi.Config("entra")
dashboard = DashboardScim(
    "dashboard", DashboardScimArgs(account_size_gb=50, keepers=scim.get_object("keepers"))
)
sync_all = entra.get_bool("syncAll") or False
control = ProvisioningJobControl(
    "job-control",
    ProvisioningJobControlArgs(
        job_id="{JOB_ID}",
        credentials=[
            {{"key": "BaseAddress", "value": dashboard.tenant_url}},
            {{"key": "SecretToken", "value": dashboard.token}},
            {{"key": "SyncAll", "value": "true" if sync_all else "false"}},
        ],
        start_provisioning=entra.get_bool("startProvisioning") is not False,
        sync_all=sync_all,
        portal_url="{PORTAL}",
    ),
)
status = ProvisioningJobStatus(
    "job-status", ProvisioningJobStatusArgs(job_id="{JOB_ID}"),
    pulumi.ResourceOptions(depends_on=[control]),
)
pulumi.export("token", dashboard.token)
pulumi.export("token_id", dashboard.token_id)
pulumi.export("tenant_url", dashboard.tenant_url)
export_health(
    dashboard, None, status.status, "{PORTAL}", control.attention, control.restart_pending
)
'''


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess() as process:
        process.add_job(SP_ID, JOB, "Active")
        yield process


@pytest.fixture(scope="module")
def entra(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FaultStack]:
    """The stack, up, with the credentials saved in the fake as the azuread secret would."""
    work = tmp_path_factory.mktemp("entra")
    dashboard = Dashboard(emulator.url, emulator.admin_token)
    for faulty in fault_stack(work, emulator, "entra", dashboard, PROGRAM):
        faulty.stack.env.update(graph.environment())
        faulty.stack.up()
        outputs = faulty.stack.outputs(show_secrets=True)
        faulty.secrets.append(outputs["token"])
        saved = {"BaseAddress": outputs["tenant_url"], "SecretToken": outputs["token"]}
        graph.overwrite_secrets(SP_ID, saved)
        yield faulty


class GraphLog:
    """The fake Graph's requests and start/restart calls since the last `mark()`."""

    def __init__(self, graph: FakeGraphProcess) -> None:
        self.graph = graph
        self.mark()

    def mark(self) -> None:
        self._requests, self._actions = len(self.graph.requests()), len(self.graph.actions())

    def actions(self) -> list[dict[str, Any]]:
        return self.graph.actions()[self._actions :]

    def summary(self) -> str:
        """`GET job 200, validateCredentials 400, secrets 204, start 204`: each Graph call."""
        calls = [r for r in self.graph.requests()[self._requests :] if "/v1.0/" in r["path"]]
        named = [{"method": _call_name(r["path"]), "status": r["status"]} for r in calls]
        return summarize(named)


def _call_name(path: str) -> str:
    last = path.rsplit("/", 1)[-1]
    return last if last in ("validateCredentials", "start", "restart", "secrets") else "GET job"


@pytest.fixture
def log(graph: FakeGraphProcess) -> GraphLog:
    return GraphLog(graph)


def up(entra: FaultStack, log: GraphLog, fault: str, outcome: str) -> None:
    """One `pulumi up` that must succeed, recorded with the Graph calls it made."""
    result, seconds = entra.timed("up")
    assert result.returncode == 0, result.stdout + result.stderr
    entra.record(fault, outcome, seconds, log.summary())
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
    step = next(s for s in steps if s["urn"].endswith(f"{CONTROL}::job-control"))
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
    graph.add_job(SP_ID, JOB, "Quarantine", reason="EncounteredQuarantineException")
    entra.stack.set_config("scim:keepers", '{"rotation": "2"}')
    log.mark()

    up(entra, log, "token rotated, job quarantined for credentials", "same up lifts it (start)")

    assert [(a["action"], a["before"]) for a in log.actions()] == [("start", "Quarantine")]
    assert job_code(entra) == "Active"
    assert entra.stack.outputs().get("provisioning_attention") is None  # None is not exported


def test_quarantine_for_too_many_deletes_is_reported_not_lifted(entra, graph, log):
    graph.add_job(
        SP_ID, JOB, "Quarantine", reason="TooManyDeletes", nextAttempt="2030-01-02T03:04:05Z"
    )
    log.mark()

    up(entra, log, "job quarantined for too many deletes", "reported with the portal link")

    attention = entra.stack.outputs()["provisioning_attention"]
    assert attention.startswith("provisioning is in quarantine (TooManyDeletes) since ")
    assert "Entra tries again at 2030-01-02T03:04:05Z" in attention
    assert attention.endswith(PORTAL)
    assert log.actions() == []
    assert job_code(entra) == "Quarantine"
    status = json.loads(cli(entra, "status", "--json").stdout)
    rows = {check["name"]: check["value"] for check in status["checks"]}
    assert rows["Lifted by"].startswith("a person: scim-setup does not lift TooManyDeletes")
    assert rows["Next attempt"].startswith("2030-01-02T03:04:05Z (in ")


def status_rows(entra: FaultStack) -> tuple[int, dict[str, str]]:
    """`scim-setup status --json` as it reads the stack now, without a refresh."""
    result = cli(entra, "status", "--json")
    checks = json.loads(result.stdout)["checks"]
    return result.returncode, {check["name"]: check["value"] for check in checks}


def test_status_right_after_an_up_that_reported_a_quarantine_is_not_healthy(entra, graph, log):
    """Issue 29.10: the job status is as of the last refresh, the attention as of this `up`."""
    graph.add_job(SP_ID, JOB, "Active")
    entra.stack.up()
    assert job_code(entra) == "Active"  # the status output now says Active
    graph.add_job(SP_ID, JOB, "Quarantine", reason="EncounteredTotalEscrowThreshold")
    log.mark()

    up(entra, log, "quarantine a person lifts, status without refresh", "status exits 1")

    code, rows = status_rows(entra)
    assert code == 1
    assert rows["Needs a person"].startswith(
        "provisioning is in quarantine (EncounteredTotalEscrowThreshold)"
    )
    assert rows["Provisioning job"].startswith("Active (as of the last refresh;")
    graph.add_job(SP_ID, JOB, "Active")
    entra.stack.up()
    assert entra.stack.outputs().get("provisioning_attention") is None


def test_job_paused_in_the_portal_is_started_and_a_second_up_changes_nothing(entra, graph, log):
    graph.add_job(SP_ID, JOB, "Paused", schedule="Paused")

    assert planned(entra)[:2] == ("update", ["start"])
    log.mark()
    up(entra, log, "job paused in the portal", "next up starts it")
    assert [(a["action"], a["before"]) for a in log.actions()] == [("start", "Paused")]

    entra.stack.preview("--expect-no-changes")
    log.mark()
    up(entra, log, "(the up after)", "changes nothing")
    assert log.actions() == []


def test_start_provisioning_false_keeps_a_paused_job_paused(entra, graph, log):
    graph.add_job(SP_ID, JOB, "Paused", schedule="Paused")
    entra.stack.set_config("entra:startProvisioning", "false")
    log.mark()

    up(entra, log, "job paused, entra:startProvisioning false", "left paused")

    assert log.actions() == []
    assert job_code(entra) == "Paused"
    graph.add_job(SP_ID, JOB, "Active")
    entra.stack.remove_config("entra:startProvisioning")
    entra.stack.up()


def test_secret_overwritten_in_the_portal_shows_in_preview_and_up_writes_it_again(
    entra, graph, log
):
    outputs = entra.stack.outputs(show_secrets=True)
    pasted = "pasted-in-the-portal-not-a-dashboard-token"
    graph.overwrite_secrets(SP_ID, {"BaseAddress": outputs["tenant_url"], "SecretToken": pasted})

    assert planned(entra)[:2] == ("update", ["rewrite-credentials"])
    review = cli(entra, "review", *entra.stack.config_args())
    assert review.returncode == 0, review.stderr
    assert "fail its Test Connection (changed in the portal?); they will be saved again" in (
        review.stdout
    )
    log.mark()
    up(entra, log, "secret overwritten in the portal", "seen by preview, written again by up")

    assert log.summary().count("secrets 204") == 1
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
    graph.add_job(SP_ID, JOB, "Quarantine", reason="TooManyDeletes")
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

    graph.add_job(SP_ID, JOB, "Active")  # a person lifted the quarantine in the portal
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
