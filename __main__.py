"""The stack: read and validate config, build the setup, export what operators need."""

import pulumi

from components import DashboardScim, ScimSetup, ScimSetupArgs
from components.azure_extras import ProvisioningLogs, TokenEscrow
from components.stack_config import (
    StackConfigError,
    dashboard_args,
    entra_args,
    load_stack_config,
    token_escrow_args,
)

try:
    config = load_stack_config()
except StackConfigError as error:
    raise pulumi.RunError(str(error)) from None

if config.entra is None:
    # Dashboard step only (staged roll-outs, the local demo): a person carries the token to Entra.
    setup = dashboard = DashboardScim("dashboard", dashboard_args(config))
    pulumi.export("token", setup.token)
else:
    setup = ScimSetup(
        "scim", ScimSetupArgs(dashboard=dashboard_args(config), entra=entra_args(config.entra))
    )
    dashboard = setup.dashboard
    pulumi.export("client_id", setup.client_id)
    pulumi.export("service_principal_object_id", setup.service_principal_object_id)
    pulumi.export("job_id", setup.job_id)
    pulumi.export("portal_url", setup.portal_url)
    pulumi.export("entra_test_connection", setup.entra.test_connection)
    pulumi.export("provisioning_status", setup.entra.provisioning_status)
pulumi.export("tenant_url", setup.tenant_url)
pulumi.export("token_id", setup.token_id)
# What `scim-setup status` reads.
pulumi.export("scim_enabled", dashboard.enabled)
pulumi.export("account_size_gb", dashboard.account_size_gb)
pulumi.export("token_created_at", dashboard.token_created_at)
pulumi.export("token_last_used_at", dashboard.token_last_used_at)
pulumi.export("test_connection", dashboard.test_connection)

extras = config.azureExtras
if extras.provisioningLogs is not None:
    logs = ProvisioningLogs("provisioning-logs", extras.provisioningLogs.args())
    pulumi.export("provisioning_logs_workspace_id", logs.workspace_id)
if extras.tokenEscrow is not None:
    escrow = TokenEscrow("token-escrow", token_escrow_args(extras.tokenEscrow, setup.token))
    pulumi.export("token_escrow_uri", escrow.secret_uri)
