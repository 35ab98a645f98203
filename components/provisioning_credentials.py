"""The keys Entra keeps in an app's synchronization secret, made from `EntraProvisioningArgs`.

They are what the portal's Provisioning page saves (Tenant URL, Secret Token, scope, notification
settings). The azuread secret and the job control (`providers.graph.job_control`) send the same
pairs.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

import pulumi

from components.entra_provisioning_args import (
    EntraProvisioningArgs,
    EntraProvisioningArgsError,
    connection_problems,
)

COMPLIANT_PATCH_FLAG = "aadOptscim062020"
"""Tenant URL feature flag that makes Entra send RFC 7644-compliant PATCH requests."""


def credential_pairs(args: EntraProvisioningArgs) -> list[tuple[str, pulumi.Input[str]]]:
    """(key, value) of each provisioning secret: the azuread secret's and the job control's."""
    if args.tenant_url is None or args.secret_token is None:
        raise EntraProvisioningArgsError("credentials", connection_problems(None, None))
    pairs: list[tuple[str, pulumi.Input[str]]] = [
        ("BaseAddress", base_address(args.tenant_url, args.compliant_patch)),
        ("SecretToken", pulumi.Output.secret(args.secret_token)),
        ("SyncAll", "true" if args.sync_all else "false"),
    ]
    if args.notification_email is not None or args.delete_threshold is not None:
        settings = notification_settings(args.notification_email, args.delete_threshold)
        pairs.append(("SyncNotificationSettings", settings))
    return pairs


def base_address(tenant_url: pulumi.Input[str], compliant_patch: bool) -> pulumi.Input[str]:
    """The Tenant URL as Entra should call it."""
    if not compliant_patch:
        return tenant_url
    return pulumi.Output.from_input(tenant_url).apply(with_compliant_patch_flag)


def with_compliant_patch_flag(url: str) -> str:
    """Add `aadOptscim062020` as a query flag: `?` or `&` as needed, never twice."""
    parts = urlsplit(url)
    names = [pair.split("=", 1)[0] for pair in parts.query.split("&") if pair]
    if any(n.lower() == COMPLIANT_PATCH_FLAG.lower() for n in names):
        return url
    query = f"{parts.query}&{COMPLIANT_PATCH_FLAG}" if parts.query else COMPLIANT_PATCH_FLAG
    return urlunsplit(parts._replace(query=query))


def notification_settings(email: str | None, delete_threshold: int | None) -> str:
    """The `SyncNotificationSettings` JSON: failure e-mails and the accidental-deletion limit.

    The value is only sent when enabled, as in Graph's own PUT example.
    """
    settings: dict[str, object] = {
        "Enabled": email is not None,
        "Recipients": email or "",
        "DeleteThresholdEnabled": delete_threshold is not None,
    }
    if delete_threshold is not None:
        settings["DeleteThresholdValue"] = delete_threshold
    return json.dumps(settings, separators=(",", ":"))
