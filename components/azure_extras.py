"""Opt-in Azure extras around the Entra step; `ScimSetup` never creates them by itself.

`ProvisioningLogs` streams Entra's provisioning logs to Log Analytics (table
`AADProvisioningLogs`), where failed or skipped SCIM calls can be queried and alerted on.
`TokenEscrow` keeps a copy of the Dashboard's SCIM token in Key Vault, since the Dashboard shows
it only once and Graph never returns it. `pulumi_azure_native` is imported by the components
that declare its resources, not by the checks the stack config runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

if TYPE_CHECKING:
    from pulumi_azure_native import operationalinsights

PROVISIONING_LOGS_CATEGORY = "ProvisioningLogs"
"""Missing from the SDK's `aadiam.Category` enum (AuditLogs, SignInLogs); sent as plain text."""

_WORKSPACE_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+"
    r"/providers/Microsoft\.OperationalInsights/workspaces/[^/]+$",
    re.IGNORECASE,
)
_VAULT_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$")
_SECRET_NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")


class AzureExtrasArgsError(ValueError):
    """Every problem with an extra's arguments, raised before any resource is registered."""

    def __init__(self, component: str, name: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{component} {name!r} has invalid arguments:\n{listing}")


@dataclass
class ProvisioningLogsArgs:
    """Where the logs go: an existing workspace's resource id, or a resource group to create a
    workspace in (`location` and `retention_in_days` apply to a created workspace only).

    `setting_name` names the diagnostic setting, which is tenant-wide: one per tenant and name.
    """

    workspace_id: pulumi.Input[str] | None = None
    resource_group_name: pulumi.Input[str] | None = None
    location: pulumi.Input[str] | None = None
    retention_in_days: int | None = None
    setting_name: str = "scim-provisioning-logs"


class ProvisioningLogs(pulumi.ComponentResource):
    """Entra ID diagnostic setting that sends `ProvisioningLogs` to a Log Analytics workspace.

    Opt in knowingly: the tenant-level `microsoft.aadiam` API has refused service-principal
    tokens (403; Azure/azure-rest-api-specs#11085, terraform-provider-azurerm#18624), so deploy it
    as a user (Azure CLI login) holding Security Administrator or Global Administrator.
    """

    workspace_id: pulumi.Output[str]
    diagnostic_setting_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ProvisioningLogsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        from pulumi_azure_native import aadiam

        problems = provisioning_logs_problems(args)
        if problems:
            raise AzureExtrasArgsError("ProvisioningLogs", name, problems)
        super().__init__("scim-setup:azure:ProvisioningLogs", name, None, opts)

        workspace_id = (
            args.workspace_id if args.workspace_id is not None else self._workspace(name, args).id
        )
        setting = aadiam.DiagnosticSetting(
            f"{name}-diagnostic-setting",
            name=args.setting_name,
            workspace_id=workspace_id,
            logs=[aadiam.LogSettingsArgs(enabled=True, category=PROVISIONING_LOGS_CATEGORY)],
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.workspace_id = pulumi.Output.from_input(workspace_id)
        self.diagnostic_setting_name = setting.name
        self.register_outputs(
            {"workspace_id": self.workspace_id, "diagnostic_setting_name": setting.name}
        )

    def _workspace(self, name: str, args: ProvisioningLogsArgs) -> operationalinsights.Workspace:
        from pulumi_azure_native import operationalinsights

        return operationalinsights.Workspace(
            f"{name}-workspace",
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.retention_in_days,
            opts=pulumi.ResourceOptions(parent=self),
        )


def provisioning_logs_problems(args: ProvisioningLogsArgs) -> list[str]:
    """Every problem with `args`, each naming the argument and the fix."""
    problems = []
    if (args.workspace_id is None) == (args.resource_group_name is None):
        problems.append(
            "workspace_id / resource_group_name: give exactly one: an existing Log Analytics "
            "workspace's resource id, or a resource group to create a workspace in"
        )
    if isinstance(args.workspace_id, str) and not _WORKSPACE_ID.match(args.workspace_id):
        problems.append(
            "workspace_id: must be a resource id like /subscriptions/<id>/resourceGroups/<rg>"
            "/providers/Microsoft.OperationalInsights/workspaces/<name>"
        )
    created_only = (args.location, args.retention_in_days)
    if args.workspace_id is not None and any(v is not None for v in created_only):
        problems.append(
            "location / retention_in_days: only apply to a workspace created here; "
            "drop them or give resource_group_name instead of workspace_id"
        )
    retention = args.retention_in_days
    if retention is not None and (isinstance(retention, bool) or not isinstance(retention, int)):
        problems.append(f"retention_in_days: {retention!r} must be a whole number of days")
    if not args.setting_name.strip():
        problems.append("setting_name: must not be blank; it names the tenant's setting")
    return problems


@dataclass
class TokenEscrowArgs:
    """Which vault keeps the token, and under what name; the vault must already exist."""

    token: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    vault_name: pulumi.Input[str]
    secret_name: pulumi.Input[str] = "dashboard-scim-token"


class TokenEscrow(pulumi.ComponentResource):
    """A Key Vault secret holding the Dashboard's SCIM token, kept secret in Pulumi state too.

    Opt in knowingly: ARM never returns the value, so reading it back needs the Key Vault data
    plane (not a dependency of this package), and a changed value in the vault goes unnoticed.
    Deleting soft-deletes the secret; re-creating the same name conflicts until it is purged or
    recovered (pulumi-azure-native#1174).
    """

    secret_uri: pulumi.Output[str]

    def __init__(
        self, name: str, args: TokenEscrowArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        from pulumi_azure_native import keyvault

        problems = token_escrow_problems(args)
        if problems:
            raise AzureExtrasArgsError("TokenEscrow", name, problems)
        super().__init__("scim-setup:azure:TokenEscrow", name, None, opts)

        secret = keyvault.Secret(
            f"{name}-secret",
            resource_group_name=args.resource_group_name,
            vault_name=args.vault_name,
            secret_name=args.secret_name,
            properties=keyvault.SecretPropertiesArgs(value=pulumi.Output.secret(args.token)),
            # The SDK does not mark `properties` (which echoes the value) secret by itself.
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["properties"]),
        )

        # The URI only says where the token is; it need not be secret like the rest.
        self.secret_uri = pulumi.Output.unsecret(secret.properties.secret_uri)
        self.register_outputs({"secret_uri": self.secret_uri})


def token_escrow_problems(args: TokenEscrowArgs) -> list[str]:
    """Every problem with `args`, each naming the argument and the fix."""
    problems = []
    if isinstance(args.token, str) and not args.token.strip():
        problems.append("token: must not be blank; pass the Dashboard's SCIM token")
    return problems + vault_secret_problems(args.vault_name, args.secret_name)


def vault_secret_problems(vault_name: object, secret_name: object) -> list[str]:
    """Problems with where the token would be kept (checked for stack config too)."""
    problems = []
    if isinstance(vault_name, str) and not _VAULT_NAME.match(vault_name):
        problems.append(
            f"vault_name: {vault_name!r} is not a Key Vault name (3-24 letters, digits "
            "and dashes, starting with a letter)"
        )
    if isinstance(secret_name, str) and not _SECRET_NAME.match(secret_name):
        problems.append(f"secret_name: {secret_name!r} must be 1-127 letters, digits and dashes")
    return problems
