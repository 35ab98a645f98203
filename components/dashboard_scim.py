"""`DashboardScim`: step 1 of the setup guide as one component (settings, then the token)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from providers import ScimSettings, ScimSettingsArgs, ScimToken, ScimTokenArgs
from providers.scim_settings import DEFAULT_ACCOUNT_SIZE_GB


@dataclass
class DashboardScimArgs:
    """Dashboard side of SCIM; see `ScimSettingsArgs` and `ScimTokenArgs` for each field."""

    account_size_gb: pulumi.Input[int] = DEFAULT_ACCOUNT_SIZE_GB
    enabled: pulumi.Input[bool] = True
    keep_enabled_on_destroy: pulumi.Input[bool] = False
    rotate_after_days: pulumi.Input[int] | None = None
    keepers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    adopt: pulumi.Input[bool] = False


class DashboardScim(pulumi.ComponentResource):
    """Enables SCIM user management, sets the account size and generates the API token.

    The token depends on the settings, so it is generated after SCIM is enabled and revoked before
    SCIM is switched off on destroy. `token` is a secret output.
    """

    tenant_url: pulumi.Output[str]
    token: pulumi.Output[str]
    token_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: DashboardScimArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("scim-setup:dashboard:DashboardScim", name, None, opts)
        settings = ScimSettings(
            f"{name}-settings",
            ScimSettingsArgs(
                account_size_gb=args.account_size_gb,
                enabled=args.enabled,
                keep_enabled_on_destroy=args.keep_enabled_on_destroy,
                adopt=args.adopt,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        token = ScimToken(
            f"{name}-token",
            ScimTokenArgs(
                rotate_after_days=args.rotate_after_days, keepers=args.keepers, adopt=args.adopt
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[settings]),
        )
        self.tenant_url = settings.tenant_url
        self.token = pulumi.Output.secret(token.token)
        self.token_id = token.token_id
        self.register_outputs(
            {"tenant_url": self.tenant_url, "token": self.token, "token_id": self.token_id}
        )
