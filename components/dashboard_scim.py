"""`DashboardScim`: step 1 of the setup guide as one component (settings, then the token)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from providers import ScimSettings, ScimSettingsArgs, ScimToken, ScimTokenArgs
from providers.connection_outcome import outcome_of
from providers.dashboard.connection_check import ScimConnectionTest, ScimConnectionTestArgs
from providers.dashboard.scim_settings import DEFAULT_ACCOUNT_SIZE_GB


@dataclass
class DashboardScimArgs:
    """Dashboard side of SCIM; see `ScimSettingsArgs` and `ScimTokenArgs` for each field."""

    account_size_gb: pulumi.Input[int] = DEFAULT_ACCOUNT_SIZE_GB
    enabled: pulumi.Input[bool] = True
    keep_enabled_on_destroy: pulumi.Input[bool] = False
    rotate_after_days: pulumi.Input[int] | None = None
    keepers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    adopt: pulumi.Input[bool] = False
    test_connection: bool = True
    """Send Entra's Test Connection after the token is generated (skipped while SCIM is off)."""


class DashboardScim(pulumi.ComponentResource):
    """Enables SCIM user management, sets the account size and generates the API token.

    The token depends on the settings, so it is generated after SCIM is enabled and revoked before
    SCIM is switched off on destroy. `token` is a secret output. With `test_connection`,
    `tenant_url` and `token` are the values that passed Entra's Test Connection, so whatever
    consumes them (the Entra secret) waits for the test and never sees a failing pair.
    `test_connection` is then `{result, message, checked_at}`, else None.
    """

    tenant_url: pulumi.Output[str]
    token: pulumi.Output[str]
    token_id: pulumi.Output[str]
    enabled: pulumi.Output[bool]
    account_size_gb: pulumi.Output[int]
    token_created_at: pulumi.Output[str]
    token_last_used_at: pulumi.Output[str | None]
    test_connection: pulumi.Output[dict[str, str] | None]

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
        self.enabled = settings.enabled
        self.account_size_gb = settings.account_size_gb
        self.token_created_at = token.created_at
        self.token_last_used_at = pulumi.Output.from_input(None)
        self.test_connection = pulumi.Output.from_input(None)
        if args.test_connection:
            self._test_connection(name, args.enabled)
        self.register_outputs(
            {
                "tenant_url": self.tenant_url,
                "token": self.token,
                "token_id": self.token_id,
                "test_connection": self.test_connection,
            }
        )

    def _test_connection(self, name: str, enabled: pulumi.Input[bool]) -> None:
        """Probe the tenant URL with the token; downstream takes both from the probe."""
        probe = ScimConnectionTest(
            f"{name}-test-connection",
            ScimConnectionTestArgs(
                tenant_url=self.tenant_url,
                token=self.token,
                token_id=self.token_id,
                scim_enabled=enabled,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        self.tenant_url = probe.tenant_url
        self.token = pulumi.Output.secret(probe.token)
        self.token_last_used_at = probe.token_last_used_at
        self.test_connection = outcome_of(probe)
