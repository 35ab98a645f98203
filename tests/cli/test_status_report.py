"""How `scim-setup status` judges a stack's outputs: what counts as wrong, what is only shown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scim_setup.cli.status import FAIL, OK, WARN, assess

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
DASHBOARD: dict[str, Any] = {
    "tenant_url": "https://dashboard.example.com/scim/v2/t1",
    "scim_enabled": True,
    "account_size_gb": 100,
    "token_created_at": "2026-11-19T12:00:00Z",
    "token_last_used_at": "2026-11-29T11:20:00Z",
    "test_connection": {"result": "passed", "message": "ok", "checked_at": "2026-11-29T11:00:00Z"},
}


def states(outputs: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c.name: (c.state, c.value) for c in assess(outputs, "prod", NOW).checks}


def test_dashboard_only_stack_is_healthy_and_says_entra_is_elsewhere():
    report = assess(DASHBOARD, "prod", NOW)

    found = states(DASHBOARD)
    assert report.healthy
    assert found["Token"][1] == "10d old, last used 40m ago"
    assert found["Test Connection (Dashboard)"] == (OK, "passed 1h ago")
    assert found["Entra provisioning"][1] == "not in this stack (no entra section)"


def test_scim_switched_off_is_a_problem():
    report = assess({**DASHBOARD, "scim_enabled": False}, "prod", NOW)

    assert report.problems == ["SCIM enabled: no"]


def test_stack_from_before_the_health_outputs_is_not_called_broken():
    old = {"tenant_url": DASHBOARD["tenant_url"], "token_id": "tok_1"}

    report = assess(old, "prod", NOW)

    assert report.healthy
    assert states(old)["SCIM enabled"] == (WARN, "unknown (run `pulumi up` to export it)")


def test_test_connection_switched_off_is_a_warning_not_a_failure():
    report = assess({**DASHBOARD, "test_connection": None}, "prod", NOW)

    assert report.healthy
    assert states({**DASHBOARD, "test_connection": None})["Test Connection (Dashboard)"][0] == WARN


def test_paused_job_warns_and_a_failed_last_cycle_fails():
    paused = {"code": "Paused", "count_successive_complete_failures": 0, "last_execution": None}
    failed_cycle = {
        "code": "Active",
        "count_successive_complete_failures": 1,
        "last_execution": {"state": "Failed", "time_ended": "2026-11-29T11:50:00Z", "error": "x"},
    }
    entra = {"entra_test_connection": DASHBOARD["test_connection"], "portal_url": "https://p"}

    paused_report = assess({**DASHBOARD, **entra, "provisioning_status": paused}, "prod", NOW)
    failed_report = assess({**DASHBOARD, **entra, "provisioning_status": failed_cycle}, "p", NOW)

    assert paused_report.healthy
    assert failed_report.problems == ["Last cycle: Failed 10m ago (0 exported, 0 errors): x"]
    found = states({**DASHBOARD, **entra, "provisioning_status": failed_cycle})
    assert found["Provisioning job"] == (OK, "Active, 1 failed cycle in a row")
    assert found["Portal"][1] == "https://p"
    assert found["Last cycle"][0] == FAIL


def quarantined(reason: str, lift: str | None) -> dict[str, Any]:
    status = {
        "code": "Quarantine",
        "count_successive_complete_failures": 3,
        "last_execution": None,
        "quarantine": {
            "reason": reason,
            "current_began": "2026-11-29T10:00:00Z",
            "next_attempt": "2026-11-29T16:00:00Z",
        },
    }
    if lift is not None:
        status["quarantine_lift"] = lift
    entra = {"entra_test_connection": DASHBOARD["test_connection"], "portal_url": "https://p"}
    return {**DASHBOARD, **entra, "provisioning_status": status}


def test_credential_quarantine_shows_the_next_attempt_and_that_up_lifts_it():
    found = states(quarantined("EncounteredQuarantineException", "pulumi up"))

    assert found["Next attempt"] == ("info", "2026-11-29T16:00:00Z (in 4h)")
    assert found["Lifted by"] == (
        WARN,
        "the next `pulumi up`, once Entra's Test Connection passes (bad credentials)",
    )


def test_the_quarantine_reads_as_up_and_provisioning_attention_word_it():
    outputs = quarantined("TooManyDeletes", "a person")
    outputs["provisioning_status"]["quarantine"]["error"] = "TooManyDeletes: Too many deletes."

    assert states(outputs)["Quarantine"] == (
        FAIL,
        "(TooManyDeletes) since 2h ago; Entra tries again at 2026-11-29T16:00:00Z; "
        "TooManyDeletes: Too many deletes",
    )


def test_quarantine_for_too_many_deletes_says_a_person_must_act():
    report = assess(quarantined("TooManyDeletes", "a person"), "prod", NOW)

    found = states(quarantined("TooManyDeletes", "a person"))
    assert found["Lifted by"] == (
        FAIL,
        "a person: scim-setup does not lift TooManyDeletes; read the provisioning logs, then "
        "Restart provisioning in the portal",
    )
    assert found["Portal"][1] == "https://p"
    assert "Lifted by: a person: scim-setup does not lift TooManyDeletes" in report.problems[-1]


def test_quarantine_read_before_the_lift_rule_existed_is_unknown_not_guessed():
    found = states(quarantined("EncounteredQuarantineException", None))

    assert found["Lifted by"][0] == WARN
    assert found["Lifted by"][1].startswith("unknown (run `pulumi up`")


def test_a_quarantine_the_last_up_reported_fails_although_the_status_read_is_older():
    """The job status is read at create and refresh; `provisioning_attention` by every `up`."""
    outputs = quarantined("TooManyDeletes", "a person")
    outputs["provisioning_status"] = {"code": "Active", "count_successive_complete_failures": 0}
    outputs["provisioning_attention"] = (
        "provisioning is in quarantine (TooManyDeletes) since 2026-11-29T10:00:00Z. a person must "
        "decide (provisioning logs, then Restart provisioning) at https://p"
    )

    report = assess(outputs, "prod", NOW)

    found = states(outputs)
    assert not report.healthy
    assert found["Needs a person"] == (FAIL, outputs["provisioning_attention"])
    assert found["Provisioning job"][1] == (
        "Active (as of the last refresh; the last `pulumi up` found it in quarantine)"
    )


def test_a_pending_scope_restart_is_shown():
    outputs = {**quarantined("TooManyDeletes", "a person"), "provisioning_restart_pending": True}

    found = states(outputs)

    assert found["Scope restart"][0] == WARN
    assert found["Scope restart"][1].startswith("pending: entra:syncAll changed")
    assert "Scope restart" not in states(quarantined("TooManyDeletes", "a person"))
