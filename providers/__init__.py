"""Pulumi dynamic resources for the Dashboard's SCIM settings and API token.

Importing this package has no side effects: the dynamic-provider process imports it again by name
to run the providers.
"""

from providers.dashboard_client import DashboardClient, DashboardError
from providers.dashboard_connection import DashboardConnection, dashboard_url_problem
from providers.scim_settings import ScimSettings, ScimSettingsArgs
from providers.scim_token import ScimToken, ScimTokenArgs

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
