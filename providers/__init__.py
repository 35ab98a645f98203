"""Pulumi dynamic resources: the Dashboard's SCIM settings, token and Test Connection
(`providers.dashboard`), and Entra's Test Connection and job status over Graph (`providers.graph`).

Importing this package has no side effects: the dynamic-provider process imports it again by name
to run the providers. The modules at this level that only re-export a provider
(`scim_settings`, `scim_token`, `scim_connection_test`, `entra_connection_test`,
`provisioning_job_status`) are where stacks written before the `dashboard`/`graph` split find
their providers: Pulumi keeps each provider in state by its module's name.
"""

from providers.dashboard.client import DashboardClient, DashboardError
from providers.dashboard.connection import DashboardConnection, dashboard_url_problem
from providers.dashboard.scim_settings import ScimSettings, ScimSettingsArgs
from providers.dashboard.scim_token import ScimToken, ScimTokenArgs

__all__ = [
    "DashboardClient",
    "DashboardConnection",
    "DashboardError",
    "ScimSettings",
    "ScimSettingsArgs",
    "ScimToken",
    "ScimTokenArgs",
    "dashboard_url_problem",
]
