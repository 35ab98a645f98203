"""The stack: read and validate config, build the setup, export what operators need."""

import pulumi

from components import DashboardScim, ScimSetup, ScimSetupArgs
from components.stack_config import (
    StackConfigError,
    dashboard_args,
    entra_args,
    load_stack_config,
)

try:
    config = load_stack_config()
except StackConfigError as error:
    raise pulumi.RunError(str(error)) from None

if config.entra is None:
    # Dashboard step only (staged roll-outs, the local demo): a person carries the token to Entra.
    dashboard = DashboardScim("dashboard", dashboard_args(config))
    pulumi.export("tenant_url", dashboard.tenant_url)
    pulumi.export("token_id", dashboard.token_id)
    pulumi.export("token", dashboard.token)
else:
    setup = ScimSetup(
        "scim", ScimSetupArgs(dashboard=dashboard_args(config), entra=entra_args(config.entra))
    )
    pulumi.export("tenant_url", setup.tenant_url)
    pulumi.export("token_id", setup.token_id)
    pulumi.export("client_id", setup.client_id)
    pulumi.export("service_principal_object_id", setup.service_principal_object_id)
    pulumi.export("job_id", setup.job_id)
    pulumi.export("portal_url", setup.portal_url)
