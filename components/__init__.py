"""Pulumi components for the SCIM setup: the Dashboard step (`DashboardScim`), the Entra step
(`EntraProvisioning`), both wired (`ScimSetup`), and the opt-in Azure extras.

`from components import ScimSetup` works for every name below. Each is imported from its module
when first asked for (PEP 562), so a Dashboard-only program never loads the Entra step, and the
Azure SDKs load only when an Entra or Azure resource is declared.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.azure_extras import ProvisioningLogs, TokenEscrow
    from components.azure_extras_args import ProvisioningLogsArgs, TokenEscrowArgs
    from components.dashboard_scim import DashboardScim, DashboardScimArgs
    from components.entra_application_args import ExistingApplication, NewApplication
    from components.entra_provisioning import EntraProvisioning
    from components.entra_provisioning_args import (
        EntraProvisioningArgs,
        EntraProvisioningArgsError,
    )
    from components.scim_setup import ScimSetup, ScimSetupArgs

MODULE_OF = {
    "DashboardScim": "components.dashboard_scim",
    "DashboardScimArgs": "components.dashboard_scim",
    "EntraProvisioning": "components.entra_provisioning",
    "EntraProvisioningArgs": "components.entra_provisioning_args",
    "EntraProvisioningArgsError": "components.entra_provisioning_args",
    "ExistingApplication": "components.entra_application_args",
    "NewApplication": "components.entra_application_args",
    "ScimSetup": "components.scim_setup",
    "ScimSetupArgs": "components.scim_setup",
    "ProvisioningLogs": "components.azure_extras",
    "ProvisioningLogsArgs": "components.azure_extras_args",
    "TokenEscrow": "components.azure_extras",
    "TokenEscrowArgs": "components.azure_extras_args",
}
"""Each public name and the module that defines it."""

__all__ = [
    "DashboardScim",
    "DashboardScimArgs",
    "EntraProvisioning",
    "EntraProvisioningArgs",
    "EntraProvisioningArgsError",
    "ExistingApplication",
    "NewApplication",
    "ProvisioningLogs",
    "ProvisioningLogsArgs",
    "ScimSetup",
    "ScimSetupArgs",
    "TokenEscrow",
    "TokenEscrowArgs",
]


def __getattr__(name: str) -> Any:
    if name not in MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(MODULE_OF[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
