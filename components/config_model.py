"""The stack configuration schema: every key of `Pulumi.<stack>.yaml` this program reads.

One pydantic model per namespace (`dashboard:*`, `scim:*`, `entra:*`, `azureExtras:*`) and per
object value (`entra:application`, ...). Field names are the config keys; pydantic coerces the
strings Pulumi hands over (`"200"`, `"false"`) and reports every problem in one pass. Unknown keys
are forbidden, so a typo cannot pass silently. `stack_config` reads the running stack's config
and turns pydantic's errors into messages naming the key and the fix.

The checks are the components' own (`components.entra_values`, `components.entra_import`,
`components.azure_extras_args`, the mapping grammar): none of them imports an Azure SDK, so a
Dashboard-only stack loads no SDK to check its config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from components.azure_extras_args import (
    ProvisioningLogsArgs,
    provisioning_logs_problems,
    vault_secret_problems,
)
from components.entra_import import (
    EntraImports,
    assignment_import_id_problem,
    job_import_id_problem,
    normalised_import_id,
    service_principals_of,
)
from components.entra_values import is_email_address, is_guid, normalised_guid
from providers.dashboard.client import (
    ACCOUNT_SIZE_GB_MAX,
    ACCOUNT_SIZE_GB_MIN,
    TIMEOUT_S_MAX,
    TIMEOUT_S_MIN,
)
from providers.dashboard.credentials import dashboard_url_problem
from providers.dashboard.ownership import OLD_TAKE_OVER_KEY, TAKE_OVER_KEY
from providers.dashboard.scim_settings import DEFAULT_ACCOUNT_SIZE_GB


def _usable_url(url: str) -> str:
    if problem := dashboard_url_problem(url):
        raise ValueError(problem)
    return url


def _keeper_text(value: object) -> object:
    """A keeper may be any scalar (`pulumi config set --path scim:keepers.rotation 2` stores a
    number); it is compared as text, spelt as it was typed (`2`, `true`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _group_ids(groups: list[str]) -> list[str]:
    if any(not is_guid(g.strip()) for g in groups):
        raise ValueError("each entry must be a group object id (a GUID)")
    normalised = [normalised_guid(g) for g in groups]
    if len(set(normalised)) != len(normalised):
        raise ValueError("each group may be listed once")
    return normalised


def _email(email: str) -> str:
    if not is_email_address(email):
        raise ValueError(f"{email!r} is not an e-mail address (name@example.com)")
    return email


def _mapping_source(source: str | None) -> str | None:
    """An Entra attribute name or a well-formed mapping expression; None removes the mapping.

    The Graph modules are imported here, when an Entra section is validated: a Dashboard-only
    stack never loads `providers.graph`."""
    from providers.graph.mapping_expression import ExpressionError
    from providers.graph.mapping_expression import check as check_expression

    if source is not None:
        try:
            check_expression(source)
        except ExpressionError as error:
            raise ValueError(
                f"{error}; give an Entra attribute (mail) or an expression such as "
                'Join("@", [mailNickname], "example.com"), or null to remove the mapping'
            ) from None
    return source


def _scoping_clause(clause: str) -> str:
    from providers.graph.synchronization_schema import parse_clause

    parse_clause(clause)
    return clause


def _one_entry_per_target(mappings: list[AttributeMappingConfig]) -> list[AttributeMappingConfig]:
    targets = [m.target.lower() for m in mappings]
    if len(set(targets)) != len(targets):
        twice = sorted({m.target for m in mappings if targets.count(m.target.lower()) > 1})
        raise ValueError(f"list each target once ({', '.join(twice)} more than once)")
    if sum(m.matching is True for m in mappings) > 1:
        raise ValueError("mark one entry `matching: true` (the attribute accounts are matched by)")
    return mappings


def _raise_camel_cased(problems: list[str]) -> None:
    """Report a component's problems with the config keys' spelling (`vault_name` → `vaultName`)."""
    if problems:
        camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), "; ".join(problems))
        raise ValueError(camel)


class ConfigSection(BaseModel):
    """A namespace or an object value: read-only, unknown keys are errors.

    Each namespace builds its validator the first time it validates (`defer_build`), and the
    namespaces are validated one by one: a Dashboard-only stack never builds the Entra and Azure
    sections (~15 ms of CPU on every command).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class DashboardConfig(ConfigSection):
    url: Annotated[str, AfterValidator(_usable_url)]
    apiToken: str | None = Field(default=None, repr=False)
    timeoutSeconds: Annotated[float, Field(ge=TIMEOUT_S_MIN, le=TIMEOUT_S_MAX)] | None = None


class ScimConfig(ConfigSection):
    enabled: bool = True
    accountSizeGb: Annotated[int, Field(ge=ACCOUNT_SIZE_GB_MIN, le=ACCOUNT_SIZE_GB_MAX)] = (
        DEFAULT_ACCOUNT_SIZE_GB
    )
    rotateAfterDays: Annotated[int, Field(ge=1)] | None = None
    keepers: dict[str, Annotated[str, BeforeValidator(_keeper_text)]] | None = None
    keepEnabledOnDestroy: bool = False
    takeOver: bool = False
    adopt: bool | None = None
    """`takeOver`'s old name (`OLD_TAKE_OVER_KEY`): still read, with a warning."""
    testConnection: bool = True
    existingToken: str | None = Field(default=None, repr=False)

    @model_validator(mode="after")
    def _one_take_over_key(self) -> ScimConfig:
        if self.adopt is not None and "takeOver" in self.model_fields_set:
            raise ValueError(
                f"{OLD_TAKE_OVER_KEY} is the old name of {TAKE_OVER_KEY}; keep only "
                f"{TAKE_OVER_KEY} (`pulumi config rm {OLD_TAKE_OVER_KEY}`)"
            )
        return self

    @property
    def take_over(self) -> bool:
        """`scim:takeOver`, or the deprecated `scim:adopt` when only that is set."""
        return self.takeOver if self.adopt is None else self.adopt


class EntraApplicationConfig(ConfigSection):
    """A new non-gallery app (`displayName`) or an existing one (one of the three lookups)."""

    displayName: str | None = None
    clientId: Annotated[str, AfterValidator(normalised_guid)] | None = None
    objectId: Annotated[str, AfterValidator(normalised_guid)] | None = None
    existingDisplayName: str | None = None

    @model_validator(mode="after")
    def _one_mode(self) -> EntraApplicationConfig:
        given = self.model_dump(exclude_none=True)
        if len(given) != 1:
            raise ValueError(
                "set exactly one of displayName (create a new app), or clientId, objectId or "
                f"existingDisplayName (use an existing app); got {list(given) or 'none'}"
            )
        name, value = next(iter(given.items()))
        if not value.strip():
            raise ValueError(f"{name} must not be blank")
        return self


class AttributeMappingConfig(ConfigSection):
    """One user mapping: `source` is required (null removes the target's mapping)."""

    target: Annotated[str, Field(min_length=1)]
    source: Annotated[str | None, AfterValidator(_mapping_source)]
    default: str | None = None
    matching: bool | None = None


def _job_import_id(value: str) -> str:
    if problem := job_import_id_problem(value):
        raise ValueError(problem)
    return normalised_import_id(value)


def _assignment_import_ids(assignments: dict[str, str]) -> dict[str, str]:
    for group_id, value in assignments.items():
        if not is_guid(group_id):
            raise ValueError(f"{group_id!r} is not a group object id (a GUID)")
        if problem := assignment_import_id_problem(value):
            raise ValueError(f"{group_id}: {problem}")
    return {normalised_guid(g): normalised_import_id(v) for g, v in assignments.items()}


class EntraImportConfig(ConfigSection):
    """Entra objects made by hand, imported instead of created (`components.entra_import`)."""

    synchronizationJob: Annotated[str, AfterValidator(_job_import_id)] | None = None
    groupAssignments: Annotated[dict[str, str], AfterValidator(_assignment_import_ids)] = Field(
        default_factory=dict
    )
    syncAll: bool | None = None
    """`SyncAll` as Entra held it when adopted (written by `scim-setup adopt`)."""

    def imports(self) -> EntraImports:
        return EntraImports(self.synchronizationJob, dict(self.groupAssignments), self.syncAll)


class EntraConfig(ConfigSection):
    application: EntraApplicationConfig
    assignedGroups: Annotated[list[str], AfterValidator(_group_ids)] = Field(default_factory=list)
    startProvisioning: bool = True
    syncAll: bool = False
    notificationEmail: Annotated[str, AfterValidator(_email)] | None = None
    deleteThreshold: Annotated[int, Field(gt=0)] | None = None
    compliantPatch: bool = False
    testConnection: bool = True
    failWhenQuarantined: bool = False
    attributeMappings: Annotated[
        list[AttributeMappingConfig], AfterValidator(_one_entry_per_target)
    ] = Field(default_factory=list)
    scopingFilter: list[Annotated[str, AfterValidator(_scoping_clause)]] | None = None
    import_: EntraImportConfig | None = Field(default=None, alias="import")
    deleteImportedOnDestroy: bool = False

    @model_validator(mode="after")
    def _imports_fit_the_setup(self) -> EntraConfig:
        if self.import_ is None:
            if self.deleteImportedOnDestroy:
                raise ValueError(
                    "entra:deleteImportedOnDestroy applies to objects taken over with "
                    "entra:import, and this stack imports none; remove the key (what the stack "
                    "created is always deleted by `pulumi destroy`)"
                )
            return self
        imports = self.import_.imports()
        if self.application.displayName is not None:
            raise ValueError(
                "entra:import takes over objects of an existing app, but entra:application."
                "displayName creates a new one; name the existing app with entra:application."
                "objectId (or clientId, existingDisplayName) instead"
            )
        unlisted = sorted(set(imports.group_assignments) - set(self.assignedGroups))
        if unlisted:
            raise ValueError(
                f"entra:import.groupAssignments names {', '.join(unlisted)}, not in "
                "entra:assignedGroups; add each imported group to entra:assignedGroups"
            )
        principals = service_principals_of(imports)
        expected = (self.application.objectId or "").lower()
        if len(principals) > 1 or (expected and principals - {expected}):
            raise ValueError(
                "entra:import: every id must name the app's service principal "
                f"({expected or 'one object id'}); found {', '.join(sorted(principals))}"
            )
        return self


class ProvisioningLogsConfig(ConfigSection):
    """Entra provisioning logs to Log Analytics: an existing workspace or a new one."""

    workspaceId: str | None = None
    resourceGroupName: str | None = None
    location: str | None = None
    retentionInDays: int | None = None

    @model_validator(mode="after")
    def _usable_by_the_component(self) -> ProvisioningLogsConfig:
        _raise_camel_cased(provisioning_logs_problems(self.args()))
        return self

    def args(self) -> ProvisioningLogsArgs:
        return ProvisioningLogsArgs(
            workspace_id=self.workspaceId,
            resource_group_name=self.resourceGroupName,
            location=self.location,
            retention_in_days=self.retentionInDays,
        )


class TokenEscrowConfig(ConfigSection):
    """A copy of the SCIM token in an existing Key Vault."""

    resourceGroupName: str
    vaultName: str
    secretName: str = "dashboard-scim-token"

    @model_validator(mode="after")
    def _usable_by_the_component(self) -> TokenEscrowConfig:
        _raise_camel_cased(vault_secret_problems(self.vaultName, self.secretName))
        return self


class AzureExtrasConfig(ConfigSection):
    provisioningLogs: ProvisioningLogsConfig | None = None
    tokenEscrow: TokenEscrowConfig | None = None


@dataclass(frozen=True)
class StackConfig:
    """The validated namespaces; `entra` is None for a Dashboard-only stack."""

    dashboard: DashboardConfig
    scim: ScimConfig
    entra: EntraConfig | None
    azureExtras: AzureExtrasConfig
    secret_keys: frozenset[str] = field(default=frozenset(), repr=False)
    """The keys set with `pulumi config set --secret` (from Pulumi, not a config key)."""

    def is_secret(self, key: str) -> bool:
        """Whether `key` was set with `pulumi config set --secret`."""
        return key in self.secret_keys


NAMESPACES: dict[str, type[ConfigSection]] = {
    "dashboard": DashboardConfig,
    "scim": ScimConfig,
    "entra": EntraConfig,
    "azureExtras": AzureExtrasConfig,
}
"""The config namespaces this program reads; keys of other namespaces are not ours to judge."""

SECTIONS: dict[str, type[ConfigSection]] = {
    "dashboard": DashboardConfig,
    "scim": ScimConfig,
    "entra": EntraConfig,
    "entra.application": EntraApplicationConfig,
    "entra.attributeMappings": AttributeMappingConfig,
    "entra.import": EntraImportConfig,
    "azureExtras": AzureExtrasConfig,
    "azureExtras.provisioningLogs": ProvisioningLogsConfig,
    "azureExtras.tokenEscrow": TokenEscrowConfig,
}
"""Each section by its path, for the known keys of a misspelt one."""
