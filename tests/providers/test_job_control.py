"""`ProvisioningJobControl` against the fake Graph, whose Test Connection calls the emulator.

PYTEST_DONT_REWRITE: these tests hold a client secret and SCIM tokens; a failing assertion must
not print them.

Each test drives one job of its own through a state Graph documents (quarantine for each reason,
paused, disabled, a secret overwritten, invisible right after creation), then runs the provider
as the engine would: `check` (what preview shows), then `update`, and reads what Graph received.
"""

from __future__ import annotations

from typing import Any

import pytest

from providers.graph.client import GraphError, JobStatus, ProvisioningJob
from providers.graph.job_control import (
    LIFT_QUARANTINE,
    PAUSE,
    RESET_SCOPE,
    RESTART_SCOPE,
    REWRITE_CREDENTIALS,
    START,
    ProvisioningJobControlProvider,
    job_actions,
)
from scim_setup.emulator.fake_graph import QUARANTINE_REASONS
from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.providers.conftest import configure
from tests.support.clock import SteppedClock
from tests.support.dashboard import Dashboard
from tests.support.graph_config import azuread_config

SP_ID = "66666666-6666-4666-8666-666666666666"
PORTAL = "https://entra.microsoft.com/#view/ProvisioningManagement/appId/x"
CREDENTIAL_REASON = "EncounteredQuarantineException"

_jobs = iter(range(1_000_000))


class Credentials(dict[str, str]):
    """Provisioning secrets whose repr, in a failing test's report, shows no token."""

    def __repr__(self) -> str:
        return f"Credentials({sorted(self)})"

    def __or__(self, other: Any) -> Credentials:
        return Credentials({**self, **other})


@pytest.fixture
def scim(dashboard: Dashboard) -> Credentials:
    """SCIM switched on in the emulator: the tenant URL and a working token."""
    dashboard.put_settings(enabled=True, account_size_gb=50)
    token = dashboard.regenerate_token()["token"]
    return Credentials(BaseAddress=dashboard.settings()["tenantUrl"], SecretToken=token)


def provider(
    graph: FakeGraphProcess, stepped: SteppedClock | None = None
) -> ProvisioningJobControlProvider:
    """Configured as the engine would; with `stepped`, its Graph calls never wait in real time."""
    control = (
        ProvisioningJobControlProvider(stepped.clock)
        if stepped
        else ProvisioningJobControlProvider()
    )
    return configure(control, azuread_config(graph))


def new_job(graph: FakeGraphProcess, state: str = "Active", **lifecycle: Any) -> tuple[str, str]:
    """A job of its own (the fake is shared), under a service principal of its own."""
    number = next(_jobs)
    sp_id = f"{SP_ID[:-12]}{number:012d}"
    job = f"scim.{number:032x}.{sp_id}"
    graph.add_job(sp_id, job, state, **lifecycle)
    return sp_id, f"/servicePrincipals/{sp_id}/synchronization/jobs/{job}"


def props(job_path: str, credentials: dict[str, str], **overrides: Any) -> dict[str, Any]:
    pairs = [{"key": key, "value": value} for key, value in credentials.items()]
    base = {
        "job_id": job_path,
        "credentials": pairs,
        "start_provisioning": True,
        "sync_all": False,
        "portal_url": PORTAL,
        "plan": [],
        "attention": None,
        "restart_pending": False,
    }
    return base | overrides


def deployed(graph: FakeGraphProcess, job_path: str, credentials: dict[str, str]) -> dict[str, Any]:
    """The state a previous `up` left: the control's outputs with these credentials."""
    return props(job_path, credentials) | {"done": [], "checked_at": "2026-01-01T00:00:00Z"}


def actions_on(graph: FakeGraphProcess, job_path: str) -> list[dict[str, Any]]:
    job = job_path.rsplit("/", 1)[-1]
    return [a for a in graph.actions() if a["jobId"] == job]


def up(
    control: ProvisioningJobControlProvider, olds: dict[str, Any], news: dict[str, Any]
) -> tuple[list[str], dict[str, Any]]:
    """`check` then, if `diff` wants it, `update`, as `pulumi up` runs them: (plan, outputs)."""
    checked = control.check(olds, news)
    assert checked.failures == []
    inputs = checked.inputs
    if not control.diff(inputs["job_id"], olds, inputs).changes:
        return inputs["plan"], olds
    return inputs["plan"], control.update(inputs["job_id"], olds, inputs).outs or {}


def status_code(graph: FakeGraphProcess, job_path: str) -> str:
    return provider(graph).client().job(job_path).status.code


# --- quarantine ---------------------------------------------------------------------------------


def test_credential_quarantine_is_lifted_with_one_start(graph_env, scim):
    sp_id, job = new_job(graph_env, "Quarantine", reason=CREDENTIAL_REASON)
    graph_env.overwrite_secrets(sp_id, scim)  # the azuread secret saved the working token

    plan, outs = up(provider(graph_env), deployed(graph_env, job, scim), props(job, scim))

    assert plan == [LIFT_QUARANTINE]
    assert outs["done"] == [LIFT_QUARANTINE]
    assert outs["attention"] is None
    assert actions_on(graph_env, job) == [
        {"action": "start", "jobId": job.rsplit("/", 1)[-1], "before": "Quarantine"}
    ]
    assert status_code(graph_env, job) == "Active"


def test_token_rotated_while_quarantined_is_written_and_lifted_in_one_up(
    graph_env, scim, dashboard
):
    sp_id, job = new_job(graph_env, "Quarantine", reason=CREDENTIAL_REASON)
    graph_env.overwrite_secrets(sp_id, scim)
    old = deployed(graph_env, job, scim)
    rotated = scim | {"SecretToken": dashboard.regenerate_token()["token"]}  # old one now 401s

    plan, outs = up(provider(graph_env), old, props(job, rotated))

    assert plan == [REWRITE_CREDENTIALS, LIFT_QUARANTINE]
    assert outs["done"] == [REWRITE_CREDENTIALS, LIFT_QUARANTINE]
    assert [a["action"] for a in actions_on(graph_env, job)] == ["start"]
    assert status_code(graph_env, job) == "Active"


@pytest.mark.parametrize("reason", [r for r in QUARANTINE_REASONS if r != CREDENTIAL_REASON])
def test_other_quarantines_are_reported_never_lifted(graph_env, scim, reason):
    sp_id, job = new_job(graph_env, "Quarantine", reason=reason, nextAttempt="2030-01-02T03:04:05Z")
    graph_env.overwrite_secrets(sp_id, scim)

    plan, outs = up(provider(graph_env), deployed(graph_env, job, scim), props(job, scim))

    assert plan == []
    assert outs["done"] == []
    attention = outs["attention"]
    assert attention.startswith(f"provisioning is in quarantine ({reason}) since ")
    assert "Entra tries again at 2030-01-02T03:04:05Z" in attention
    assert attention.endswith(
        f"a person must decide (provisioning logs, then Restart provisioning) at {PORTAL}"
    )
    assert actions_on(graph_env, job) == []
    assert status_code(graph_env, job) == "Quarantine"


def test_credential_quarantine_with_a_dead_declared_token_fails_in_one_line(
    graph_env, scim, dashboard
):
    sp_id, job = new_job(graph_env, "Quarantine", reason=CREDENTIAL_REASON)
    graph_env.overwrite_secrets(sp_id, scim)
    dashboard.regenerate_token()  # the declared token dies too

    with pytest.raises(GraphError) as failed:
        provider(graph_env).update(job, deployed(graph_env, job, scim), props(job, scim))

    message = str(failed.value)
    assert failed.value.status == 400
    assert "/validateCredentials returned 400 BadRequest: You appear to have entered" in message
    assert "\n" not in message and scim["SecretToken"] not in message
    assert actions_on(graph_env, job) == []


# --- stopped jobs -------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "schedule"), [("Paused", "Paused"), ("Paused", "Disabled")])
def test_job_stopped_outside_pulumi_is_started_and_the_next_up_changes_nothing(
    graph_env, scim, state, schedule
):
    sp_id, job = new_job(graph_env, state, schedule=schedule)
    graph_env.overwrite_secrets(sp_id, scim)
    control = provider(graph_env)

    plan, outs = up(control, deployed(graph_env, job, scim), props(job, scim))
    again, _ = up(control, outs, props(job, scim))

    assert (plan, outs["done"]) == ([START], [START])
    assert again == []
    assert control.diff(job, outs, control.check(outs, props(job, scim)).inputs).changes is False
    assert [a["action"] for a in actions_on(graph_env, job)] == ["start"]


def test_start_provisioning_false_keeps_a_paused_job_paused(graph_env, scim):
    sp_id, job = new_job(graph_env, "Paused", schedule="Paused")
    graph_env.overwrite_secrets(sp_id, scim)
    old = deployed(graph_env, job, scim) | {"start_provisioning": False}

    plan, _ = up(provider(graph_env), old, props(job, scim, start_provisioning=False))

    assert plan == []
    assert actions_on(graph_env, job) == []
    assert status_code(graph_env, job) == "Paused"


def test_start_provisioning_false_leaves_a_job_started_by_hand_running(graph_env, scim):
    """Upstream's job Read sets `enabled` from the schedule and its Update pauses to match; the
    azuread job now ignores `enabled`, and this control never pauses a job nobody declared
    stopped."""
    sp_id, job = new_job(graph_env, "Active")
    graph_env.overwrite_secrets(sp_id, scim)
    old = deployed(graph_env, job, scim) | {"start_provisioning": False}

    plan, _ = up(provider(graph_env), old, props(job, scim, start_provisioning=False))

    assert plan == []
    assert actions_on(graph_env, job) == []
    assert status_code(graph_env, job) == "Active"


def test_turning_start_provisioning_off_pauses_the_job_once(graph_env, scim):
    """Upstream's job Update paused on `enabled: false`; the azuread job ignores `enabled` now,
    so the control makes the pause (`POST …/pause`), and only on that change."""
    sp_id, job = new_job(graph_env, "Active")
    graph_env.overwrite_secrets(sp_id, scim)
    control, stopped = provider(graph_env), props(job, scim, start_provisioning=False)

    plan, outs = up(control, deployed(graph_env, job, scim), stopped)
    again, _ = up(control, outs, stopped)

    assert plan == outs["done"] == [PAUSE]
    assert again == []
    assert [(a["action"], a["before"]) for a in actions_on(graph_env, job)] == [("pause", "Active")]
    assert provider(graph_env).client().job(job).schedule_state == "Paused"


@pytest.mark.parametrize(("schedule", "expected"), [("Active", [PAUSE]), ("Paused", [])])
def test_only_a_running_job_is_paused_when_start_provisioning_is_turned_off(schedule, expected):
    job = ProvisioningJob(schedule, JobStatus(schedule, None, None, None, 0, None))

    assert job_actions(job, False, restart_for_scope=False, stop=True) == expected
    assert job_actions(job, False, restart_for_scope=False, stop=False) == []


# --- scope and secrets ------------------------------------------------------------------------


def test_sync_all_change_restarts_with_the_portals_criteria(graph_env, scim):
    sp_id, job = new_job(graph_env, "Active")
    graph_env.overwrite_secrets(sp_id, scim)

    plan, outs = up(
        provider(graph_env), deployed(graph_env, job, scim), props(job, scim, sync_all=True)
    )

    assert plan == outs["done"] == [RESTART_SCOPE]
    assert actions_on(graph_env, job) == [
        {
            "action": "restart",
            "jobId": job.rsplit("/", 1)[-1],
            "before": "Active",
            "resetScope": RESET_SCOPE,
            "reprocessesAll": True,
        }
    ]


def test_scope_change_in_a_quarantine_only_a_person_lifts_stays_pending_until_it_is_made(
    graph_env, scim
):
    sp_id, job = new_job(graph_env, "Quarantine", reason="TooManyDeletes")
    graph_env.overwrite_secrets(sp_id, scim)
    control, wider = provider(graph_env), props(job, scim, sync_all=True)

    plan, first = up(control, deployed(graph_env, job, scim), wider)
    again, second = up(control, first, wider)
    graph_env.add_job(sp_id, job.rsplit("/", 1)[-1], "Active")  # a person lifted it
    lifted, third = up(control, second, wider)
    after, _ = up(control, third, wider)

    assert (plan, first["done"], first["restart_pending"]) == ([], [], True)
    assert (again, second["restart_pending"]) == ([], True)
    assert (lifted, third["done"], third["restart_pending"]) == (
        [RESTART_SCOPE],
        [RESTART_SCOPE],
        False,
    )
    assert after == []
    assert [(a["action"], a["before"]) for a in actions_on(graph_env, job)] == [
        ("restart", "Active")
    ]


def test_scope_change_under_start_provisioning_false_restarts_once_provisioning_starts(
    graph_env, scim
):
    sp_id, job = new_job(graph_env, "Paused", schedule="Paused")
    graph_env.overwrite_secrets(sp_id, scim)
    control = provider(graph_env)
    stopped = deployed(graph_env, job, scim) | {"start_provisioning": False}

    plan, held = up(control, stopped, props(job, scim, sync_all=True, start_provisioning=False))
    refreshed = control.read(job, held)
    resumed, outs = up(control, refreshed.inputs or {}, props(job, scim, sync_all=True))

    assert (plan, held["restart_pending"]) == ([], True)
    assert (refreshed.inputs or {})["restart_pending"] is True  # a refresh keeps it owed
    assert resumed == outs["done"] == [RESTART_SCOPE]  # a restart, not only a start
    assert outs["restart_pending"] is False
    assert [a["action"] for a in actions_on(graph_env, job)] == ["restart"]


def test_a_planned_restart_the_job_can_no_longer_take_fails_and_stays_owed(graph_env, scim):
    sp_id, job = new_job(graph_env, "Active")
    graph_env.overwrite_secrets(sp_id, scim)
    control, old = provider(graph_env), deployed(graph_env, job, scim)
    checked = control.check(old, props(job, scim, sync_all=True)).inputs
    graph_env.add_job(sp_id, job.rsplit("/", 1)[-1], "Quarantine", reason="TooManyDeletes")

    with pytest.raises(GraphError) as failed:
        control.update(job, old, checked)

    assert checked["plan"] == [RESTART_SCOPE]
    assert "it stays pending: run `pulumi up` again" in str(failed.value)
    assert "\n" not in str(failed.value)
    assert actions_on(graph_env, job) == []
    assert control.check(old, props(job, scim, sync_all=True)).inputs["restart_pending"] is True


def test_a_rotated_token_on_an_active_job_neither_starts_nor_restarts_it(
    graph_env, scim, dashboard
):
    sp_id, job = new_job(graph_env, "Active")
    rotated = scim | {"SecretToken": dashboard.regenerate_token()["token"]}
    graph_env.overwrite_secrets(sp_id, rotated)  # the azuread secret saved the new token

    plan, outs = up(provider(graph_env), deployed(graph_env, job, scim), props(job, rotated))

    assert plan == outs["done"] == []
    assert actions_on(graph_env, job) == []


def test_secret_overwritten_in_the_portal_is_seen_and_written_again(graph_env, scim):
    sp_id, job = new_job(graph_env, "Active")
    graph_env.overwrite_secrets(sp_id, scim | {"SecretToken": "pasted-in-the-portal"})
    control = provider(graph_env)

    plan, outs = up(control, deployed(graph_env, job, scim), props(job, scim))

    assert plan == outs["done"] == [REWRITE_CREDENTIALS]
    control.client().validate_credentials(job)  # Test Connection passes again
    assert actions_on(graph_env, job) == []


# --- Graph's lag after a write ------------------------------------------------------------------


def test_a_job_graph_does_not_show_yet_is_waited_for_right_after_creation(graph_env, scim):
    sp_id, job = new_job(graph_env, "Active", hiddenForSeconds=3600)
    graph_env.overwrite_secrets(sp_id, scim)
    stepped = SteppedClock()
    stepped.at(2.5, lambda: graph_env.add_job(sp_id, job.rsplit("/", 1)[-1], "Active"))

    outs = provider(graph_env, stepped).create(props(job, scim)).outs or {}

    assert stepped.sleeps[:3] == [0, 1, 2]  # LAG_RETRIES, until Graph shows the job
    assert outs["done"] == []
    statuses = [r["status"] for r in graph_env.requests() if job in r["path"]]
    assert statuses[:3] == [404, 404, 404] and statuses[-1] in (200, 204)


def test_a_missing_job_is_not_waited_for_when_nothing_was_just_written(graph_env, scim):
    sp_id, job = new_job(graph_env, "Active", hiddenForSeconds=3600)
    graph_env.overwrite_secrets(sp_id, scim)
    stepped = SteppedClock()

    with pytest.raises(GraphError) as failed:
        provider(graph_env, stepped).check(deployed(graph_env, job, scim), props(job, scim))

    assert stepped.sleeps == []
    assert failed.value.status == 404
    assert "Request_ResourceNotFound" in str(failed.value)
