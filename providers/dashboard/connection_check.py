"""`ScimConnectionTest`: Entra's *Test Connection*, run by `pulumi up` against the Dashboard.

On create, and whenever the tenant URL or the token changes, it sends what Entra sends
(`providers.dashboard.scim_probe`) and fails the update with one line unless the Dashboard answers
200 with an empty ListResponse. Consumers take `tenant_url` and `token` from this resource's
outputs, so nothing downstream (the Entra secret) sees values that failed the test. `preview`
sends nothing. `pulumi refresh` re-reads when the token was last used (Entra calls, or this
test), through the admin API; it does not probe again.

While the stack switches SCIM off (`scim_enabled` false) there is nothing Entra could reach: the
test records "skipped" instead of failing, and runs as soon as SCIM is switched on again.
Switching SCIM off is not itself a reason to test (or to show a change in `preview`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from providers.configured_provider import ConfiguredProvider, is_known
from providers.connection_outcome import initial_props, passed
from providers.dashboard.client import DashboardClient, DashboardError
from providers.dashboard.connection import DashboardConnection
from providers.dashboard.scim_probe import ConnectionTestFailed, send_test_connection

_INPUTS = ("tenant_url", "token", "token_id", "scim_enabled")
_TRIGGERS = ("tenant_url", "token", "token_id")
SKIPPED = "skipped"


@dataclass
class ScimConnectionTestArgs:
    """`token` is the SCIM token (a secret); `token_id` names it, to read its last use."""

    tenant_url: pulumi.Input[str]
    token: pulumi.Input[str]
    token_id: pulumi.Input[str]
    scim_enabled: pulumi.Input[bool] = True


class ScimConnectionTestProvider(ConfiguredProvider[DashboardConnection, DashboardClient]):
    connection_type = DashboardConnection

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {key: news.get(key) for key in _INPUTS}
        inputs["scim_enabled"] = news.get("scim_enabled") is not False
        failures = [
            CheckFailure(key, "required; pass the Dashboard's tenant URL, token and token id")
            for key, value in inputs.items()
            if value is None
        ]
        url = inputs["tenant_url"]
        if isinstance(url, str) and is_known(url) and not url.startswith(("https://", "http://")):
            failures.append(CheckFailure("tenant_url", f"{url!r} is not an http(s) URL"))
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A changed tenant URL or token means testing again.

        A tenant URL that `preview` does not know yet (any update of the settings makes it
        unknown) is not reported as a change: `up` diffs again with the real values. A token it
        does not know yet is: the token resource is being replaced or updated, and the Entra
        secret, which takes the token from this resource, must show its update in the preview.
        """
        changed = [
            key
            for key in _TRIGGERS
            if olds.get(key) != news.get(key) and (key != "tenant_url" or is_known(news.get(key)))
        ]
        switched_on = news.get("scim_enabled") is True and olds.get("result") == SKIPPED
        changes = bool(changed) or switched_on
        return DiffResult(changes=changes, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["token_id"], outs=self._test(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._test(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outs = {**props, "token_last_used_at": self._last_used_at(props.get("token_id"))}
        return ReadResult(id_=id_, outs=outs, inputs={key: props.get(key) for key in _INPUTS})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: the test only read."""

    def _test(self, props: dict[str, Any]) -> dict[str, Any]:
        if props.get("scim_enabled") is False:
            skipped = passed(props, _INPUTS, "SCIM user management is switched off by this stack")
            return {**skipped, "result": SKIPPED, "token_last_used_at": None}
        result = send_test_connection(props["tenant_url"], props["token"])
        if not result.passed:
            raise ConnectionTestFailed(result.message)
        last_used_at = self._last_used_at(props["token_id"])
        return {**passed(props, _INPUTS, result.message), "token_last_used_at": last_used_at}

    def _last_used_at(self, token_id: Any) -> str | None:
        """When the Dashboard last accepted this token; None when unknown or not the active one."""
        try:
            token = self.client().get_settings().token
        except DashboardError:
            return None
        return token.last_used_at if token is not None and token.id == token_id else None


class ScimConnectionTest(pulumi.dynamic.Resource, module="dashboard", name="ScimConnectionTest"):
    """Test Connection as Entra sends it; `tenant_url` and `token` (secret) are what passed."""

    tenant_url: pulumi.Output[str]
    token: pulumi.Output[str]
    token_id: pulumi.Output[str]
    result: pulumi.Output[str]
    message: pulumi.Output[str]
    checked_at: pulumi.Output[str]
    token_last_used_at: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: ScimConnectionTestArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = initial_props(args, "token_last_used_at")
        secret = pulumi.ResourceOptions(additional_secret_outputs=["token"])
        super().__init__(
            ScimConnectionTestProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secret),
        )
