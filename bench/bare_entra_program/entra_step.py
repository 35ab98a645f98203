"""The Entra half of the whole-setup yardstick for `bench/commands.py`.

`bench/commands.py` appends this file to `bench/bare_program/__main__.py` (the bare Dashboard
step) and a call of `entra_step` with that program's tenant URL and token: one bare program with
the same azuread resources as our program's Entra step, on the same azuread plugin (the stand-in)
and fake Graph, in the order our component makes them: the enterprise application from the
non-gallery template (and the `getApplication` read for its `User` role), the synchronization
secret, the group assignments, then the job, started. No config schema, none of our dynamic
resources (job control, Test Connection, job status), no Graph calls of our own: what our program
costs beyond this is ours. Plain imports only, so the appended text is a valid program.
"""

import pulumi
import pulumi_azuread as azuread

NON_GALLERY_TEMPLATE_ID = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
NOTIFICATIONS_OFF = '{"Enabled":false,"Recipients":"","DeleteThresholdEnabled":false}'
"""The four keys our secret sends (components/provisioning_credentials.py), the last one off."""


def user_role_id(roles: list[dict[str, object]]) -> str:
    return next(str(role["id"]) for role in roles if role.get("display_name") == "User")


def entra_step(tenant_url: pulumi.Input[str], token: pulumi.Input[str]) -> None:
    groups = pulumi.Config("entra").get_object("assignedGroups") or []
    app = azuread.ApplicationFromTemplate(
        "bare-entra-app", display_name="Backup SCIM", template_id=NON_GALLERY_TEMPLATE_ID
    )
    registration = azuread.get_application_output(object_id=app.application_object_id)
    sp_id = pulumi.Output.concat("/servicePrincipals/", app.service_principal_object_id)
    secret = azuread.SynchronizationSecret(
        "bare-entra-sync-secret",
        service_principal_id=sp_id,
        credentials=[
            azuread.SynchronizationSecretCredentialArgs(key="BaseAddress", value=tenant_url),
            azuread.SynchronizationSecretCredentialArgs(
                key="SecretToken", value=pulumi.Output.secret(token)
            ),
            azuread.SynchronizationSecretCredentialArgs(key="SyncAll", value="false"),
            azuread.SynchronizationSecretCredentialArgs(
                key="SyncNotificationSettings", value=NOTIFICATIONS_OFF
            ),
        ],
        opts=pulumi.ResourceOptions(additional_secret_outputs=["credentials"]),
    )
    assignments = [
        azuread.AppRoleAssignment(
            f"bare-entra-group-{group}",
            app_role_id=registration.app_roles.apply(user_role_id),
            principal_object_id=str(group),
            resource_object_id=app.service_principal_object_id,
        )
        for group in groups
    ]
    job = azuread.SynchronizationJob(
        "bare-entra-sync-job",
        service_principal_id=sp_id,
        template_id="scim",
        enabled=True,
        opts=pulumi.ResourceOptions(depends_on=[secret, *assignments]),
    )
    pulumi.export("job_id", job.id)
