"""`review` on the Entra job's lifecycle: what a destroy keeps, a pending restart, a pause.

The steps are shaped as `pulumi preview --json` (and `pulumi destroy --preview-only --json`)
writes them: a resource deleted with the `retain_on_delete` option has `retainOnDelete: true` in
its old state; a resource without changes is a `same` step that still carries its inputs.
"""

from __future__ import annotations

from typing import Any

from scim_setup.cli.preview_changes import (
    ASSIGNMENT,
    JOB_CONTROL,
    SERVICE_PRINCIPAL_READY,
    SYNC_JOB,
    SYNC_SECRET,
    Preview,
    changes,
)
from scim_setup.cli.review_markdown import markdown


def step(op: str, kind: str, name: str, old: dict[str, Any] | None, new: dict[str, Any] | None):
    def state(inputs: dict[str, Any] | None, **extra: Any) -> dict[str, Any] | None:
        return None if inputs is None else {"type": kind, "inputs": inputs, **extra}

    kept_before = (old or {}).pop("retainOnDelete", False)
    kept_after = (new or {}).pop("retainOnDelete", False)
    return {
        "op": op,
        "urn": f"urn:pulumi:prod::scim-setup::{kind}::{name}",
        "oldState": state(old, **({"retainOnDelete": True} if kept_before else {})),
        "newState": state(new, **({"retainOnDelete": True} if kept_after else {})),
    }


def lines(*steps: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(c.text, c.warning) for c in changes(Preview.from_json({"steps": list(steps)}))]


GROUP = {"principalObjectId": "aaaaaaaa-0000-4000-8000-00000000000a"}


def test_destroy_of_an_adopted_stack_says_what_stays_and_what_goes():
    found = lines(
        step("delete", SYNC_JOB, "scim-sync-job", {"retainOnDelete": True}, None),
        step("delete", ASSIGNMENT, "scim-group-a", {**GROUP, "retainOnDelete": True}, None),
        step("delete", SYNC_SECRET, "scim-sync-secret", {"retainOnDelete": True}, None),
        step("delete", ASSIGNMENT, "scim-group-b", dict(GROUP), None),
    )

    assert found == [
        (
            "the provisioning job stays in Entra as it is (imported); only this stack stops "
            "managing it",
            False,
        ),
        (
            f"group {GROUP['principalObjectId']} stays assigned in Entra (imported); only this "
            "stack stops managing it",
            False,
        ),
        (
            "Entra's provisioning credentials stay saved (taken over with the job); only this "
            "stack stops managing it",
            False,
        ),
        (
            f"group {GROUP['principalObjectId']} leaves provisioning scope: its members lose "
            "their accounts",
            True,
        ),
    ]


def test_destroy_of_a_stack_that_created_the_job_deletes_it():
    assert lines(step("delete", SYNC_JOB, "scim-sync-job", {}, None)) == [
        ("the provisioning job will be deleted: provisioning stops", True)
    ]


PENDING = (
    "the restart for the entra:syncAll change is pending: the new scope takes effect once the "
    "job restarts, which the next `pulumi up` does when entra:startProvisioning is true and no "
    "quarantine only a person may lift holds the job"
)


def test_a_restart_still_owed_shows_on_a_preview_without_changes():
    owed = {"plan": [], "restart_pending": True}

    assert lines(step("same", JOB_CONTROL, "scim-job-control", owed, owed)) == [(PENDING, True)]
    done = {"plan": [], "restart_pending": False}
    assert lines(step("same", JOB_CONTROL, "scim-job-control", done, done)) == []


def test_a_scope_change_the_job_cannot_take_now_is_pending_not_planned():
    old = {"plan": [], "sync_all": False, "restart_pending": False}
    new = {"plan": [], "sync_all": True, "restart_pending": True}

    assert lines(step("update", JOB_CONTROL, "scim-job-control", old, new)) == [(PENDING, True)]


def test_turning_start_provisioning_off_is_a_pause_the_job_control_makes():
    new = {"plan": ["pause"], "start_provisioning": False}

    assert lines(step("update", JOB_CONTROL, "scim-job-control", {}, new)) == [
        ("provisioning will be paused (entra:startProvisioning turned off)", True)
    ]


def test_waiting_for_a_new_service_principal_is_no_change_to_review():
    assert lines(step("create", SERVICE_PRINCIPAL_READY, "scim-sp-ready", None, {})) == []


def test_dropping_entra_import_warns_that_destroy_will_now_delete_the_adopted_job():
    kept, dropped = {"enabled": True, "retainOnDelete": True}, {"enabled": True}

    assert lines(step("same", SYNC_JOB, "scim-sync-job", kept, dropped)) == [
        (
            "`pulumi destroy` will now delete SynchronizationJob 'scim-sync-job', which it kept "
            "as imported so far (entra:import removed, or entra:deleteImportedOnDestroy set)",
            True,
        )
    ]
    still = {"enabled": True, "retainOnDelete": True}
    assert lines(step("same", SYNC_JOB, "scim-sync-job", dict(still), dict(still))) == []


def test_a_review_with_only_a_pending_restart_says_the_preview_changes_nothing():
    owed = {"plan": [], "restart_pending": True}
    preview = Preview.from_json(
        {"steps": [step("same", JOB_CONTROL, "scim-job-control", dict(owed), dict(owed))]}
    )

    text = markdown(preview, changes(preview))

    assert "- The restart for the entra:syncAll change is pending" in text
    assert text.endswith("<sub>pulumi preview: no changes.</sub>\n")
