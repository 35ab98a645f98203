"""Step 2 of the setup: Entra ID provisions users and groups into the Dashboard over SCIM.

The portal's Provisioning page (Automatic mode, Tenant URL, Secret Token, Save, Start) as code:
a synchronization secret with the admin credentials, a `scim` synchronization job started only
after the secret and the group assignments exist, and the assignments that put groups in scope.

`pulumi_azuread` (~85 modules) is imported by the functions that declare its resources: checking
the arguments or the stack config needs none of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pulumi

from components.entra_application import (
    DEFAULT_ACCESS_ROLE_ID,
    NON_GALLERY_TEMPLATE_ID,
    ApplicationChoice,
    ExistingApplication,
    NewApplication,
    application_problems,
    group_assignment_role_id,
    is_guid,
    resolve_application,
)
from components.entra_import import EntraImports
from providers.connection_outcome import outcome_of
from providers.graph.attribute_mappings import AttributeMappings, AttributeMappingsArgs
from providers.graph.credentials_check import EntraConnectionTest, EntraConnectionTestArgs
from providers.graph.job_control import ProvisioningJobControl, ProvisioningJobControlArgs
from providers.graph.job_status import ProvisioningJobStatus, ProvisioningJobStatusArgs

if TYPE_CHECKING:
    import pulumi_azuread as azuread

__all__ = [
    "COMPLIANT_PATCH_FLAG",
    "DEFAULT_ACCESS_ROLE_ID",
    "NON_GALLERY_TEMPLATE_ID",
    "SCIM_JOB_TEMPLATE_ID",
    "EntraProvisioning",
    "EntraProvisioningArgs",
    "EntraProvisioningArgsError",
    "ExistingApplication",
    "NewApplication",
    "with_compliant_patch_flag",
]

SCIM_JOB_TEMPLATE_ID = "scim"
"""Synchronization template of non-gallery apps; `customappsso` is the unsupported legacy one."""

COMPLIANT_PATCH_FLAG = "aadOptscim062020"
"""Tenant URL feature flag that makes Entra send RFC 7644-compliant PATCH requests."""

PORTAL_URL = (
    "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade"
    "/~/ProvisioningManagement/appId/{0}/objectId/{1}"
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email_address(value: object) -> bool:
    """One address like ops@example.com: what Entra accepts as the failure-notice recipient."""
    return isinstance(value, str) and _EMAIL.match(value) is not None


@dataclass(kw_only=True)
class EntraProvisioningArgs:
    """Inputs of `EntraProvisioning`.

    `secret_token` is always sent and stored as a secret, even when given as a plain string.
    With `sync_all=False` only the assigned groups (and users assigned in the portal) are
    provisioned. A notification e-mail and/or a deletion threshold add the
    `SyncNotificationSettings` key. `compliant_patch` adds `aadOptscim062020` to the tenant URL;
    Microsoft documents that the flag does not work with provision-on-demand.
    `test_connection` runs the portal's Test Connection (Graph validateCredentials) once the secret
    is saved; `fail_when_quarantined` makes every `pulumi up` fail while the job is quarantined.
    `imports` takes over a job and group assignments made by hand (`components.entra_import`).
    """

    application: ApplicationChoice
    tenant_url: pulumi.Input[str] | None = None
    secret_token: pulumi.Input[str] | None = None
    assigned_group_ids: Sequence[pulumi.Input[str]] = ()
    start_provisioning: bool = True
    sync_all: bool = False
    notification_email: str | None = None
    delete_threshold: int | None = None
    compliant_patch: bool = False
    test_connection: bool = True
    fail_when_quarantined: bool = False
    attribute_mappings: Sequence[Mapping[str, Any]] = ()
    scoping_filter: Sequence[str] | None = None
    imports: EntraImports | None = None


class EntraProvisioningArgsError(ValueError):
    """Every problem with the arguments, raised before any resource is registered."""

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"EntraProvisioning {name!r} has invalid arguments:\n{listing}")


class EntraProvisioning(pulumi.ComponentResource):
    """Automatic provisioning from Entra ID into the Dashboard's SCIM endpoint.

    Groups are assigned with the app's `User` role (Default Access if the app has no roles);
    see `group_assignment_role_id`. `job_id` is the provider's resource id,
    `/servicePrincipals/{objectId}/synchronization/jobs/{jobId}`, as
    `SynchronizationJobProvisionOnDemand` expects it. `application_object_id` is None for an
    existing app. Needs Graph permissions Application.ReadWrite.All (secret, job, new app, and the
    job's Test Connection and status) and AppRoleAssignment.ReadWrite.All (assignments).
    `provisioning_status` is the job's status as of the last `up` or `refresh`; `test_connection`
    is `{result, message, checked_at}` of Entra's own Test Connection, or None when switched off.
    `provisioning_attention` says when the job is in a quarantine only a person may lift (see
    `providers.graph.job_control`, which also keeps the job running as declared), else None.
    """

    client_id: pulumi.Output[str]
    application_object_id: pulumi.Output[str | None]
    service_principal_object_id: pulumi.Output[str]
    job_id: pulumi.Output[str]
    portal_url: pulumi.Output[str]
    test_connection: pulumi.Output[dict[str, str] | None]
    provisioning_status: pulumi.Output[dict[str, Any]]
    provisioning_attention: pulumi.Output[str | None]

    def __init__(
        self,
        name: str,
        args: EntraProvisioningArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        import pulumi_azuread as azuread

        problems = argument_problems(args)
        if problems:
            raise EntraProvisioningArgsError(name, problems)
        # No props: they would be stored as the component's inputs, token included.
        super().__init__("scim-setup:entra:EntraProvisioning", name, None, opts)

        app = resolve_application(name, args.application, parent=self)
        sp_object_id = app.service_principal_object_id
        sp_resource_id = pulumi.Output.concat("/servicePrincipals/", sp_object_id)
        secret = self._secret(name, args, sp_resource_id)
        assignments = self._assignments(name, args, sp_object_id, app.app_roles)
        job = azuread.SynchronizationJob(
            f"{name}-sync-job",
            service_principal_id=sp_resource_id,
            template_id=SCIM_JOB_TEMPLATE_ID,
            enabled=args.start_provisioning,
            # Creating the job starts it: without saved credentials it fails (CredentialsMissing),
            # and before the assignments exist its first cycle sees an empty scope.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[secret, *assignments],
                import_=args.imports.synchronization_job if args.imports else None,
            ),
        )

        portal_url = pulumi.Output.format(
            PORTAL_URL, app.client_id, app.service_principal_object_id
        )
        mappings = self._mappings(name, args, job)
        control = ProvisioningJobControl(
            f"{name}-job-control",
            ProvisioningJobControlArgs(
                job_id=job.id,
                credentials=[{"key": k, "value": v} for k, v in credential_pairs(args)],
                start_provisioning=args.start_provisioning,
                sync_all=args.sync_all,
                portal_url=portal_url,
            ),
            # After the secret, the job and its mappings: it checks what they saved and starts the
            # job.
            pulumi.ResourceOptions(
                parent=self, depends_on=[secret, job, *([mappings] if mappings else [])]
            ),
        )
        checked = self._health(name, args, job, control)

        self.client_id = app.client_id
        self.application_object_id = app.application_object_id
        self.service_principal_object_id = app.service_principal_object_id
        self.job_id = job.id
        self.portal_url = portal_url
        self.test_connection = checked[0]
        self.provisioning_status = checked[1]
        self.provisioning_attention = control.attention
        self.register_outputs(
            {
                "client_id": self.client_id,
                "application_object_id": self.application_object_id,
                "service_principal_object_id": self.service_principal_object_id,
                "job_id": self.job_id,
                "portal_url": self.portal_url,
                "test_connection": self.test_connection,
                "provisioning_status": self.provisioning_status,
                "provisioning_attention": self.provisioning_attention,
            }
        )

    def _health(
        self,
        name: str,
        args: EntraProvisioningArgs,
        job: azuread.SynchronizationJob,
        control: ProvisioningJobControl,
    ) -> tuple[pulumi.Output[Any], pulumi.Output[dict[str, Any]]]:
        """Entra's Test Connection once the job control has checked the secret, then the status."""
        test_connection: pulumi.Output[Any] = pulumi.Output.from_input(None)
        status_after: list[pulumi.Resource] = [control]
        if args.test_connection:
            assert args.tenant_url is not None and args.secret_token is not None
            test = EntraConnectionTest(
                f"{name}-test-connection",
                EntraConnectionTestArgs(
                    job_id=job.id, tenant_url=args.tenant_url, token=args.secret_token
                ),
                pulumi.ResourceOptions(parent=self, depends_on=[control]),
            )
            test_connection = outcome_of(test)
            status_after.append(test)
        status = ProvisioningJobStatus(
            f"{name}-job-status",
            ProvisioningJobStatusArgs(
                job_id=job.id, fail_when_quarantined=args.fail_when_quarantined
            ),
            pulumi.ResourceOptions(parent=self, depends_on=status_after),
        )
        return test_connection, status.status

    def _mappings(
        self, name: str, args: EntraProvisioningArgs, job: azuread.SynchronizationJob
    ) -> AttributeMappings | None:
        """The declared user mappings and scoping filter, written into the job's schema (see
        docs/attribute-mappings.md); None when the stack declares neither."""
        if not args.attribute_mappings and args.scoping_filter is None:
            return None
        return AttributeMappings(
            f"{name}-attribute-mappings",
            AttributeMappingsArgs(
                job_id=job.id,
                mappings=list(args.attribute_mappings),
                scoping_filter=None if args.scoping_filter is None else list(args.scoping_filter),
                tenant_url=args.tenant_url,
                token=args.secret_token,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[job]),
        )

    def _secret(
        self, name: str, args: EntraProvisioningArgs, sp_resource_id: pulumi.Output[str]
    ) -> azuread.SynchronizationSecret:
        import pulumi_azuread as azuread

        return azuread.SynchronizationSecret(
            f"{name}-sync-secret",
            service_principal_id=sp_resource_id,
            # The token is wrapped in Output.secret, which makes the whole list secret on the
            # way in; the SDK does not mark `credentials` secret on the way out by itself.
            credentials=provisioning_credentials(args),
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["credentials"]),
        )

    def _assignments(
        self,
        name: str,
        args: EntraProvisioningArgs,
        sp_object_id: pulumi.Output[str],
        app_roles: pulumi.Output[Sequence[Mapping[str, Any]]],
    ) -> list[azuread.AppRoleAssignment]:
        import pulumi_azuread as azuread

        if not args.assigned_group_ids:
            return []
        role_id = app_roles.apply(group_assignment_role_id)
        imports = args.imports or EntraImports()
        return [
            azuread.AppRoleAssignment(
                f"{name}-group-{_group_key(group_id, position)}",
                app_role_id=role_id,
                principal_object_id=group_id,
                resource_object_id=sp_object_id,
                opts=pulumi.ResourceOptions(parent=self, import_=imports.assignment_for(group_id)),
            )
            for position, group_id in enumerate(args.assigned_group_ids)
        ]


def _group_key(group_id: pulumi.Input[str], position: int) -> str:
    """Name an assignment after its group, so removing one group leaves the others untouched.

    A group id that is only known at deploy time (an Output) falls back to its list position.
    """
    return group_id if isinstance(group_id, str) else str(position)


def provisioning_credentials(
    args: EntraProvisioningArgs,
) -> list[azuread.SynchronizationSecretCredentialArgs]:
    """The key/value pairs Graph stores as the app's provisioning secrets."""
    import pulumi_azuread as azuread

    return [
        azuread.SynchronizationSecretCredentialArgs(key=k, value=v)
        for k, v in credential_pairs(args)
    ]


def credential_pairs(args: EntraProvisioningArgs) -> list[tuple[str, pulumi.Input[str]]]:
    """(key, value) of each provisioning secret: the azuread secret's and the job control's."""
    if args.tenant_url is None or args.secret_token is None:
        raise EntraProvisioningArgsError("credentials", _connection_problems(None, None))
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


def argument_problems(args: EntraProvisioningArgs, connection_given: bool = True) -> list[str]:
    """Every problem with `args`, each naming the argument and the fix.

    `connection_given=False` checks everything but the tenant URL and token (`ScimSetup` supplies
    them from the Dashboard step).
    """
    return [
        *application_problems(args.application),
        *(_connection_problems(args.tenant_url, args.secret_token) if connection_given else []),
        *_group_problems(args.assigned_group_ids),
        *_flag_problems(args),
        *_notification_problems(args.notification_email, args.delete_threshold),
    ]


def _connection_problems(tenant_url: object, secret_token: object) -> list[str]:
    problems = [
        f"{name}: required; pass the Dashboard's {what} (ScimSetup wires it for you)"
        for name, what, value in (
            ("tenant_url", "tenant URL", tenant_url),
            ("secret_token", "SCIM API token", secret_token),
        )
        if value is None
    ]
    if isinstance(tenant_url, str):
        parts = urlsplit(tenant_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(
                "tenant_url: must be the Dashboard's SCIM URL, e.g. https://host/scim/v2 "
                f"(got {tenant_url!r})"
            )
    if isinstance(secret_token, str) and not secret_token.strip():
        problems.append(
            "secret_token: must not be blank; without it Entra sends its own test-only JWT "
            "instead of the Dashboard token"
        )
    return problems


def _group_problems(group_ids: object) -> list[str]:
    if isinstance(group_ids, str) or not isinstance(group_ids, Sequence):
        return ["assigned_group_ids: must be a list of group object ids, e.g. ['<guid>']"]
    problems = []
    seen: set[str] = set()
    for position, group_id in enumerate(group_ids):
        if not isinstance(group_id, str):
            continue
        where = f"assigned_group_ids[{position}]"
        if not group_id.strip():
            problems.append(f"{where}: is blank; remove it or give the group's object id")
        elif not is_guid(group_id):
            problems.append(f"{where}: {group_id!r} is not a group object id (a GUID)")
        elif group_id.lower() in seen:
            problems.append(f"{where}: {group_id} is listed twice; list each group once")
        seen.add(group_id.lower())
    return problems


def _flag_problems(args: EntraProvisioningArgs) -> list[str]:
    flags = (
        "start_provisioning",
        "sync_all",
        "compliant_patch",
        "test_connection",
        "fail_when_quarantined",
    )
    return [
        f"{flag}: must be True or False (got {getattr(args, flag)!r})"
        for flag in flags
        if not isinstance(getattr(args, flag), bool)
    ]


def _notification_problems(email: object, delete_threshold: object) -> list[str]:
    problems = []
    if email is not None and not is_email_address(email):
        problems.append(
            f"notification_email: {email!r} is not an e-mail address; give one address like "
            "ops@example.com, or None for no failure e-mails"
        )
    if delete_threshold is not None and (
        isinstance(delete_threshold, bool)
        or not isinstance(delete_threshold, int)
        or delete_threshold <= 0
    ):
        problems.append(
            f"delete_threshold: {delete_threshold!r} must be a whole number above 0 "
            "(deletions per cycle that pause provisioning), or None for no threshold"
        )
    return problems
