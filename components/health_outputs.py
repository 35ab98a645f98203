"""The stack outputs `scim-setup status` reads: one place, so the program and the command agree.

Everything here is plain (no secret): whether SCIM is on, the account size, when the token was
generated and last used, both Test Connections and the provisioning job's status.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.dashboard_scim import DashboardScim


def export_health(
    dashboard: DashboardScim,
    entra_test_connection: pulumi.Input[Any] | None = None,
    provisioning_status: pulumi.Input[Any] | None = None,
    portal_url: pulumi.Input[str] | None = None,
    provisioning_attention: pulumi.Input[str | None] | None = None,
    provisioning_restart_pending: pulumi.Input[bool] | None = None,
) -> None:
    """Export the health outputs; the Entra ones only for a stack with an Entra step.

    `provisioning_attention` (a quarantine only a person may lift) is printed by every `up`;
    `provisioning_restart_pending` is true while an entra:syncAll change waits for its restart.
    """
    pulumi.export("scim_enabled", dashboard.enabled)
    pulumi.export("account_size_gb", dashboard.account_size_gb)
    pulumi.export("token_created_at", dashboard.token_created_at)
    pulumi.export("token_last_used_at", dashboard.token_last_used_at)
    pulumi.export("test_connection", dashboard.test_connection)
    if provisioning_status is not None:
        pulumi.export("entra_test_connection", entra_test_connection)
        pulumi.export("provisioning_status", provisioning_status)
        pulumi.export("portal_url", portal_url)
        pulumi.export("provisioning_attention", provisioning_attention)
        pulumi.export("provisioning_restart_pending", provisioning_restart_pending)
