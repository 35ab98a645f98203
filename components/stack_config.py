"""The stack configuration schema: every key of `Pulumi.<stack>.yaml` this program reads.

All problems are collected and reported together, each naming the key and the fix, before anything
is registered. Unknown keys in our namespaces are errors, so a typo cannot pass silently.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from components.azure_extras import (
    ProvisioningLogsArgs,
    TokenEscrowArgs,
    provisioning_logs_problems,
    vault_secret_problems,
)
from components.dashboard_scim import DashboardScimArgs
from components.entra_application import ExistingApplication, NewApplication, is_guid
from components.entra_provisioning import EntraProvisioningArgs, is_email_address
from providers.dashboard_client import (
    ACCOUNT_SIZE_GB_MAX,
    ACCOUNT_SIZE_GB_MIN,
    TIMEOUT_S_MAX,
    TIMEOUT_S_MIN,
)
from providers.dashboard_connection import (
    API_TOKEN_ENV,
    API_TOKEN_KEY,
    URL_ENV,
    dashboard_url_problem,
)
from providers.scim_settings import DEFAULT_ACCOUNT_SIZE_GB

NAMESPACES = ("dashboard", "scim", "entra", "azureExtras")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


class DashboardConfig(_Section):
    url: str
    apiToken: str | None = Field(default=None, repr=False)
    timeoutSeconds: Annotated[float, Field(ge=TIMEOUT_S_MIN, le=TIMEOUT_S_MAX)] | None = None

    @field_validator("url")
    @classmethod
    def _usable_url(cls, url: str) -> str:
        if problem := dashboard_url_problem(url):
            raise ValueError(problem)
        return url


class ScimConfig(_Section):
    enabled: bool = True
    accountSizeGb: Annotated[int, Field(ge=ACCOUNT_SIZE_GB_MIN, le=ACCOUNT_SIZE_GB_MAX)] = (
        DEFAULT_ACCOUNT_SIZE_GB
    )
    rotateAfterDays: Annotated[int, Field(ge=1)] | None = None
    keepers: dict[str, str] | None = None
    keepEnabledOnDestroy: bool = False
    adopt: bool = False
    testConnection: bool = True


class EntraApplicationConfig(_Section):
    """A new non-gallery app (`displayName`) or an existing one (one of the three lookups)."""

    displayName: str | None = None
    clientId: str | None = None
    objectId: str | None = None
    existingDisplayName: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> EntraApplicationConfig:
        given = [k for k, v in self.model_dump().items() if v is not None]
        if len(given) != 1:
            raise ValueError(
                "set exactly one of displayName (create a new app), or clientId, objectId or "
                f"existingDisplayName (use an existing app); got {given or 'none'}"
            )
        if not next(iter(v for v in self.model_dump().values() if v is not None)).strip():
            raise ValueError(f"{given[0]} must not be blank")
        return self


class EntraConfig(_Section):
    application: EntraApplicationConfig
    assignedGroups: list[str] = Field(default_factory=list)
    startProvisioning: bool = True
    syncAll: bool = False
    notificationEmail: str | None = None
    deleteThreshold: Annotated[int, Field(gt=0)] | None = None
    compliantPatch: bool = False
    testConnection: bool = True
    failWhenQuarantined: bool = False

    @field_validator("assignedGroups")
    @classmethod
    def _group_ids(cls, groups: list[str]) -> list[str]:
        if any(not is_guid(g) for g in groups):
            raise ValueError("each entry must be a group object id (a GUID)")
        if len(set(groups)) != len(groups):
            raise ValueError("each group may be listed once")
        return groups

    @field_validator("notificationEmail")
    @classmethod
    def _email(cls, email: str | None) -> str | None:
        if email is not None and not is_email_address(email):
            raise ValueError(f"{email!r} is not an e-mail address (name@example.com)")
        return email


class ProvisioningLogsConfig(_Section):
    """Entra provisioning logs to Log Analytics: an existing workspace or a new one."""

    workspaceId: str | None = None
    resourceGroupName: str | None = None
    location: str | None = None
    retentionInDays: int | None = None

    @model_validator(mode="after")
    def _valid(self) -> ProvisioningLogsConfig:
        _raise_camel_cased(provisioning_logs_problems(self.args()))
        return self

    def args(self) -> ProvisioningLogsArgs:
        return ProvisioningLogsArgs(
            workspace_id=self.workspaceId,
            resource_group_name=self.resourceGroupName,
            location=self.location,
            retention_in_days=self.retentionInDays,
        )


class TokenEscrowConfig(_Section):
    """A copy of the SCIM token in an existing Key Vault."""

    resourceGroupName: str
    vaultName: str
    secretName: str = "dashboard-scim-token"

    @model_validator(mode="after")
    def _valid(self) -> TokenEscrowConfig:
        _raise_camel_cased(vault_secret_problems(self.vaultName, self.secretName))
        return self


class AzureExtrasConfig(_Section):
    provisioningLogs: ProvisioningLogsConfig | None = None
    tokenEscrow: TokenEscrowConfig | None = None


def _raise_camel_cased(problems: list[str]) -> None:
    """Report a component's problems with the config keys' spelling (`vault_name` → `vaultName`)."""
    if problems:
        camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), "; ".join(problems))
        raise ValueError(camel)


class StackConfig(_Section):
    dashboard: DashboardConfig
    scim: ScimConfig = Field(default_factory=ScimConfig)
    entra: EntraConfig | None = None
    azureExtras: AzureExtrasConfig = Field(default_factory=AzureExtrasConfig)
    _secret_keys: frozenset[str] = PrivateAttr(default=frozenset())

    def is_secret(self, key: str) -> bool:
        """Whether `key` was set with `pulumi config set --secret`."""
        return key in self._secret_keys


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
    sections: dict[str, dict[str, Any]] = {}
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if namespace in NAMESPACES:
            sections.setdefault(namespace, {})[name] = _decode(value)
    dashboard = sections.setdefault("dashboard", {})
    if "url" not in dashboard and env.get(URL_ENV):
        dashboard["url"] = env[URL_ENV]
    secrets = frozenset(secret_keys)
    problems = _credential_problems(dashboard, set(secrets), env)
    try:
        config = StackConfig.model_validate(sections)
    except ValidationError as exc:
        problems += [_describe(error, secrets) for error in exc.errors()]
        raise StackConfigError(problems) from None
    if problems:
        raise StackConfigError(problems)
    config._secret_keys = secrets
    return config


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


_FIELDS: dict[str, type[BaseModel]] = {
    "": StackConfig,
    "dashboard": DashboardConfig,
    "scim": ScimConfig,
    "entra": EntraConfig,
    "entra.application": EntraApplicationConfig,
    "azureExtras": AzureExtrasConfig,
    "azureExtras.provisioningLogs": ProvisioningLogsConfig,
    "azureExtras.tokenEscrow": TokenEscrowConfig,
}


NEVER_ECHOED = frozenset({"dashboard:url", API_TOKEN_KEY})
"""Keys whose values never appear in a message (the URL may carry a password)."""


def _describe(error: Any, secret_keys: frozenset[str] = frozenset()) -> str:
    location = [str(part) for part in error["loc"]]
    namespace, rest = location[0], location[1:]
    key = f"{namespace}:{'.'.join(rest)}" if rest else f"{namespace}"
    top_key = f"{namespace}:{rest[0]}" if rest else key
    quiet = top_key in NEVER_ECHOED or top_key in secret_keys
    if error["type"] == "extra_forbidden":
        parent = ".".join(location[:-1])
        return f"{key}: unknown key{_suggestion(location[-1], _FIELDS.get(parent))}"
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


def _suggestion(name: str, model: type[BaseModel] | None) -> str:
    if model is None:
        return "; this program reads only dashboard:*, scim:*, entra:* and azureExtras:* keys"
    close = difflib.get_close_matches(name, list(model.model_fields), n=1)
    known = ", ".join(model.model_fields)
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
    return TokenEscrowArgs(
        token=token,
        resource_group_name=escrow.resourceGroupName,
        vault_name=escrow.vaultName,
        secret_name=escrow.secretName,
    )
