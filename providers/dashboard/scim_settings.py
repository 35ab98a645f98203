"""`ScimSettings`: step 1 of the setup guide (enable SCIM, account size, read the tenant URL).

The Dashboard has one SCIM configuration per account, so the resource adopts it on create, applies
the desired values and marks it with this stack (`owner`). Every `preview` and `up` compares the
desired values with the Dashboard's real ones (one GET in `diff()`), so a change made in the UI is
repaired without a `pulumi refresh`, and settings another stack owns fail the run instead of being
overwritten.
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

from providers.configured_provider import ConfiguredProvider, is_known, whole_number
from providers.dashboard.client import (
    ACCOUNT_SIZE_GB_MAX,
    ACCOUNT_SIZE_GB_MIN,
    DashboardClient,
    ScimSettingsState,
)
from providers.dashboard.credentials import DashboardCredentials
from providers.dashboard.ownership import ensure_owned, other_owner, stack_owner

DEFAULT_ACCOUNT_SIZE_GB = 50
_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "account_size_gb": DEFAULT_ACCOUNT_SIZE_GB,
    "keep_enabled_on_destroy": False,
    "adopt": False,
    "owner": "",
}
_INPUTS = tuple(_DEFAULTS)


@dataclass
class ScimSettingsArgs:
    """Desired SCIM settings of the Dashboard account.

    `keep_enabled_on_destroy`: `pulumi destroy` normally switches SCIM user management off (the
    token is revoked by `ScimToken`); set it to leave SCIM on, for example while handing the
    settings over to another stack. Settings another stack has taken over are never switched off.
    `adopt`: take over settings marked as another stack's (otherwise the run fails naming it); set
    by `scim:takeOver`. The input keeps the name existing stacks hold in state.
    """

    account_size_gb: pulumi.Input[int] = DEFAULT_ACCOUNT_SIZE_GB
    enabled: pulumi.Input[bool] = True
    keep_enabled_on_destroy: pulumi.Input[bool] = False
    adopt: pulumi.Input[bool] = False


class ScimSettingsProvider(ConfiguredProvider[DashboardCredentials, DashboardClient]):
    credentials_type = DashboardCredentials

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {key: news.get(key, default) for key, default in _DEFAULTS.items()}
        failures = self.config_failures()
        for key in ("enabled", "keep_enabled_on_destroy", "adopt"):
            if is_known(inputs[key]) and not isinstance(inputs[key], bool):
                failures.append(CheckFailure(key, "must be true or false"))
        size = inputs["account_size_gb"]
        if is_known(size):
            number = whole_number(size)
            if number is None or not ACCOUNT_SIZE_GB_MIN <= number <= ACCOUNT_SIZE_GB_MAX:
                failures.append(
                    CheckFailure(
                        "account_size_gb",
                        f"must be a whole number of GB from {ACCOUNT_SIZE_GB_MIN} to "
                        f"{ACCOUNT_SIZE_GB_MAX}",
                    )
                )
            else:
                inputs["account_size_gb"] = number
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Desired against the Dashboard's real settings (one GET), not only against state."""
        state = self.client().get_settings()
        ensure_owned(state, news, "settings")
        real = {"enabled": state.enabled, "account_size_gb": state.account_size_gb}
        drifted = [key for key, value in real.items() if _normal(news.get(key)) != value]
        changed = [key for key in _INPUTS if _normal(olds.get(key)) != _normal(news.get(key))]
        unmarked = state.owner != news.get("owner")
        changes = bool(drifted or changed or unmarked)
        return DiffResult(changes=changes, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        state = self._apply(props)
        return CreateResult(id_=state.tenant_url, outs=_outputs(state, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        state = self.client().get_settings()
        outs = _outputs(state, props)
        return ReadResult(id_=id_, outs=outs, inputs={key: outs[key] for key in _INPUTS})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=_outputs(self._apply(news), news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Switch SCIM off and drop this stack's mark, unless another stack has taken over."""
        if props.get("keep_enabled_on_destroy"):
            return
        client = self.client()
        state = client.get_settings()
        if other_owner(state, str(props.get("owner") or "")) is not None:
            return
        if state.enabled or state.owner is not None:
            client.put_settings(enabled=False, account_size_gb=state.account_size_gb, owner=None)

    def _apply(self, props: dict[str, Any]) -> ScimSettingsState:
        """Take the account's settings over; write only when they differ from the desired ones."""
        client = self.client()
        state = client.get_settings()
        ensure_owned(state, props, "settings")
        enabled, size = bool(props["enabled"]), int(props["account_size_gb"])
        owner = str(props.get("owner") or "") or None
        if (state.enabled, state.account_size_gb, state.owner) != (enabled, size, owner):
            state = client.put_settings(enabled=enabled, account_size_gb=size, owner=owner)
        return state


def _outputs(state: ScimSettingsState, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "tenant_url": state.tenant_url,
        "enabled": state.enabled,
        "account_size_gb": state.account_size_gb,
        "keep_enabled_on_destroy": bool(props.get("keep_enabled_on_destroy", False)),
        "adopt": bool(props.get("adopt", False)),
        "owner": str(props.get("owner") or ""),
    }


def _normal(value: Any) -> Any:
    number = whole_number(value)
    return value if number is None else number


class ScimSettings(pulumi.dynamic.Resource, module="dashboard", name="ScimSettings"):
    """The Dashboard's SCIM user management settings; `tenant_url` is what Entra ID must call."""

    tenant_url: pulumi.Output[str]
    enabled: pulumi.Output[bool]
    account_size_gb: pulumi.Output[int]
    keep_enabled_on_destroy: pulumi.Output[bool]
    adopt: pulumi.Output[bool]
    owner: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: ScimSettingsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {**vars(args), "owner": stack_owner(), "tenant_url": None}
        super().__init__(ScimSettingsProvider(), resource_name, props, opts)
