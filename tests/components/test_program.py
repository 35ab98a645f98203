"""The stack program (`__main__.py`) under mocks: what it registers and exports for each config."""

from __future__ import annotations

import logging

import pulumi
import pytest

from tests.support.azure_mocks import GROUP_A, JOB, SECRET
from tests.support.stack_program import (
    BASE_CONFIG,
    CHECKED_AT,
    PROBE,
    PROBE_PASSED,
    SETTINGS,
    TENANT_URL,
    TOKEN,
    Secret,
    run_program,
)

WORKSPACE_ID = (
    "/subscriptions/0000/resourceGroups/rg-scim"
    "/providers/Microsoft.OperationalInsights/workspaces/scim-logs"
)


def test_program_without_entra_section_builds_only_the_dashboard_step(pulumi_engine):
    exported = run_program(pulumi_engine, {**BASE_CONFIG, "scim:accountSizeGb": "200"})

    types = sorted(r.type for r in pulumi_engine.registrations)
    assert types == sorted(["scim-setup:dashboard:DashboardScim", SETTINGS, TOKEN, PROBE])
    settings = pulumi_engine.one(SETTINGS)
    assert settings.inputs["account_size_gb"] == 200
    assert settings.inputs["enabled"] is True
    assert pulumi_engine.one(TOKEN).additional_secret_outputs == ["token"]
    assert exported == {
        "tenant_url": TENANT_URL,
        "token_id": "tok_1",
        "token": Secret("scim-secret"),
        "scim_enabled": True,
        "account_size_gb": 200,
        "token_created_at": CHECKED_AT,
        "token_last_used_at": CHECKED_AT,
        "test_connection": {**PROBE_PASSED, "checked_at": CHECKED_AT},
    }


def test_dashboard_test_connection_probes_the_new_token_and_can_be_switched_off(pulumi_engine):
    run_program(pulumi_engine, BASE_CONFIG)
    probe = pulumi_engine.one(PROBE)
    assert probe.plain("token") == "scim-secret"
    assert probe.is_secret("token")
    assert probe.additional_secret_outputs == ["token"]
    assert probe.inputs["tenant_url"] == TENANT_URL
    assert probe.inputs["scim_enabled"] is True
    assert pulumi_engine.one(TOKEN).urn in probe.dependencies

    exported = run_program(pulumi_engine, {**BASE_CONFIG, "scim:testConnection": "false"})

    assert pulumi_engine.of_type(PROBE) == []
    assert exported["test_connection"] is None


def test_numeric_keepers_reach_the_token_as_text_and_stay_secret(pulumi_engine):
    config = {**BASE_CONFIG, "scim:keepers": '{"rotation": 2}'}

    run_program(pulumi_engine, config, secret_keys=["dashboard:apiToken", "scim:keepers"])

    token = pulumi_engine.one(TOKEN)
    assert token.plain("keepers") == {"rotation": "2"}
    assert token.is_secret("keepers")


def test_token_is_generated_after_scim_is_enabled(pulumi_engine):
    run_program(pulumi_engine, BASE_CONFIG)

    assert pulumi_engine.one(SETTINGS).urn in pulumi_engine.one(TOKEN).dependencies


def test_program_with_entra_section_wires_dashboard_into_entra(pulumi_engine):
    config = {
        **BASE_CONFIG,
        "entra:application": '{"displayName": "Backup SCIM"}',
        "entra:assignedGroups": f'["{GROUP_A}"]',
        "entra:compliantPatch": "true",
    }

    exported = run_program(pulumi_engine, config)

    credentials = {c["key"]: c["value"] for c in pulumi_engine.one(SECRET).plain("credentials")}
    assert credentials["BaseAddress"] == f"{TENANT_URL}?aadOptscim062020"
    assert credentials["SecretToken"] == "scim-secret"
    assert pulumi_engine.one(SECRET).is_secret("credentials")
    assert pulumi_engine.one(JOB).inputs["enabled"] is True
    sp_resource_id = pulumi_engine.one(JOB).inputs["servicePrincipalId"]
    assert sorted(exported) == [
        "account_size_gb",
        "client_id",
        "entra_test_connection",
        "job_id",
        "portal_url",
        "provisioning_attention",
        "provisioning_restart_pending",
        "provisioning_status",
        "scim_enabled",
        "service_principal_object_id",
        "tenant_url",
        "test_connection",
        "token_created_at",
        "token_id",
        "token_last_used_at",
    ]
    assert exported["provisioning_status"]["code"] == "Active"
    assert exported["entra_test_connection"]["result"] == "passed"
    assert exported["tenant_url"] == TENANT_URL
    assert exported["job_id"].startswith(f"{sp_resource_id}/synchronization/jobs/scim.")
    assert sp_resource_id == f"/servicePrincipals/{exported['service_principal_object_id']}"
    assert "ProvisioningManagement" in exported["portal_url"]


def test_bad_config_registers_nothing_and_reports_every_problem(pulumi_engine):
    config = {**BASE_CONFIG, "scim:accountSizeGb": "0", "entra:typo": "x"}

    with pytest.raises(pulumi.RunError) as caught:
        run_program(pulumi_engine, config)

    problems = str(caught.value).splitlines()[1:]
    keys = sorted(problem.removeprefix("  - ").split(": ", 1)[0] for problem in problems)
    assert keys == ["entra:application", "entra:typo", "scim:accountSizeGb"]
    assert pulumi_engine.registrations == []


def test_azure_extras_escrow_the_token_secretly_and_stream_provisioning_logs(pulumi_engine):
    config = {
        **BASE_CONFIG,
        "azureExtras:provisioningLogs": f'{{"workspaceId": "{WORKSPACE_ID}"}}',
        "azureExtras:tokenEscrow": '{"resourceGroupName": "rg-scim", "vaultName": "kv-scim"}',
    }

    exported = run_program(pulumi_engine, config)

    escrow = pulumi_engine.one("azure-native:keyvault:Secret")
    assert escrow.plain("properties") == {"value": "scim-secret"}
    assert escrow.is_secret("properties")
    assert (escrow.inputs["vaultName"], escrow.inputs["secretName"]) == (
        "kv-scim",
        "dashboard-scim-token",
    )
    logs = pulumi_engine.one("azure-native:aadiam:DiagnosticSetting")
    assert logs.inputs["workspaceId"] == WORKSPACE_ID
    assert exported["provisioning_logs_workspace_id"] == WORKSPACE_ID
    assert "token_escrow_uri" in exported


@pytest.mark.parametrize(("config", "warned"), [("scim:takeOver", False), ("scim:adopt", True)])
def test_take_over_reaches_both_dashboard_resources_and_the_old_key_warns_once(
    pulumi_engine, caplog, config, warned
):
    with caplog.at_level(logging.WARNING):
        run_program(pulumi_engine, {**BASE_CONFIG, config: "true"})

    assert pulumi_engine.one(SETTINGS).inputs["adopt"] is True
    assert pulumi_engine.one(TOKEN).inputs["adopt"] is True
    warnings = [r.getMessage() for r in caplog.records if "scim:adopt" in r.getMessage()]
    if warned:
        (warning,) = warnings
        assert warning.startswith("scim:adopt is deprecated: it is now scim:takeOver")
        assert "\n" not in warning
    else:
        assert warnings == []
