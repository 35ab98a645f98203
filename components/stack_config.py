"""The running stack's config, validated, and the components' arguments built from it.

`config_model` declares every key this program reads; here the values Pulumi hands over (strings,
objects and lists as JSON text) are validated against it. All problems are collected and reported
together, each naming the key and the fix, before anything is registered.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pulumi
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from components.azure_extras_args import TokenEscrowArgs
from components.config_model import (
    NAMESPACES,
    SECTIONS,
    AzureExtrasConfig,
    ConfigSection,
    EntraConfig,
    StackConfig,
    TokenEscrowConfig,
)
from components.dashboard_scim import DashboardScimArgs
from providers.dashboard.credentials import API_TOKEN_ENV, API_TOKEN_KEY, URL_ENV
from providers.dashboard.ownership import OLD_TAKE_OVER_KEY, TAKE_OVER_KEY
from providers.dashboard.token_adoption import EXISTING_TOKEN_KEY

if TYPE_CHECKING:
    from components.entra_provisioning_args import EntraProvisioningArgs

__all__ = [
    "StackConfig",
    "StackConfigError",
    "dashboard_args",
    "entra_args",
    "load_stack_config",
    "parse_stack_config",
    "token_escrow_args",
]


class StackConfigError(ValueError):
    """Every problem with the stack config, one per line, each naming the key and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem(s) in the stack configuration:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def parse_stack_config(
    raw: Mapping[str, str],
    secret_keys: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
) -> StackConfig:
    """Validate this program's namespaces of stack config (values arrive as strings)."""
    env = os.environ if environ is None else environ
    sections: dict[str, Any] = {"dashboard": {}, "scim": {}}
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if namespace in NAMESPACES:
            sections.setdefault(namespace, {})[name] = _decode(value)
    dashboard = sections["dashboard"]
    if "url" not in dashboard and env.get(URL_ENV):
        dashboard["url"] = env[URL_ENV]
    secrets = frozenset(secret_keys)
    problems = _credential_problems(dashboard, secrets, env)
    problems += _existing_token_problems(sections["scim"], secrets)
    valid: dict[str, Any] = {}
    for namespace, section in NAMESPACES.items():
        if namespace not in sections:  # the Entra and Azure sections are never built then
            continue
        try:
            valid[namespace] = section.model_validate(sections[namespace])
        except ValidationError as exc:
            problems += [_describe(namespace, error, secrets) for error in exc.errors()]
    if problems:
        raise StackConfigError(problems)
    return StackConfig(
        dashboard=valid["dashboard"],
        scim=valid["scim"],
        entra=valid.get("entra"),
        azureExtras=valid.get("azureExtras") or AzureExtrasConfig.model_construct(),
        secret_keys=secrets,
    )


def _decode(value: str) -> Any:
    """Objects and lists arrive as JSON text; scalars stay strings and pydantic coerces them."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return value
    return value


def _credential_problems(
    dashboard: Mapping[str, Any], secret_keys: frozenset[str], env: Mapping[str, str]
) -> list[str]:
    if "apiToken" in dashboard and API_TOKEN_KEY not in secret_keys:
        return [
            f"{API_TOKEN_KEY}: stored in plain text; set it again with "
            f"`pulumi config set --secret {API_TOKEN_KEY} <token>`"
        ]
    if "apiToken" not in dashboard and not env.get(API_TOKEN_ENV):
        return [
            f"{API_TOKEN_KEY}: not set; run `pulumi config set --secret {API_TOKEN_KEY} <token>` "
            f"(or set {API_TOKEN_ENV})"
        ]
    return []


def _existing_token_problems(scim: Mapping[str, Any], secret_keys: frozenset[str]) -> list[str]:
    if "existingToken" in scim and EXISTING_TOKEN_KEY not in secret_keys:
        return [
            f"{EXISTING_TOKEN_KEY}: stored in plain text; set it again with "
            f"`pulumi config set --secret {EXISTING_TOKEN_KEY}` (the value on stdin)"
        ]
    return []


NEVER_ECHOED = frozenset({"dashboard:url", API_TOKEN_KEY, EXISTING_TOKEN_KEY})
"""Keys whose values never appear in a message (the URL may carry a password)."""


def _describe(namespace: str, error: ErrorDetails, secret_keys: frozenset[str]) -> str:
    """One problem as `namespace:key.nested: what is wrong (got value)`, with the fix."""
    rest = [str(part) for part in error["loc"]]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
    key = f"{namespace}:{path.lstrip('.')}" if rest else namespace
    top_key = f"{namespace}:{rest[0]}" if rest else key
    quiet = top_key in NEVER_ECHOED or top_key in secret_keys
    if error["type"] == "extra_forbidden":
        names = [str(p) for p in error["loc"][:-1] if not isinstance(p, int)]
        section = SECTIONS[".".join([namespace, *names])]
        return f"{key}: unknown key{_suggestion(rest[-1], section)}"
    if error["type"] == "missing":
        if rest == ["application"]:
            how = "--path entra:application.displayName <name>"
        else:
            how = f"--path {key} <value>" if "." in key else f"{key} <value>"
        return f"{key}: required; set it with `pulumi config set {how}`"
    message = error["msg"].removeprefix("Value error, ")
    return (
        f"{key}: {message} (got {error['input']!r})" if rest and not quiet else f"{key}: {message}"
    )


def _suggestion(name: str, section: type[ConfigSection]) -> str:
    names = [field.alias or key for key, field in section.model_fields.items()]
    close = difflib.get_close_matches(name, names, n=1)
    known = ", ".join(names)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {known}"


def load_stack_config() -> StackConfig:
    """The running stack's config, validated; raises `StackConfigError` listing every problem.

    The whole config, unknown keys included, is what the language host hands the program in
    `PULUMI_CONFIG` and `PULUMI_CONFIG_SECRET_KEYS`, read through `pulumi.runtime`'s public
    `get_config_env()` and `get_config_secret_keys_env()`; `pulumi.Config` reads one key at a
    time and cannot list the keys nobody asked for.
    """
    raw = pulumi.runtime.get_config_env()
    return parse_stack_config(raw, pulumi.runtime.get_config_secret_keys_env())


def dashboard_args(config: StackConfig) -> DashboardScimArgs:
    """The Dashboard step's arguments; keepers set with `--secret` stay secret in state.

    Called once per run, so the deprecated `scim:adopt` is warned about once."""
    scim = config.scim
    if scim.adopt is not None:
        pulumi.log.warn(
            f"{OLD_TAKE_OVER_KEY} is deprecated: it is now {TAKE_OVER_KEY} (it may go in 1.0); run "
            f"`pulumi config rm {OLD_TAKE_OVER_KEY}`, and `pulumi config set {TAKE_OVER_KEY} true` "
            "to take over a Dashboard another stack manages"
        )
    keepers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = scim.keepers
    if scim.keepers is not None and config.is_secret("scim:keepers"):
        keepers = pulumi.Output.secret(scim.keepers)
    return DashboardScimArgs(
        account_size_gb=scim.accountSizeGb,
        enabled=scim.enabled,
        keep_enabled_on_destroy=scim.keepEnabledOnDestroy,
        rotate_after_days=scim.rotateAfterDays,
        keepers=keepers,
        take_over=scim.take_over,
        test_connection=scim.testConnection,
        existing_token=None
        if scim.existingToken is None
        else pulumi.Output.secret(scim.existingToken),
    )


def entra_args(entra: EntraConfig) -> EntraProvisioningArgs:
    """The Entra step's arguments; `ScimSetup` fills in the tenant URL and token.

    Their modules are imported here, on the Entra path only (a Dashboard-only stack skips them)."""
    from components.entra_application_args import ExistingApplication, NewApplication
    from components.entra_provisioning_args import EntraProvisioningArgs

    app = entra.application
    application = (
        NewApplication(display_name=app.displayName)
        if app.displayName is not None
        else ExistingApplication(
            client_id=app.clientId, object_id=app.objectId, display_name=app.existingDisplayName
        )
    )
    return EntraProvisioningArgs(
        application=application,
        assigned_group_ids=entra.assignedGroups,
        start_provisioning=entra.startProvisioning,
        sync_all=entra.syncAll,
        notification_email=entra.notificationEmail,
        delete_threshold=entra.deleteThreshold,
        compliant_patch=entra.compliantPatch,
        test_connection=entra.testConnection,
        fail_when_quarantined=entra.failWhenQuarantined,
        attribute_mappings=[m.model_dump() for m in entra.attributeMappings],
        scoping_filter=entra.scopingFilter,
        imports=None if entra.import_ is None else entra.import_.imports(),
        delete_imported_on_destroy=entra.deleteImportedOnDestroy,
    )


def token_escrow_args(escrow: TokenEscrowConfig, token: pulumi.Input[str]) -> TokenEscrowArgs:
    return TokenEscrowArgs(
        token=token,
        resource_group_name=escrow.resourceGroupName,
        vault_name=escrow.vaultName,
        secret_name=escrow.secretName,
    )
