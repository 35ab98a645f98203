"""Adoption config under mocks: `entra:import` becomes imports, `scim:existingToken` a secret.

The ids are those pulumi-azuread documents for `pulumi import`; the mocks see each registration's
import id (`MockResourceArgs.resource_id`), as the engine would receive it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockResourceArgs

from components.entra_import import assignment_import_id, job_import_id
from components.entra_provisioning import EntraProvisioning
from components.stack_config import StackConfigError, dashboard_args, entra_args
from components.stack_config import parse_stack_config as parse
from tests.support.azure_mocks import (
    ASSIGNMENT,
    EXISTING_SP_OBJECT_ID,
    GROUP_A,
    GROUP_B,
    JOB,
    JOB_ID,
    SECRET,
    TENANT_URL,
    TOKEN,
    AzureMocks,
)

if TYPE_CHECKING:
    from conftest import PulumiEngine

BASE = {"dashboard:url": "https://dashboard.example.com", "dashboard:apiToken": "adm"}
SECRETS = ["dashboard:apiToken", "scim:existingToken"]
NO_ENV: dict[str, str] = {}
JOB_IMPORT = job_import_id(EXISTING_SP_OBJECT_ID, JOB_ID)
ASSIGNMENT_A = assignment_import_id(EXISTING_SP_OBJECT_ID, "4YmAQ1ziS0SbEFGYnbY7bA")
ASSIGNMENT_B = assignment_import_id(EXISTING_SP_OBJECT_ID, "5ZnBR2ajT1TcFGHZocZ8cB")


@dataclass
class ImportRecordingMocks(AzureMocks):
    """Also remembers the import id each resource was registered with."""

    import_ids: dict[tuple[str, str], str] = field(default_factory=dict)

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.resource_id:
            self.import_ids[(args.typ, args.name)] = args.resource_id
        return super().new_resource(args)


def entra_config(imports: dict[str, Any] | None, groups: list[str] | None = None) -> dict[str, str]:
    raw = {
        **BASE,
        "entra:application": json.dumps({"objectId": EXISTING_SP_OBJECT_ID}),
        "entra:assignedGroups": json.dumps(groups if groups is not None else [GROUP_A, GROUP_B]),
    }
    if imports is not None:
        raw["entra:import"] = json.dumps(imports)
    return raw


def deploy(engine: PulumiEngine, raw: dict[str, str]) -> ImportRecordingMocks:
    mocks = ImportRecordingMocks()
    engine.use(mocks)
    config = parse(raw, SECRETS, NO_ENV)
    assert config.entra is not None
    args = entra_args(config.entra)
    args.tenant_url, args.secret_token = TENANT_URL, TOKEN
    engine.run(lambda: EntraProvisioning("scim", args))
    return mocks


def test_job_and_each_assignment_are_imported_with_the_ids_given(pulumi_engine):
    imports = {
        "synchronizationJob": JOB_IMPORT,
        "groupAssignments": {GROUP_A: ASSIGNMENT_A, GROUP_B: ASSIGNMENT_B},
    }

    mocks = deploy(pulumi_engine, entra_config(imports))

    assert mocks.import_ids == {
        (JOB, "scim-sync-job"): JOB_IMPORT,
        (ASSIGNMENT, f"scim-group-{GROUP_A}"): ASSIGNMENT_A,
        (ASSIGNMENT, f"scim-group-{GROUP_B}"): ASSIGNMENT_B,
    }
    assert len(pulumi_engine.of_type(JOB)) == 1
    assert len(pulumi_engine.of_type(ASSIGNMENT)) == 2


def test_secret_is_written_with_the_adopted_token_and_the_same_tenant_url(pulumi_engine):
    deploy(pulumi_engine, entra_config({"synchronizationJob": JOB_IMPORT}))

    secret = pulumi_engine.one(SECRET)
    credentials = {c["key"]: c["value"] for c in secret.plain("credentials")}
    assert (credentials["BaseAddress"], credentials["SecretToken"]) == (TENANT_URL, TOKEN)


def test_a_group_without_an_import_id_is_created(pulumi_engine):
    mocks = deploy(pulumi_engine, entra_config({"groupAssignments": {GROUP_A: ASSIGNMENT_A}}))

    assert mocks.import_ids == {(ASSIGNMENT, f"scim-group-{GROUP_A}"): ASSIGNMENT_A}
    assert len(pulumi_engine.of_type(ASSIGNMENT)) == 2


def test_without_the_key_nothing_is_imported(pulumi_engine):
    mocks = deploy(pulumi_engine, entra_config(None))

    assert mocks.import_ids == {}
    assert len(pulumi_engine.of_type(JOB)) == 1


def problems(raw: dict[str, str], secret_keys: list[str] = SECRETS) -> list[str]:
    with pytest.raises(StackConfigError) as error:
        parse(raw, secret_keys, NO_ENV)
    return error.value.problems


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        ({"synchronizationJob": "scim.123"}, "entra:import.synchronizationJob: "),
        (
            {"groupAssignments": {GROUP_A: "4YmAQ1ziS0SbEFGYnbY7bA"}},
            "entra:import.groupAssignments: ",
        ),
        ({"groupAssignments": {"finance": ASSIGNMENT_A}}, "is not a group object id"),
        ({"synchronisationJob": JOB_IMPORT}, "did you mean 'synchronizationJob'?"),
    ],
)
def test_malformed_import_ids_name_the_key(imports, expected):
    (found,) = problems(entra_config(imports))

    assert expected in found


def test_imported_assignment_of_a_group_not_assigned_is_refused():
    (found,) = problems(entra_config({"groupAssignments": {GROUP_B: ASSIGNMENT_B}}, [GROUP_A]))

    assert "add each imported group to entra:assignedGroups" in found


def test_import_ids_of_another_service_principal_are_refused():
    other = job_import_id("66666666-6666-4666-8666-666666666666", JOB_ID)

    (found,) = problems(entra_config({"synchronizationJob": other}))

    assert "every id must name the app's service principal" in found


def test_imports_into_a_new_application_are_refused():
    raw = {**entra_config({"synchronizationJob": JOB_IMPORT})}
    raw["entra:application"] = json.dumps({"displayName": "Dashboard SCIM"})

    (found,) = problems(raw)

    assert "entra:application.displayName creates a new one" in found


def test_existing_token_must_be_a_secret_and_is_never_echoed():
    found = problems({**BASE, "scim:existingToken": "tok-plain-42"}, ["dashboard:apiToken"])

    assert found == [
        "scim:existingToken: stored in plain text; set it again with "
        "`pulumi config set --secret scim:existingToken` (the value on stdin)"
    ]


def test_existing_token_reaches_the_dashboard_step_as_a_secret(pulumi_engine):
    pulumi_engine.use(AzureMocks())
    config = parse({**BASE, "scim:existingToken": "tok-42"}, SECRETS, NO_ENV)

    token = dashboard_args(config).existing_token

    assert isinstance(token, pulumi.Output)
    loop = asyncio.get_event_loop()
    assert loop.run_until_complete(token.is_secret()) is True
    assert loop.run_until_complete(token.future()) == "tok-42"
    assert "tok-42" not in repr(config)


# --- GUIDs in any case -----------------------------------------------------------------------


def test_upper_case_ids_reach_the_resources_in_lower_case(pulumi_engine):
    """Graph answers lower-case ids and pulumi-azuread's Read stores them; the assignment's ids
    force replacement (`app_role_assignment_resource.go`), so an upper-case group id would plan
    a replace on every `up`, and the replacement's create gets Graph's 400 "Permission being
    assigned already exists"."""
    upper_sp = EXISTING_SP_OBJECT_ID.upper()
    imports = {
        "synchronizationJob": job_import_id(upper_sp, JOB_ID),
        "groupAssignments": {
            GROUP_A.upper(): ASSIGNMENT_A.replace(EXISTING_SP_OBJECT_ID, upper_sp)
        },
    }
    raw = entra_config(imports, [GROUP_A.upper(), GROUP_B])
    raw["entra:application"] = json.dumps({"objectId": EXISTING_SP_OBJECT_ID.upper()})

    mocks = deploy(pulumi_engine, raw)

    assignments = pulumi_engine.of_type(ASSIGNMENT)
    assert sorted(a.plain("principalObjectId") for a in assignments) == sorted([GROUP_A, GROUP_B])
    assert mocks.import_ids[(ASSIGNMENT, f"scim-group-{GROUP_A}")] == ASSIGNMENT_A
    assert mocks.import_ids[(JOB, "scim-sync-job")] == JOB_IMPORT


def test_the_config_model_lower_cases_every_guid():
    imports = {"groupAssignments": {GROUP_A.upper(): ASSIGNMENT_A}, "syncAll": True}
    raw = entra_config(imports, [GROUP_A.upper()])
    raw["entra:application"] = json.dumps({"clientId": EXISTING_SP_OBJECT_ID.upper()})

    entra = parse(raw, SECRETS, NO_ENV).entra

    assert entra is not None and entra.import_ is not None
    assert entra.assignedGroups == [GROUP_A]
    assert entra.application.clientId == EXISTING_SP_OBJECT_ID
    assert entra.import_.imports().group_assignments == {GROUP_A: ASSIGNMENT_A}
    assert entra.import_.imports().sync_all is True


def test_a_group_listed_twice_in_different_case_is_refused():
    (found,) = problems(entra_config(None, [GROUP_A, GROUP_A.upper()]))

    assert found.startswith("entra:assignedGroups: each group may be listed once")
