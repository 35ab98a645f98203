"""`ScimSetup`: the setup guide's whole flow, the Dashboard step feeding the Entra step."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulumi

from components.dashboard_scim import DashboardScim, DashboardScimArgs
from components.entra_provisioning import EntraProvisioning
from components.entra_provisioning_args import (
    EntraProvisioningArgs,
    EntraProvisioningArgsError,
    argument_problems,
)


@dataclass
class ScimSetupArgs:
    """`entra` leaves `tenant_url` and `secret_token` unset: the Dashboard step supplies both."""

    dashboard: DashboardScimArgs
    entra: EntraProvisioningArgs


class ScimSetup(pulumi.ComponentResource):
    """Enable SCIM in the Dashboard, then provision into it from Entra ID, in one `pulumi up`.

    The tenant URL and the token flow from the Dashboard step into the Entra synchronization
    secret, so a regenerated or rotated token reaches Entra on the same `pulumi up`. They flow
    through the Dashboard step's Test Connection (unless switched off), so the secret and the job
    are created only after the Dashboard has answered as Entra needs. `token` is a secret Output
    (for escrow); it is not among the component's registered outputs.
    """

    tenant_url: pulumi.Output[str]
    token: pulumi.Output[str]
    token_id: pulumi.Output[str]
    client_id: pulumi.Output[str]
    application_object_id: pulumi.Output[str | None]
    service_principal_object_id: pulumi.Output[str]
    job_id: pulumi.Output[str]
    portal_url: pulumi.Output[str]
    dashboard: DashboardScim
    entra: EntraProvisioning

    def __init__(
        self, name: str, args: ScimSetupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        problems = argument_problems(args.entra, connection_given=False)
        if args.entra.tenant_url is not None or args.entra.secret_token is not None:
            problems.append(
                "tenant_url, secret_token: the Dashboard step supplies them; leave unset"
            )
        if problems:
            raise EntraProvisioningArgsError(name, problems)
        super().__init__("scim-setup:index:ScimSetup", name, None, opts)
        dashboard = DashboardScim(
            f"{name}-dashboard",
            replace(args.dashboard, entra_receives_token=True),
            pulumi.ResourceOptions(parent=self),
        )
        entra = EntraProvisioning(
            f"{name}-entra",
            replace(args.entra, tenant_url=dashboard.tenant_url, secret_token=dashboard.token),
            pulumi.ResourceOptions(parent=self),
        )
        self.tenant_url = dashboard.tenant_url
        self.token = dashboard.token
        self.token_id = dashboard.token_id
        self.client_id = entra.client_id
        self.application_object_id = entra.application_object_id
        self.service_principal_object_id = entra.service_principal_object_id
        self.job_id = entra.job_id
        self.portal_url = entra.portal_url
        self.dashboard = dashboard
        self.entra = entra
        self.register_outputs(
            {
                "tenant_url": self.tenant_url,
                "token_id": self.token_id,
                "client_id": self.client_id,
                "service_principal_object_id": self.service_principal_object_id,
                "job_id": self.job_id,
                "portal_url": self.portal_url,
            }
        )
