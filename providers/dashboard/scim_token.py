"""`ScimToken`: the shown-once SCIM API token of the setup guide ("click Generate").

The Dashboard keeps one active token per account and never shows a secret twice, so the secret
lives only in Pulumi state (as a secret output). The token is labelled with this stack
(`pulumi:<org>/<project>/<stack>`). Every `preview` and `up` asks the Dashboard which token is
active (one GET in `diff()`): when someone regenerated or revoked ours in the UI, the token is
replaced in that same run, and everything consuming `token` (the Entra secret) follows. When another
stack's token is active, the run fails naming that stack instead of taking the token from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from providers.dashboard.client import DashboardClient
from providers.dashboard.connection import DashboardConnection
from providers.dashboard.ownership import ensure_owned, stack_owner


@dataclass
class ScimTokenArgs:
    """When to replace the token.

    `rotate_after_days`: a `pulumi up` at least this many days after the token was generated
    replaces it (like time-based rotation resources; nothing happens between runs).
    `keepers`: free-form values; any change replaces the token. Pass a secret to keep them secret
    in state and in `--diff` output.
    `adopt`: take over from another stack whose token is active (otherwise the run fails).
    """

    rotate_after_days: pulumi.Input[int] | None = None
    keepers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None
    adopt: pulumi.Input[bool] = False


class ScimTokenProvider(ConfiguredProvider[DashboardConnection, DashboardClient]):
    connection_type = DashboardConnection

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {
            "rotate_after_days": news.get("rotate_after_days"),
            "keepers": news.get("keepers"),
            "adopt": news.get("adopt", False),
            "owner": news.get("owner"),
        }
        failures = self.config_failures()
        days = inputs["rotate_after_days"]
        if days is not None and is_known(days):
            number = whole_number(days)
            if number is None or number < 1:
                failures.append(
                    CheckFailure(
                        "rotate_after_days",
                        "must be a whole number of days, 1 or more (or unset to never rotate)",
                    )
                )
            else:
                inputs["rotate_after_days"] = number
        keepers = inputs["keepers"]
        if keepers is not None and is_known(keepers) and not isinstance(keepers, dict):
            failures.append(CheckFailure("keepers", "must be a map of names to values"))
        if is_known(inputs["adopt"]) and not isinstance(inputs["adopt"], bool):
            failures.append(CheckFailure("adopt", "must be true or false"))
        return CheckResult({k: v for k, v in inputs.items() if v is not None}, failures)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replace for new keepers, a due rotation, or a token that is no longer the active one.

        The last needs one GET, so a plain `up` (no `refresh`) notices a dead token.
        """
        replaces = []
        if olds.get("keepers") != news.get("keepers"):
            replaces.append("keepers")
        if _is_due(olds.get("created_at"), news.get("rotate_after_days")):
            replaces.append("rotate_after_days")
        state = self.client().get_settings()
        if state.token is None or state.token.id != id_:
            ensure_owned(state, news, "token")
            replaces.append("token")
        changed = bool(replaces) or _days(olds) != _days(news)
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = self.client()
        ensure_owned(client.get_settings(), props, "token")
        generated = client.generate_token(label=str(props.get("owner") or "") or None)
        outs = {
            "token": generated.secret,
            "token_id": generated.id,
            "created_at": generated.created_at,
            **_policy(props),
        }
        return CreateResult(id_=generated.id, outs=outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        active = self.client().get_settings().token
        if active is None or active.id != id_:
            return ReadResult(id_="", outs={})
        return ReadResult(id_=id_, outs=props, inputs=_policy(props))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only the rotation policy changes in place; the token itself is carried over."""
        kept = {key: olds[key] for key in ("token", "token_id", "created_at")}
        return UpdateResult(outs={**kept, **_policy(news)})

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Revoke only if ours is still the active token.

        The Dashboard answers 404 for a superseded token, so a replacement (new token created
        first) or a token regenerated in the UI is left alone.
        """
        self.client().revoke_token(id_)


def _policy(props: dict[str, Any]) -> dict[str, Any]:
    keys = ("rotate_after_days", "keepers", "adopt", "owner")
    return {key: props[key] for key in keys if props.get(key) is not None}


def _days(props: dict[str, Any]) -> int | None:
    return whole_number(props.get("rotate_after_days"))


def _is_due(created_at: Any, rotate_after_days: Any, now: datetime | None = None) -> bool:
    days = whole_number(rotate_after_days)
    if days is None or not isinstance(created_at, str):
        return False
    created = datetime.fromisoformat(created_at)
    return (now or datetime.now(UTC)) >= created + timedelta(days=days)


class ScimToken(pulumi.dynamic.Resource, module="dashboard", name="ScimToken"):
    """The Dashboard's SCIM API token; `token` is a secret output, never stored in plain text."""

    token: pulumi.Output[str]
    token_id: pulumi.Output[str]
    created_at: pulumi.Output[str]
    rotate_after_days: pulumi.Output[int | None]
    keepers: pulumi.Output[Mapping[str, str] | None]
    adopt: pulumi.Output[bool]
    owner: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: ScimTokenArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            **vars(args or ScimTokenArgs()),
            "owner": stack_owner(),
            "token": None,
            "token_id": None,
            "created_at": None,
        }
        secret = pulumi.ResourceOptions(additional_secret_outputs=["token"])
        super().__init__(
            ScimTokenProvider(), resource_name, props, pulumi.ResourceOptions.merge(opts, secret)
        )
