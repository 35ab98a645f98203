"""The stack: read and validate config, build the setup, export what operators need.

The Entra step and the Azure extras are imported only when their config section is present, so a
Dashboard-only stack never loads them (or their SDKs).
"""

import pulumi

from components.dashboard_scim import DashboardScim
from components.health_outputs import export_health
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
    setup = DashboardScim("dashboard", dashboard_args(config))
    pulumi.export("token", setup.token)
    export_health(setup)
else:
    from components.scim_setup import ScimSetup, ScimSetupArgs

    setup = ScimSetup(
        "scim", ScimSetupArgs(dashboard=dashboard_args(config), entra=entra_args(config.entra))
    )
    pulumi.export("client_id", setup.client_id)
    pulumi.export("service_principal_object_id", setup.service_principal_object_id)
    pulumi.export("job_id", setup.job_id)
    entra = setup.entra
    export_health(
        setup.dashboard,
        entra.test_connection,
        entra.provisioning_status,
        entra.portal_url,
        entra.provisioning_attention,
        entra.provisioning_restart_pending,
    )
pulumi.export("tenant_url", setup.tenant_url)
pulumi.export("token_id", setup.token_id)

extras = config.azureExtras
if extras.provisioningLogs is not None:
    from components.azure_extras import ProvisioningLogs

    logs = ProvisioningLogs("provisioning-logs", extras.provisioningLogs.args())
    pulumi.export("provisioning_logs_workspace_id", logs.workspace_id)
if extras.tokenEscrow is not None:
    from components.azure_extras import TokenEscrow

    escrow = TokenEscrow("token-escrow", token_escrow_args(extras.tokenEscrow, setup.token))
    pulumi.export("token_escrow_uri", escrow.secret_uri)
