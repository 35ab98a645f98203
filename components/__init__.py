"""Pulumi components for the SCIM setup: the Dashboard step, the Entra step, and both wired."""

from components.dashboard_scim import DashboardScim, DashboardScimArgs
from components.entra_application import ExistingApplication, NewApplication
from components.entra_provisioning import EntraProvisioning, EntraProvisioningArgs
from components.scim_setup import ScimSetup, ScimSetupArgs

__all__ = [
    "DashboardScim",
    "DashboardScimArgs",
    "EntraProvisioning",
    "EntraProvisioningArgs",
    "ExistingApplication",
    "NewApplication",
    "ScimSetup",
    "ScimSetupArgs",
]
