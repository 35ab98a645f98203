"""Step 2 of the setup: Entra ID provisions users and groups into the Dashboard over SCIM.

The portal's Provisioning page (Automatic mode, Tenant URL, Secret Token, Save, Start) as code:
a synchronization secret with the admin credentials, a `scim` synchronization job started only
after the secret and the group assignments exist, and the assignments that put groups in scope.

This module only declares resources. Its arguments and their checks are
`components.entra_provisioning_args`, the secret's keys `components.provisioning_credentials`.
`pulumi_azuread` (~85 modules) is imported by the functions that declare its resources: checking
the arguments or the stack config needs none of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pulumi

from components.entra_application import (
    DEFAULT_ACCESS_ROLE_ID,
    NON_GALLERY_TEMPLATE_ID,
    ExistingApplication,
    NewApplication,
    group_assignment_role_id,
    resolve_application,
)
from components.entra_import import EntraImports
from components.entra_provisioning_args import (
    EntraProvisioningArgs,
    EntraProvisioningArgsError,
    argument_problems,
    normalised_args,
)
from components.entra_values import is_email_address
from components.provisioning_credentials import (
    COMPLIANT_PATCH_FLAG,
    base_address,
    credential_pairs,
    notification_settings,
    with_compliant_patch_flag,
)
from providers.connection_test_outcome import outcome_of
from providers.graph.attribute_mappings import AttributeMappings, AttributeMappingsArgs
from providers.graph.connection_test import EntraConnectionTest, EntraConnectionTestArgs
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
    "argument_problems",
    "base_address",
    "credential_pairs",
    "is_email_address",
    "notification_settings",
    "provisioning_credentials",
    "with_compliant_patch_flag",
]

SCIM_JOB_TEMPLATE_ID = "scim"
"""Synchronization template of non-gallery apps; `customappsso` is the unsupported legacy one."""

PORTAL_URL = (
    "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade"
    "/~/ProvisioningManagement/appId/{0}/objectId/{1}"
)


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
    `providers.graph.job_control`, which also keeps the job running as declared), else None;
    `provisioning_restart_pending` is true while an `sync_all` change waits for its restart.
    Objects taken over with `imports` stay in Entra on destroy unless
    `delete_imported_on_destroy`; see `_retained`.
    """

    client_id: pulumi.Output[str]
    application_object_id: pulumi.Output[str | None]
    service_principal_object_id: pulumi.Output[str]
    job_id: pulumi.Output[str]
    portal_url: pulumi.Output[str]
    test_connection: pulumi.Output[dict[str, str] | None]
    provisioning_status: pulumi.Output[dict[str, Any]]
    provisioning_attention: pulumi.Output[str | None]
    provisioning_restart_pending: pulumi.Output[bool]

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
        args = normalised_args(args)
        # No props: they would be stored as the component's inputs, token included.
        super().__init__("scim-setup:entra:EntraProvisioning", name, None, opts)

        app = resolve_application(name, args.application, parent=self)
        sp_object_id = app.service_principal_object_id
        sp_resource_id = pulumi.Output.concat("/servicePrincipals/", sp_object_id)
        secret = self._secret(name, args, sp_resource_id)
        assignments = self._assignments(name, args, sp_object_id, app.app_roles)
        job_import = _job_import(args)
        job = azuread.SynchronizationJob(
            f"{name}-sync-job",
            service_principal_id=sp_resource_id,
            template_id=SCIM_JOB_TEMPLATE_ID,
            # Used at create only, where the provider starts the job when true. Its Read sets
            # `enabled` from the schedule and its Update starts or pauses to match: ignored, so the
            # job control alone starts and pauses (a job started by hand is not paused).
            enabled=args.start_provisioning,
            # Creating the job starts it: without saved credentials it fails (CredentialsMissing),
            # and before the assignments exist its first cycle sees an empty scope.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[secret, *assignments],
                import_=job_import,
                ignore_changes=["enabled"],
                retain_on_delete=_retained(args, job_import),
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
                adopted_sync_all=args.imports.sync_all if args.imports else None,
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
        self.provisioning_restart_pending = control.restart_pending
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
                "provisioning_restart_pending": self.provisioning_restart_pending,
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
            opts=pulumi.ResourceOptions(
                parent=self,
                additional_secret_outputs=["credentials"],
                # Its delete would write every key empty: the imported job's credentials.
                retain_on_delete=_retained(args, _job_import(args)),
            ),
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
                opts=pulumi.ResourceOptions(
                    parent=self,
                    import_=imports.assignment_for(group_id),
                    aliases=_upper_case_name(f"{name}-group-", group_id),
                    retain_on_delete=_retained(args, imports.assignment_for(group_id)),
                ),
            )
            for position, group_id in enumerate(args.assigned_group_ids)
        ]


def _job_import(args: EntraProvisioningArgs) -> str | None:
    return args.imports.synchronization_job if args.imports else None


def _retained(args: EntraProvisioningArgs, import_id: str | None) -> bool:
    """Whether `pulumi destroy` leaves an object in Entra: it was imported, not created.

    The stack deletes what it created and keeps what it took over, unless the user opts in
    (`delete_imported_on_destroy`, `entra:deleteImportedOnDestroy`). The synchronization secret
    counts as imported with the job: its keys were saved in the portal for that job before the
    stack wrote the same values, and the azuread secret's delete writes them all empty, which
    would stop the job the destroy leaves running.
    """
    return import_id is not None and not args.delete_imported_on_destroy


def _group_key(group_id: pulumi.Input[str], position: int) -> str:
    """Name an assignment after its group, so removing one group leaves the others untouched.

    A group id that is only known at deploy time (an Output) falls back to its list position.
    """
    return group_id if isinstance(group_id, str) else str(position)


def _upper_case_name(prefix: str, group_id: pulumi.Input[str]) -> list[pulumi.Input[pulumi.Alias]]:
    """The name an assignment had when its group id was typed in upper case (before ids were
    lower-cased), so such a stack keeps its assignment instead of creating it again, which Graph
    refuses with 400 "Permission being assigned already exists"."""
    if not isinstance(group_id, str) or group_id == group_id.upper():
        return []
    return [pulumi.Alias(name=f"{prefix}{group_id.upper()}")]


def provisioning_credentials(
    args: EntraProvisioningArgs,
) -> list[azuread.SynchronizationSecretCredentialArgs]:
    """The key/value pairs Graph stores as the app's provisioning secrets."""
    import pulumi_azuread as azuread

    return [
        azuread.SynchronizationSecretCredentialArgs(key=k, value=v)
        for k, v in credential_pairs(args)
    ]
