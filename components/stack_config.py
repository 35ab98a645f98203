"""The stack configuration schema: every key of `Pulumi.<stack>.yaml` this program reads.

All problems are collected and reported together, each naming the key and the fix, before anything
is registered. Unknown keys in our namespaces are errors, so a typo cannot pass silently.

Each namespace is a frozen dataclass whose field types declare its schema (`config_schema`
turns it into a pydantic-core validator: pydantic's coercion from config strings and its messages).
A section's validator is built the first time its namespace is present, so a Dashboard-only stack
never builds the Entra or Azure ones.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic_core import ValidationError

from components.config_schema import Check, Limits, validator_for
from components.dashboard_scim import DashboardScimArgs
from providers.dashboard.client import (
    ACCOUNT_SIZE_GB_MAX,
    ACCOUNT_SIZE_GB_MIN,
    TIMEOUT_S_MAX,
    TIMEOUT_S_MIN,
)
from providers.dashboard.connection import (
    API_TOKEN_ENV,
    API_TOKEN_KEY,
    URL_ENV,
    dashboard_url_problem,
)
from providers.dashboard.scim_settings import DEFAULT_ACCOUNT_SIZE_GB

if TYPE_CHECKING:
    from components.azure_extras import ProvisioningLogsArgs, TokenEscrowArgs
    from components.entra_provisioning import EntraProvisioningArgs

# The Entra and Azure modules are imported where their sections are validated or built, so a
# Dashboard-only program never loads them (issue 13).


def _usable_url(url: str) -> str:
    if problem := dashboard_url_problem(url):
        raise ValueError(problem)
    return url


def _group_ids(groups: list[str]) -> list[str]:
    from components.entra_application import is_guid

    if any(not is_guid(g) for g in groups):
        raise ValueError("each entry must be a group object id (a GUID)")
    if len(set(groups)) != len(groups):
        raise ValueError("each group may be listed once")
    return groups


def _email(email: str) -> str:
    from components.entra_provisioning import is_email_address

    if not is_email_address(email):
        raise ValueError(f"{email!r} is not an e-mail address (name@example.com)")
    return email


@dataclass(frozen=True)
class DashboardConfig:
    url: Annotated[str, Check(_usable_url)]
    apiToken: str | None = field(default=None, repr=False)
    timeoutSeconds: Annotated[float, Limits(ge=TIMEOUT_S_MIN, le=TIMEOUT_S_MAX)] | None = None


@dataclass(frozen=True)
class ScimConfig:
    enabled: bool = True
    accountSizeGb: Annotated[int, Limits(ge=ACCOUNT_SIZE_GB_MIN, le=ACCOUNT_SIZE_GB_MAX)] = (
        DEFAULT_ACCOUNT_SIZE_GB
    )
    rotateAfterDays: Annotated[int, Limits(ge=1)] | None = None
    keepers: dict[str, str] | None = None
    keepEnabledOnDestroy: bool = False
    adopt: bool = False
    testConnection: bool = True


@dataclass(frozen=True)
class EntraApplicationConfig:
    """A new non-gallery app (`displayName`) or an existing one (one of the three lookups)."""

    displayName: str | None = None
    clientId: str | None = None
    objectId: str | None = None
    existingDisplayName: str | None = None

    def __post_init__(self) -> None:
        given = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        if len(given) != 1:
            raise ValueError(
                "set exactly one of displayName (create a new app), or clientId, objectId or "
                f"existingDisplayName (use an existing app); got {list(given) or 'none'}"
            )
        name, value = next(iter(given.items()))
        if not value.strip():
            raise ValueError(f"{name} must not be blank")


@dataclass(frozen=True)
class EntraConfig:
    application: EntraApplicationConfig
    assignedGroups: Annotated[list[str], Check(_group_ids)] = field(default_factory=list)
    startProvisioning: bool = True
    syncAll: bool = False
    notificationEmail: Annotated[str, Check(_email)] | None = None
    deleteThreshold: Annotated[int, Limits(gt=0)] | None = None
    compliantPatch: bool = False
    testConnection: bool = True
    failWhenQuarantined: bool = False


@dataclass(frozen=True)
class ProvisioningLogsConfig:
    """Entra provisioning logs to Log Analytics: an existing workspace or a new one."""

    workspaceId: str | None = None
    resourceGroupName: str | None = None
    location: str | None = None
    retentionInDays: int | None = None

    def __post_init__(self) -> None:
        from components.azure_extras import provisioning_logs_problems

        _raise_camel_cased(provisioning_logs_problems(self.args()))

    def args(self) -> ProvisioningLogsArgs:
        from components.azure_extras import ProvisioningLogsArgs

        return ProvisioningLogsArgs(
            workspace_id=self.workspaceId,
            resource_group_name=self.resourceGroupName,
            location=self.location,
            retention_in_days=self.retentionInDays,
        )


@dataclass(frozen=True)
class TokenEscrowConfig:
    """A copy of the SCIM token in an existing Key Vault."""

    resourceGroupName: str
    vaultName: str
    secretName: str = "dashboard-scim-token"

    def __post_init__(self) -> None:
        from components.azure_extras import vault_secret_problems

        _raise_camel_cased(vault_secret_problems(self.vaultName, self.secretName))


@dataclass(frozen=True)
class AzureExtrasConfig:
    provisioningLogs: ProvisioningLogsConfig | None = None
    tokenEscrow: TokenEscrowConfig | None = None


def _raise_camel_cased(problems: list[str]) -> None:
    """Report a component's problems with the config keys' spelling (`vault_name` → `vaultName`)."""
    if problems:
        camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), "; ".join(problems))
        raise ValueError(camel)


SECTIONS: dict[str, type] = {
    "dashboard": DashboardConfig,
    "scim": ScimConfig,
    "entra": EntraConfig,
    "azureExtras": AzureExtrasConfig,
}


@dataclass(frozen=True)
class StackConfig:
    """The validated namespaces; `entra` is None for a Dashboard-only stack."""

    dashboard: DashboardConfig
    scim: ScimConfig = field(default_factory=ScimConfig)
    entra: EntraConfig | None = None
    azureExtras: AzureExtrasConfig = field(default_factory=AzureExtrasConfig)
    secret_keys: frozenset[str] = field(default=frozenset(), repr=False)

    def is_secret(self, key: str) -> bool:
        """Whether `key` was set with `pulumi config set --secret`."""
        return key in self.secret_keys


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
    sections: dict[str, dict[str, Any]] = {"dashboard": {}}
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if namespace in SECTIONS:
            sections.setdefault(namespace, {})[name] = _decode(value)
    dashboard = sections["dashboard"]
    if "url" not in dashboard and env.get(URL_ENV):
        dashboard["url"] = env[URL_ENV]
    secrets = frozenset(secret_keys)
    problems = _credential_problems(dashboard, set(secrets), env)
    validated: dict[str, Any] = {}
    for namespace in [name for name in SECTIONS if name in sections]:
        try:
            validated[namespace] = validator_for(SECTIONS[namespace]).validate_python(
                sections[namespace]
            )
        except ValidationError as exc:
            problems += [_describe(namespace, error, secrets) for error in exc.errors()]
    if problems:
        raise StackConfigError(problems)
    return StackConfig(**validated, secret_keys=secrets)


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
    dashboard: Mapping[str, Any], secret_keys: set[str], env: Mapping[str, str]
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


_NESTED: dict[str, type] = {
    "entra.application": EntraApplicationConfig,
    "azureExtras.provisioningLogs": ProvisioningLogsConfig,
    "azureExtras.tokenEscrow": TokenEscrowConfig,
}
"""Nested objects by their path, for the known keys of an unknown one."""


NEVER_ECHOED = frozenset({"dashboard:url", API_TOKEN_KEY})
"""Keys whose values never appear in a message (the URL may carry a password)."""


def _describe(namespace: str, error: Any, secret_keys: frozenset[str] = frozenset()) -> str:
    rest = [str(part) for part in error["loc"]]
    location = [namespace, *rest]
    key = f"{namespace}:{'.'.join(rest)}" if rest else f"{namespace}"
    top_key = f"{namespace}:{rest[0]}" if rest else key
    quiet = top_key in NEVER_ECHOED or top_key in secret_keys
    if error["type"] == "extra_forbidden":
        parent = ".".join(location[:-1])
        section = SECTIONS.get(parent) or _NESTED.get(parent)
        return f"{key}: unknown key{_suggestion(location[-1], section)}"
    if error["type"] == "missing":
        if rest == ["application"]:
            how = "--path entra:application.displayName <name>"
        else:
            how = f"--path {key} <value>" if "." in key else f"{key} <value>"
        return f"{key}: required; set it with `pulumi config set {how}`"
    message = str(error["msg"]).removeprefix("Value error, ")
    return (
        f"{key}: {message} (got {error['input']!r})" if rest and not quiet else f"{key}: {message}"
    )


def _suggestion(name: str, section: type | None) -> str:
    if section is None:
        return "; this program reads only dashboard:*, scim:*, entra:* and azureExtras:* keys"
    names = [item.name for item in dataclasses.fields(section)]
    close = difflib.get_close_matches(name, names, n=1)
    known = ", ".join(names)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {known}"


def load_stack_config() -> StackConfig:
    """The running stack's config, validated; raises `StackConfigError` listing every problem."""
    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = set(runtime_config.get_config_secret_keys_env())
    secret_keys.update(key for key in raw if runtime_config.is_config_secret(key))
    return parse_stack_config(raw, secret_keys)


def dashboard_args(config: StackConfig) -> DashboardScimArgs:
    """The Dashboard step's arguments; keepers set with `--secret` stay secret in state."""
    scim = config.scim
    keepers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = scim.keepers
    if scim.keepers is not None and config.is_secret("scim:keepers"):
        keepers = pulumi.Output.secret(scim.keepers)
    return DashboardScimArgs(
        account_size_gb=scim.accountSizeGb,
        enabled=scim.enabled,
        keep_enabled_on_destroy=scim.keepEnabledOnDestroy,
        rotate_after_days=scim.rotateAfterDays,
        keepers=keepers,
        adopt=scim.adopt,
        test_connection=scim.testConnection,
    )


def entra_args(entra: EntraConfig) -> EntraProvisioningArgs:
    """The Entra step's arguments; `ScimSetup` fills in the tenant URL and token."""
    from components.entra_application import ExistingApplication, NewApplication
    from components.entra_provisioning import EntraProvisioningArgs

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
    )


def token_escrow_args(escrow: TokenEscrowConfig, token: pulumi.Input[str]) -> TokenEscrowArgs:
    from components.azure_extras import TokenEscrowArgs

    return TokenEscrowArgs(
        token=token,
        resource_group_name=escrow.resourceGroupName,
        vault_name=escrow.vaultName,
        secret_name=escrow.secretName,
    )
