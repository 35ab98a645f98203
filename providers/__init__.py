"""Pulumi dynamic resources: the Dashboard's SCIM settings, token and Test Connection
(`providers.dashboard`), and Entra's Test Connection and job status over Graph (`providers.graph`).

Importing this package has no side effects: the dynamic-provider process imports it again by name
to run the providers. The modules at this level that only re-export a provider
(`scim_settings`, `scim_token`, `scim_connection_test`, `entra_connection_test`,
`provisioning_job_status`) are where stacks written before the `dashboard`/`graph` split find
their providers, and `dashboard.connection_check` and `graph.credentials_check` are where stacks
written by 0.2 find the Test Connection providers (now `connection_test`): Pulumi keeps each
provider in state by its module's name.

Names: *credentials* are who calls where (`DashboardCredentials`, `GraphCredentials`); a
*connection test* is Entra's Test Connection, run against the Dashboard or by Entra itself.
"""

from providers.dashboard.client import DashboardClient, DashboardError
from providers.dashboard.credentials import DashboardCredentials, dashboard_url_problem
from providers.dashboard.scim_settings import ScimSettings, ScimSettingsArgs
from providers.dashboard.scim_token import ScimToken, ScimTokenArgs

__all__ = [
    "DashboardClient",
    "DashboardCredentials",
    "DashboardError",
    "ScimSettings",
    "ScimSettingsArgs",
    "ScimToken",
    "ScimTokenArgs",
    "dashboard_url_problem",
]
