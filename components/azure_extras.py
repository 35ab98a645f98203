"""Opt-in Azure extras around the Entra step; `ScimSetup` never creates them by itself.

`ProvisioningLogs` streams Entra's provisioning logs to Log Analytics (table
`AADProvisioningLogs`), where failed or skipped SCIM calls can be queried and alerted on.
`TokenEscrow` keeps a copy of the Dashboard's SCIM token in Key Vault, since the Dashboard shows
it only once and Graph never returns it. Their arguments and checks are
`components.azure_extras_args`; `pulumi_azure_native` is imported by the components that declare
its resources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from components.azure_extras_args import (
    AzureExtrasArgsError,
    ProvisioningLogsArgs,
    TokenEscrowArgs,
    provisioning_logs_problems,
    token_escrow_problems,
    vault_secret_problems,
)

if TYPE_CHECKING:
    from pulumi_azure_native import operationalinsights

__all__ = [
    "PROVISIONING_LOGS_CATEGORY",
    "AzureExtrasArgsError",
    "ProvisioningLogs",
    "ProvisioningLogsArgs",
    "TokenEscrow",
    "TokenEscrowArgs",
    "provisioning_logs_problems",
    "token_escrow_problems",
    "vault_secret_problems",
]

PROVISIONING_LOGS_CATEGORY = "ProvisioningLogs"
"""Missing from the SDK's `aadiam.Category` enum (AuditLogs, SignInLogs); sent as plain text."""


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
