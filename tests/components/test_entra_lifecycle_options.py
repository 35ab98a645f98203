"""What the Entra step asks the engine for, so upstream's create, read and delete do no harm.

Under mocks, each registration's options as the engine receives them:

- terraform-provider-azuread's job Read sets `enabled` from the schedule and its Update starts or
  pauses to match (`synchronization_job_resource.go`), so the job ignores changes of `enabled`:
  passed at create, where the provider starts the job when true; the job control owns it after.
- Its job, assignment and secret deletes remove what an adopted stack did not create (the secret's
  Delete PUTs every key empty), so imported objects are retained on destroy unless
  `entra:deleteImportedOnDestroy`.
- Its application-from-template create waits for the application, not its service principal, so
  the secret, job and assignments take the id from `ServicePrincipalReady`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from components.entra_import import assignment_import_id, job_import_id
from components.entra_provisioning import EntraProvisioning
from components.stack_config import StackConfigError, entra_args
from components.stack_config import parse_stack_config as parse
from tests.support.azure_mocks import (
    ASSIGNMENT,
    EXISTING_SP_OBJECT_ID,
    GROUP_A,
    GROUP_B,
    JOB,
    JOB_ID,
    NEW_SP_OBJECT_ID,
    SECRET,
    SP_READY,
    TENANT_URL,
    TOKEN,
    AzureMocks,
)

if TYPE_CHECKING:
    from conftest import PulumiEngine

BASE = {"dashboard:url": "https://dashboard.example.com", "dashboard:apiToken": "adm"}
SECRETS = ["dashboard:apiToken"]
JOB_IMPORT = job_import_id(EXISTING_SP_OBJECT_ID, JOB_ID)
ASSIGNMENT_A = assignment_import_id(EXISTING_SP_OBJECT_ID, "4YmAQ1ziS0SbEFGYnbY7bA")


def config(application: dict[str, str], **entra: Any) -> dict[str, str]:
    raw = {
        **BASE,
        "entra:application": json.dumps(application),
        "entra:assignedGroups": json.dumps([GROUP_A, GROUP_B]),
    }
    return raw | {f"entra:{key}": json.dumps(value) for key, value in entra.items()}


ADOPTED = config(
    {"objectId": EXISTING_SP_OBJECT_ID},
    **{"import": {"synchronizationJob": JOB_IMPORT, "groupAssignments": {GROUP_A: ASSIGNMENT_A}}},
)


def deploy(engine: PulumiEngine, raw: dict[str, str]) -> None:
    engine.use(AzureMocks())
    parsed = parse(raw, SECRETS, {})
    assert parsed.entra is not None
    args = entra_args(parsed.entra)
    args.tenant_url, args.secret_token = TENANT_URL, TOKEN
    engine.run(lambda: EntraProvisioning("scim", args))


def retained(engine: PulumiEngine) -> dict[str, bool]:
    kinds = (JOB, SECRET, ASSIGNMENT)
    return {r.name: r.retain_on_delete for r in engine.registrations if r.type in kinds}


@pytest.mark.parametrize("start", [True, False])
def test_the_job_is_created_with_enabled_and_then_ignores_it(pulumi_engine, start):
    deploy(pulumi_engine, config({"displayName": "Backup SCIM"}, startProvisioning=start))

    job = pulumi_engine.one(JOB)
    assert job.inputs["enabled"] is start
    assert job.ignore_changes == ["enabled"]


def test_destroy_keeps_what_an_adopted_stack_imported_and_deletes_what_it_created(pulumi_engine):
    deploy(pulumi_engine, ADOPTED)

    assert retained(pulumi_engine) == {
        "scim-sync-job": True,
        "scim-sync-secret": True,  # the imported job's credentials, saved before the stack
        f"scim-group-{GROUP_A}": True,
        f"scim-group-{GROUP_B}": False,  # assigned by the stack
    }


def test_delete_imported_on_destroy_lets_destroy_delete_them_too(pulumi_engine):
    deploy(pulumi_engine, {**ADOPTED, "entra:deleteImportedOnDestroy": "true"})

    assert not any(retained(pulumi_engine).values())


def test_a_stack_that_created_everything_deletes_everything(pulumi_engine):
    deploy(pulumi_engine, config({"displayName": "Backup SCIM"}))

    assert not any(retained(pulumi_engine).values())


def test_delete_imported_on_destroy_without_imports_is_refused_in_one_line():
    raw = config({"objectId": EXISTING_SP_OBJECT_ID}, deleteImportedOnDestroy=True)

    with pytest.raises(StackConfigError) as error:
        parse(raw, SECRETS, {})

    (problem,) = error.value.problems
    assert "entra:deleteImportedOnDestroy applies to objects taken over with entra:import" in (
        problem
    )
    assert "\n" not in problem


def test_secret_job_and_assignments_wait_for_the_new_service_principal(pulumi_engine):
    deploy(pulumi_engine, config({"displayName": "Backup SCIM"}))

    ready = pulumi_engine.one(SP_READY)
    assert ready.inputs["service_principal_id"] == NEW_SP_OBJECT_ID
    for registration in (
        pulumi_engine.one(SECRET),
        pulumi_engine.one(JOB),
        *pulumi_engine.of_type(ASSIGNMENT),
    ):
        assert ready.urn in registration.dependencies, registration.name


def test_an_existing_application_is_not_waited_for(pulumi_engine):
    deploy(pulumi_engine, config({"objectId": EXISTING_SP_OBJECT_ID}))

    assert pulumi_engine.of_type(SP_READY) == []
