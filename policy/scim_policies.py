"""The organisation's rules for SCIM setups, as pulumi-policy policies.

Each policy reads what the engine sends it: the Dashboard resources' inputs and outputs (snake_case,
as the dynamic providers declare them) and the Entra resources' inputs (pulumi-azuread's camelCase).
Every violation names the stack config key to change. Values the engine does not know yet during a
preview (a tenant URL before the first `up`) make pulumi-policy report "can't run policy during
preview" instead of a verdict; `pulumi up` checks them once they are known.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

SCIM_SETTINGS = "pulumi-python:dynamic/dashboard:ScimSettings"
SCIM_TOKEN = "pulumi-python:dynamic/dashboard:ScimToken"
SYNC_SECRET = "azuread:index/synchronizationSecret:SynchronizationSecret"
SYNC_JOB = "azuread:index/synchronizationJob:SynchronizationJob"

MAX_ROTATE_AFTER_DAYS = 180
MIN_ACCOUNT_SIZE_GB = 10
MAX_ACCOUNT_SIZE_GB = 1000


def tenant_url_problem(url: str) -> str | None:
    """Why Entra must not be pointed at `url`, or None: https, or http to a loopback host."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return None
    return (
        f"tenant URL {url} is not https; Entra ID only provisions to https endpoints (plain http "
        "is allowed for loopback only): serve the Dashboard over https and set dashboard:url to "
        "that address (`pulumi config set dashboard:url https://…`)"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def credentials(props: Mapping[str, Any]) -> dict[str, Any]:
    """A SynchronizationSecret's `credentials` as a key → value map (values read lazily)."""
    return {item["key"]: item for item in props.get("credentials") or []}


def credential(props: Mapping[str, Any], key: str) -> Any:
    item = credentials(props).get(key)
    return None if item is None else item["value"]


def notification_settings(props: Mapping[str, Any]) -> dict[str, Any]:
    raw = credential(props, "SyncNotificationSettings")
    return json.loads(raw) if raw else {}


def _tenant_url_in_settings(args: StackValidationArgs, report: ReportViolation) -> None:
    for resource in args.resources:
        if resource.resource_type == SCIM_SETTINGS:
            url = resource.props.get("tenant_url")
            if url and (problem := tenant_url_problem(url)):
                report(problem, resource.urn)


def _tenant_url_in_entra(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SYNC_SECRET:
        url = credential(args.props, "BaseAddress")
        if url and (problem := tenant_url_problem(url)):
            report(problem, None)


def _token_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != SCIM_TOKEN:
        return
    limit = int(args.get_config().get("maxRotateAfterDays", MAX_ROTATE_AFTER_DAYS))
    days = args.props.get("rotate_after_days")
    fix = f"`pulumi config set scim:rotateAfterDays {limit}` (or fewer days)"
    if days is None:
        report(f"scim:rotateAfterDays is not set, so the SCIM token never expires: {fix}", None)
    elif int(days) > limit:
        report(
            f"scim:rotateAfterDays is {int(days)}; at most {limit} days are allowed: {fix}", None
        )


def _account_size(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != SCIM_SETTINGS:
        return
    config = args.get_config()
    low = int(config.get("minAccountSizeGb", MIN_ACCOUNT_SIZE_GB))
    high = int(config.get("maxAccountSizeGb", MAX_ACCOUNT_SIZE_GB))
    size = int(args.props["account_size_gb"])
    if not low <= size <= high:
        report(
            f"scim:accountSizeGb is {size} GB; this organisation gives each backup account "
            f"{low} to {high} GB: `pulumi config set scim:accountSizeGb <{low}..{high}>`",
            None,
        )


def _job_after_secret(args: StackValidationArgs, report: ReportViolation) -> None:
    for job in args.resources:
        if job.resource_type != SYNC_JOB or job.props.get("enabled") is False:
            continue
        principal = job.props.get("servicePrincipalId")
        if not any(
            dep.resource_type == SYNC_SECRET and dep.props.get("servicePrincipalId") == principal
            for dep in job.dependencies
        ):
            report(
                "the synchronization job does not depend on its synchronization secret, so it "
                "could start before Entra holds the tenant URL and token: set "
                "entra:startProvisioning to false (`pulumi config set entra:startProvisioning "
                "false`) until the program declares that dependency",
                job.urn,
            )


def _notification_email(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SYNC_SECRET:
        settings = notification_settings(args.props)
        if not (settings.get("Enabled") and settings.get("Recipients")):
            report(
                "no one is e-mailed when provisioning fails or is quarantined: "
                "`pulumi config set entra:notificationEmail identity-team@example.com`",
                None,
            )


def _sync_all_off(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SYNC_SECRET and str(credential(args.props, "SyncAll")) == "true":
        report(
            "entra:syncAll is on: every user and group of the tenant gets a backup account, not "
            "only the assigned groups: `pulumi config set entra:syncAll false`",
            None,
        )


def _deletion_threshold(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == SYNC_SECRET:
        settings = notification_settings(args.props)
        if not (settings.get("DeleteThresholdEnabled") and settings.get("DeleteThresholdValue")):
            report(
                "no accidental-deletion threshold: a mistaken scope change could delete every "
                "backup account in one cycle: `pulumi config set entra:deleteThreshold 50`",
                None,
            )


def policies() -> list[Policy]:
    """Every policy of the pack, with its enforcement level and pack config schema."""
    mandatory, advisory = EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY
    return [
        StackValidationPolicy(
            name="tenant-url-https",
            description="The Dashboard's tenant URL is https (loopback excepted).",
            enforcement_level=mandatory,
            validate=_tenant_url_in_settings,
        ),
        ResourceValidationPolicy(
            name="entra-tenant-url-https",
            description="Entra is given an https tenant URL (loopback excepted).",
            enforcement_level=mandatory,
            validate=_tenant_url_in_entra,
        ),
        ResourceValidationPolicy(
            name="token-rotation",
            description="The SCIM token is rotated at least every maxRotateAfterDays days.",
            enforcement_level=mandatory,
            validate=_token_rotation,
            config_schema=PolicyConfigSchema(
                {
                    "maxRotateAfterDays": {
                        "type": "integer",
                        "minimum": 1,
                        "default": MAX_ROTATE_AFTER_DAYS,
                    }
                }
            ),
        ),
        ResourceValidationPolicy(
            name="account-size-bounds",
            description="Backup accounts get between minAccountSizeGb and maxAccountSizeGb GB.",
            enforcement_level=mandatory,
            validate=_account_size,
            config_schema=PolicyConfigSchema(
                {
                    "minAccountSizeGb": {
                        "type": "integer",
                        "minimum": 1,
                        "default": MIN_ACCOUNT_SIZE_GB,
                    },
                    "maxAccountSizeGb": {
                        "type": "integer",
                        "minimum": 1,
                        "default": MAX_ACCOUNT_SIZE_GB,
                    },
                }
            ),
        ),
        StackValidationPolicy(
            name="sync-job-after-secret",
            description="An enabled synchronization job depends on its synchronization secret.",
            enforcement_level=mandatory,
            validate=_job_after_secret,
        ),
        ResourceValidationPolicy(
            name="notification-email",
            description="Provisioning failures are e-mailed to someone.",
            enforcement_level=advisory,
            validate=_notification_email,
        ),
        ResourceValidationPolicy(
            name="sync-all-off",
            description="Only assigned users and groups are provisioned.",
            enforcement_level=advisory,
            validate=_sync_all_off,
        ),
        ResourceValidationPolicy(
            name="deletion-threshold",
            description="An accidental-deletion threshold pauses provisioning.",
            enforcement_level=advisory,
            validate=_deletion_threshold,
        ),
    ]
