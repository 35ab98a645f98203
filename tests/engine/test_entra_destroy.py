"""`pulumi destroy` of an adopted stack leaves what it did not create (issue 29.6), by the engine.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

A setup made by hand (the app, its saved Tenant URL and token, its job, Sales assigned) is taken
over with `entra:import`, and Engineering is assigned by the stack. The program is the real one,
Entra the fake Graph, pulumi-azuread the stand-in plugin, which deletes as upstream does: the job
by DELETE, an assignment by DELETE, the secret by PUTting every key empty
(terraform-provider-azuread `synchronization_secret_resource.go`). Imported objects carry
`retain_on_delete`, so destroy keeps them, unless `entra:deleteImportedOnDestroy`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from components.entra_import import assignment_import_id, job_import_id
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from tests.support.dashboard import Dashboard
from tests.support.entra_stack import ENGINEERING, SALES, entra_stack, seed_directory

USER_ROLE = "de500000-0000-4000-8000-0000000000a4"
ROLES = [
    {
        "id": USER_ROLE,
        "displayName": "User",
        "description": "User",
        "value": None,
        "allowedMemberTypes": ["User"],
        "isEnabled": True,
        "origin": "Application",
    }
]


PORTAL_KEYS = ["BaseAddress", "SecretToken", "SyncAll", "SyncNotificationSettings"]
"""The keys the portal's Save stores, which the stack took over."""


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess() as process:
        seed_directory(process)
        yield process


def made_by_hand(
    graph: FakeGraphProcess, emulator: EmulatorProcess, number: int
) -> tuple[str, str, str, str]:
    """The admin guide done by hand for an app of its own: (sp id, job id, Sales' assignment id,
    the saved token)."""
    token = Dashboard(emulator.url, emulator.admin_token).set_up_by_hand(60).token
    tenant_url = Dashboard(emulator.url, emulator.admin_token).settings()["tenantUrl"]
    sp_id = f"de500000-0000-4000-8000-{number:012d}"
    job = f"scim.0123456789abcdef0123456789abcdef.{sp_id}"
    graph.add_service_principal(sp_id, f"de500001-0000-4000-8000-{number:012d}", "SSO", None, ROLES)
    graph.add_job(sp_id, job, "Active")
    graph.save_secrets(sp_id, tenant_url, token)
    return sp_id, job, graph.assign(sp_id, SALES, USER_ROLE)["id"], token


def entra_now(graph: FakeGraphProcess, sp_id: str, job: str) -> dict[str, Any]:
    """What Graph holds after the destroy: the job's answer, the assigned groups, the saved keys."""
    base = f"/servicePrincipals/{sp_id}"
    assigned = graph.graph("GET", f"{base}/appRoleAssignedTo").json()["value"]
    secrets = graph.graph("GET", f"{base}/synchronization/secrets").json().get("value") or []
    return {
        "job": graph.graph("GET", f"{base}/synchronization/jobs/{job}").status_code,
        "groups": sorted(a["principalId"] for a in assigned),
        "keys": sorted(pair["key"] for pair in secrets if pair.get("value")),
    }


@pytest.mark.parametrize(
    ("delete_imported", "expected"),
    [
        (
            False,
            {"job": 200, "groups": [SALES], "keys": PORTAL_KEYS},
        ),
        (True, {"job": 404, "groups": [], "keys": []}),
    ],
    ids=["imported-objects-stay", "delete-imported-on-destroy"],
)
def test_destroy_of_an_adopted_stack_deletes_only_what_it_created(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
    delete_imported: bool,
    expected: dict[str, Any],
):
    number = 2 if delete_imported else 1
    sp_id, job, sales, token = made_by_hand(graph, emulator, number)
    work = tmp_path_factory.mktemp(f"entra-destroy-{number}")
    stack = entra_stack(work, emulator, graph, {"objectId": sp_id}, [SALES, ENGINEERING])
    stack.set_config("scim:existingToken", token, secret=True)
    stack.set_object_config(
        "entra:import",
        {
            "synchronizationJob": job_import_id(sp_id, job),
            "groupAssignments": {SALES: assignment_import_id(sp_id, sales)},
        },
    )
    if delete_imported:
        stack.set_config("entra:deleteImportedOnDestroy", "true")
    stack.up()
    assert entra_now(graph, sp_id, job)["groups"] == sorted([SALES, ENGINEERING])

    stack.destroy()

    assert entra_now(graph, sp_id, job) == expected
