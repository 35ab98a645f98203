"""The opt-in Azure extras under mocks: what ARM would receive, and bad args refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from components.azure_extras import (
    AzureExtrasArgsError,
    ProvisioningLogs,
    ProvisioningLogsArgs,
    TokenEscrow,
    TokenEscrowArgs,
)

if TYPE_CHECKING:
    from conftest import PulumiEngine

DIAGNOSTIC_SETTING = "azure-native:aadiam:DiagnosticSetting"
WORKSPACE = "azure-native:operationalinsights:Workspace"
KEY_VAULT_SECRET = "azure-native:keyvault:Secret"
WORKSPACE_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/monitoring"
    "/providers/Microsoft.OperationalInsights/workspaces/entra-logs"
)
CREATED_WORKSPACE_ID = WORKSPACE_ID.replace("entra-logs", "created")
SECRET_URI = "https://scim-vault.vault.azure.net/secrets/dashboard-scim-token"
TOKEN = "dashboard-scim-token-value"


class ArmMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        if args.typ == WORKSPACE:
            return CREATED_WORKSPACE_ID, state
        if args.typ == KEY_VAULT_SECRET:
            state["properties"] = {"secretUri": SECRET_URI, "secretUriWithVersion": SECRET_URI}
        return f"{args.name}-id", state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        raise AssertionError(f"unexpected invoke {args.token}")


@pytest.fixture
def arm(pulumi_engine: PulumiEngine) -> PulumiEngine:
    pulumi_engine.use(ArmMocks())
    return pulumi_engine


def deploy(engine: PulumiEngine, build: Callable[[], Any], *outputs: str) -> dict[str, Any]:
    """Run `build()` and return the named outputs of the component it built, resolved."""
    resolved: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        component = build()
        values = {key: getattr(component, key) for key in outputs}
        return pulumi.Output.all(**values).apply(resolved.update)

    engine.run(program)
    return resolved


# --- ProvisioningLogs --------------------------------------------------------------------------


def test_provisioning_logs_go_to_the_given_workspace(arm):
    args = ProvisioningLogsArgs(workspace_id=WORKSPACE_ID)
    outputs = deploy(arm, lambda: ProvisioningLogs("logs", args), "workspace_id")

    setting = arm.one(DIAGNOSTIC_SETTING)
    assert setting.inputs == {
        "name": "scim-provisioning-logs",
        "workspaceId": WORKSPACE_ID,
        "logs": [{"enabled": True, "category": "ProvisioningLogs"}],
    }
    assert arm.of_type(WORKSPACE) == []
    assert outputs["workspace_id"] == WORKSPACE_ID


def test_provisioning_logs_create_a_workspace_in_the_given_resource_group(arm):
    args = ProvisioningLogsArgs(resource_group_name="monitoring", retention_in_days=90)
    outputs = deploy(arm, lambda: ProvisioningLogs("logs", args), "workspace_id")

    workspace = arm.one(WORKSPACE)
    assert workspace.inputs == {
        "resourceGroupName": "monitoring",
        "sku": {"name": "PerGB2018"},
        "retentionInDays": 90,
    }
    assert arm.one(DIAGNOSTIC_SETTING).inputs["workspaceId"] == CREATED_WORKSPACE_ID
    assert outputs["workspace_id"] == CREATED_WORKSPACE_ID
    component = arm.one("scim-setup:azure:ProvisioningLogs")
    assert {r.parent for r in arm.registrations if r is not component} == {component.urn}


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (ProvisioningLogsArgs(), "workspace_id / resource_group_name: give exactly one"),
        (
            ProvisioningLogsArgs(workspace_id=WORKSPACE_ID, resource_group_name="rg"),
            "workspace_id / resource_group_name: give exactly one",
        ),
        (ProvisioningLogsArgs(workspace_id="entra-logs"), "workspace_id: must be a resource id"),
        (
            ProvisioningLogsArgs(workspace_id=WORKSPACE_ID, location="westeurope"),
            "location / retention_in_days: only apply to a workspace created here",
        ),
        (
            ProvisioningLogsArgs(resource_group_name="rg", retention_in_days=True),
            "retention_in_days: True must be a whole number",
        ),
        (
            ProvisioningLogsArgs(workspace_id=WORKSPACE_ID, setting_name=" "),
            "setting_name: must not be blank",
        ),
    ],
)
def test_bad_provisioning_logs_args_raise_before_anything_is_registered(arm, args, problem):
    with pytest.raises(AzureExtrasArgsError) as raised:
        arm.run(lambda: ProvisioningLogs("logs", args))

    assert len(raised.value.problems) == 1
    assert problem in raised.value.problems[0]
    assert str(raised.value).startswith("ProvisioningLogs 'logs' has invalid arguments:")
    assert arm.registrations == []


# --- TokenEscrow ------------------------------------------------------------------------------


def test_token_escrow_stores_the_token_as_a_secret_in_the_vault(arm):
    args = TokenEscrowArgs(token=TOKEN, resource_group_name="security", vault_name="scim-vault")
    outputs = deploy(arm, lambda: TokenEscrow("escrow", args), "secret_uri")

    secret = arm.one(KEY_VAULT_SECRET)
    assert secret.is_secret("properties")
    assert secret.plain("properties") == {"value": TOKEN}
    assert secret.additional_secret_outputs == ["properties"]
    assert {k: v for k, v in secret.inputs.items() if k != "properties"} == {
        "resourceGroupName": "security",
        "vaultName": "scim-vault",
        "secretName": "dashboard-scim-token",
    }
    assert outputs["secret_uri"] == SECRET_URI


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"token": " "}, "token: must not be blank"),
        ({"vault_name": "kv"}, "vault_name: 'kv' is not a Key Vault name"),
        ({"vault_name": "1-vault"}, "vault_name: '1-vault' is not a Key Vault name"),
        ({"secret_name": "scim_token"}, "secret_name: 'scim_token' must be 1-127 letters"),
    ],
)
def test_bad_token_escrow_args_raise_before_anything_is_registered(arm, overrides, problem):
    fields = {"token": TOKEN, "resource_group_name": "rg", "vault_name": "scim-vault"}
    args = TokenEscrowArgs(**{**fields, **overrides})

    with pytest.raises(AzureExtrasArgsError) as raised:
        arm.run(lambda: TokenEscrow("escrow", args))

    assert len(raised.value.problems) == 1
    assert problem in raised.value.problems[0]
    assert arm.registrations == []
