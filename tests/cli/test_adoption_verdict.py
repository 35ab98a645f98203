"""The adoption verdict on `pulumi preview --json` documents of a stack with the Entra step.

Each verdict's case is written here as the engine prints it (imports of the job and assignments are
`import` steps, our own resources `create` steps), so every case is one small document; the
verdict on a real preview of an Entra stack is proven in tests/engine/test_entra_adoption.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from providers.dashboard.client import ScimSettingsState, TokenInfo
from providers.graph.discovery import (
    AppRoleAssignmentInfo,
    ServicePrincipalInfo,
    SynchronizationJobInfo,
)
from scim_setup.cli.adoption_discovery import Discovery, EntraFound
from scim_setup.cli.adoption_verdict import first_up_problems, safe_summary
from scim_setup.cli.preview_changes import ASSIGNMENT, SCIM_TOKEN, SYNC_JOB, Preview

SP_ID = "44444444-4444-4444-8444-444444444444"
GROUP = "aaaaaaaa-0000-4000-8000-00000000000a"
JOB = f"scim.0123456789abcdef0123456789abcdef.{SP_ID}"
SECRET = "azuread:index/synchronizationSecret:SynchronizationSecret"
SETTINGS = "pulumi-python:dynamic/dashboard:ScimSettings"

FOUND = Discovery(
    settings=ScimSettingsState(
        True, "https://dash/scim/v2/t", 50, TokenInfo("tok_1", "2026", None)
    ),
    token=TokenInfo("tok_1", "2026-11-28T15:38:02Z", None),
    entra=EntraFound(
        service_principal=ServicePrincipalInfo(SP_ID, "app", "Dashboard SCIM"),
        application_object_id=None,
        job=SynchronizationJobInfo(JOB, "scim", "Active"),
        groups=[AppRoleAssignmentInfo("asg1", "role", GROUP, "Group", "Finance")],
    ),
)


def step(op: str, resource_type: str, name: str) -> dict[str, Any]:
    urn = f"urn:pulumi:prod::scim-setup::scim-setup:index:ScimSetup${resource_type}::{name}"
    return {"op": op, "urn": urn, "newState": {"type": resource_type}}


def preview(*steps: dict[str, Any], adopting: bool = True) -> Preview:
    config = {"scim:existingToken": "[secret]"} if adopting else {}
    return Preview.from_json({"config": config, "steps": list(steps)})


SAFE = [
    step("create", SETTINGS, "scim-dashboard-settings"),
    step("create", SCIM_TOKEN, "scim-dashboard-token"),
    step("create", SECRET, "scim-entra-sync-secret"),
    step("import", ASSIGNMENT, f"scim-entra-group-{GROUP}"),
    step("import", SYNC_JOB, "scim-entra-sync-job"),
]


def test_adopting_the_token_and_importing_entra_objects_is_safe():
    planned = preview(*SAFE)

    assert first_up_problems(planned, FOUND) == []
    assert safe_summary(planned, FOUND) == [
        "keeps SCIM token tok_1 (adopted; nothing is generated)",
        "imports 2 existing Entra object(s) instead of creating them",
        "marks the Dashboard's settings as this stack's",
    ]


@pytest.mark.parametrize(
    ("changed", "adopting", "expected"),
    [
        (step("create", SCIM_TOKEN, "scim-dashboard-token"), False, "would be generated"),
        (step("create-replacement", SCIM_TOKEN, "scim-dashboard-token"), True, "would be replaced"),
        (step("create", SYNC_JOB, "scim-entra-sync-job"), True, "a second synchronization job"),
        (
            step("create", ASSIGNMENT, f"scim-entra-group-{GROUP}"),
            True,
            f"group {GROUP}'s assignment would be created again",
        ),
    ],
)
def test_regenerating_or_duplicating_what_exists_is_not_safe(changed, adopting, expected):
    steps = [s for s in SAFE if s["urn"].rsplit("::", 1)[-1] != changed["urn"].rsplit("::", 1)[-1]]

    (problem,) = first_up_problems(preview(*steps, changed, adopting=adopting), FOUND)

    assert expected in problem


def test_a_failed_preview_is_not_safe():
    failed = Preview.from_json(
        {"steps": [], "diagnostics": [{"severity": "error", "message": "error: no plugin"}]}
    )

    assert first_up_problems(failed, FOUND) == ["the preview failed: no plugin"]
