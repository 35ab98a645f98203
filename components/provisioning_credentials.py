"""The keys Entra keeps in an app's synchronization secret, made from `EntraProvisioningArgs`.

They are what the portal's Provisioning page saves (Tenant URL, Secret Token, scope, notification
settings). The azuread secret and the job control (`providers.graph.job_control`) send the same
pairs, and always all of `SECRET_KEYS`: Graph merges keys on PUT, and pulumi-azuread's
`synchronizationSecretResourceCreate` (update alike) waits until Graph lists as many keys as it
sent, for 5 minutes (3 on update). A key saved by the portal's *Save* and not sent here would keep
the count above ours, and that wait would time out on the first `up` and on every rotation.
`scim-setup adopt` reads the saved keys back (`saved_scope`) and refuses any other key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pulumi

from components.entra_provisioning_args import (
    EntraProvisioningArgs,
    EntraProvisioningArgsError,
    connection_problems,
)
from components.entra_values import is_email_address

COMPLIANT_PATCH_FLAG = "aadOptscim062020"
"""Tenant URL feature flag that makes Entra send RFC 7644-compliant PATCH requests."""

SECRET_KEYS = ("BaseAddress", "SecretToken", "SyncAll", "SyncNotificationSettings")
"""Every key the portal's *Save* stores for a non-gallery SCIM app, and every key sent here."""


def credential_pairs(args: EntraProvisioningArgs) -> list[tuple[str, pulumi.Input[str]]]:
    """(key, value) of each provisioning secret: the azuread secret's and the job control's.

    All of `SECRET_KEYS`, with explicit defaults (no failure e-mail, no deletion threshold), so
    Graph never holds more keys than pulumi-azuread waits for.
    """
    if args.tenant_url is None or args.secret_token is None:
        raise EntraProvisioningArgsError("credentials", connection_problems(None, None))
    settings = notification_settings(args.notification_email, args.delete_threshold)
    return [
        ("BaseAddress", base_address(args.tenant_url, args.compliant_patch)),
        ("SecretToken", pulumi.Output.secret(args.secret_token)),
        ("SyncAll", "true" if args.sync_all else "false"),
        ("SyncNotificationSettings", settings),
    ]


def base_address(tenant_url: pulumi.Input[str], compliant_patch: bool) -> pulumi.Input[str]:
    """The Tenant URL as Entra should call it."""
    if not compliant_patch:
        return tenant_url
    return pulumi.Output.from_input(tenant_url).apply(with_compliant_patch_flag)


def with_compliant_patch_flag(url: str) -> str:
    """Add `aadOptscim062020` as a query flag: `?` or `&` as needed, never twice."""
    if has_compliant_patch_flag(url):
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&{COMPLIANT_PATCH_FLAG}" if parts.query else COMPLIANT_PATCH_FLAG
    return urlunsplit(parts._replace(query=query))


def notification_settings(email: str | None, delete_threshold: int | None) -> str:
    """The `SyncNotificationSettings` JSON: failure e-mails and the accidental-deletion limit.

    Without either it is the disabled form `{"Enabled":false,"Recipients":"",
    "DeleteThresholdEnabled":false}`: Graph's PUT example (synchronization-serviceprincipal-put-
    synchronization) sends `Enabled` and `DeleteThresholdEnabled` false, and the shape saved with
    notifications on carries `Recipients` too (a community troubleshooting sample).
    """
    settings: dict[str, object] = {
        "Enabled": email is not None,
        "Recipients": email or "",
        "DeleteThresholdEnabled": delete_threshold is not None,
    }
    if delete_threshold is not None:
        settings["DeleteThresholdValue"] = delete_threshold
    return json.dumps(settings, separators=(",", ":"))


@dataclass(frozen=True)
class SavedScope:
    """What the saved keys of a setup made in the portal say, as `entra:*` config values."""

    tenant_url: str | None
    compliant_patch: bool
    sync_all: bool
    notification_email: str | None
    delete_threshold: int | None
    unkept_recipients: str | None = None
    """Saved failure-notice recipients that `entra:notificationEmail` cannot hold (not one
    address); None when there are none or they are kept."""


def saved_scope(saved: dict[str, str]) -> SavedScope:
    """Read the keys Graph lists (`GET …/synchronization/secrets`; the token masked as `*`)."""
    address = saved.get("BaseAddress") or None
    settings = _json_object(saved.get("SyncNotificationSettings"))
    recipients = str(settings.get("Recipients") or "").strip()
    emailed = settings.get("Enabled") is True and bool(recipients)
    threshold = _positive_int(settings.get("DeleteThresholdValue"))
    keeps_threshold = settings.get("DeleteThresholdEnabled") is True
    return SavedScope(
        tenant_url=None if address is None else without_compliant_patch_flag(address),
        compliant_patch=address is not None and has_compliant_patch_flag(address),
        sync_all=str(saved.get("SyncAll", "false")).strip().lower() == "true",
        notification_email=recipients if emailed and is_email_address(recipients) else None,
        delete_threshold=threshold if keeps_threshold else None,
        unkept_recipients=recipients if emailed and not is_email_address(recipients) else None,
    )


def has_compliant_patch_flag(url: str) -> bool:
    return any(_is_flag(pair) for pair in _query_pairs(url))


def without_compliant_patch_flag(url: str) -> str:
    """The tenant URL as the Dashboard reports it: the flag taken out of the query."""
    parts = urlsplit(url)
    kept = [pair for pair in _query_pairs(url) if not _is_flag(pair)]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _query_pairs(url: str) -> list[str]:
    return [pair for pair in urlsplit(url).query.split("&") if pair]


def _is_flag(pair: str) -> bool:
    return pair.split("=", 1)[0].lower() == COMPLIANT_PATCH_FLAG.lower()


def _json_object(text: str | None) -> dict[str, object]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _positive_int(value: object) -> int | None:
    """A threshold as Graph may store it (a number, or its text); None when it is none."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None
