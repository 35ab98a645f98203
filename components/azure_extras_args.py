"""The arguments of the opt-in Azure extras (`components.azure_extras`) and their checks.

The stack config schema runs the same checks on `azureExtras:*`; nothing here imports an Azure SDK.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

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
