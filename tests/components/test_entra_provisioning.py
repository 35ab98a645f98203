"""EntraProvisioning under mocks: the exact requests Azure would receive, and bad args refused."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pulumi
import pytest

from components.entra_provisioning import (
    EntraProvisioning,
    EntraProvisioningArgs,
    EntraProvisioningArgsError,
    ExistingApplication,
    NewApplication,
    with_compliant_patch_flag,
)
from tests.support.azure_mocks import (
    ACTIVE_STATUS,
    APP_FROM_TEMPLATE,
    ASSIGNMENT,
    COMPONENT,
    DEFAULT_ACCESS,
    ENTRA_TEST,
    EXISTING_CLIENT_ID,
    EXISTING_SP_OBJECT_ID,
    GET_APPLICATION,
    GET_SERVICE_PRINCIPAL,
    GROUP_A,
    GROUP_B,
    GROUP_C,
    JOB,
    JOB_CONTROL,
    JOB_ID,
    JOB_STATUS,
    NEW_APP_OBJECT_ID,
    NEW_CLIENT_ID,
    NEW_SP_OBJECT_ID,
    NON_GALLERY_TEMPLATE,
    SECRET,
    SP_READY,
    TENANT_URL,
    TOKEN,
    USER_ROLE_ID,
    AzureMocks,
    role,
)

if TYPE_CHECKING:
    from conftest import PulumiEngine, Registration


@dataclass
class Deployment:
    """What one mocked `pulumi up` of the component registered, invoked and output."""

    engine: PulumiEngine
    mocks: AzureMocks
    outputs: dict[str, Any]

    @property
    def component(self) -> Registration:
        return self.engine.one(COMPONENT)

    @property
    def secret(self) -> Registration:
        return self.engine.one(SECRET)

    @property
    def job(self) -> Registration:
        return self.engine.one(JOB)

    @property
    def entra_test(self) -> Registration:
        return self.engine.one(ENTRA_TEST)

    @property
    def job_status(self) -> Registration:
        return self.engine.one(JOB_STATUS)

    @property
    def job_control(self) -> Registration:
        return self.engine.one(JOB_CONTROL)

    @property
    def assignments(self) -> list[Registration]:
        """Sorted by name: registrations complete in no particular order."""
        return sorted(self.engine.of_type(ASSIGNMENT), key=lambda r: r.name)

    @property
    def credentials(self) -> dict[str, str]:
        return {c["key"]: c["value"] for c in self.secret.plain("credentials")}


@pytest.fixture
def azure(pulumi_engine: PulumiEngine) -> AzureMocks:
    mocks = AzureMocks()
    pulumi_engine.use(mocks)
    return mocks


def deploy(engine: PulumiEngine, mocks: AzureMocks, args: EntraProvisioningArgs) -> Deployment:
    outputs: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        component = EntraProvisioning("scim", args)
        return pulumi.Output.all(
            client_id=component.client_id,
            application_object_id=component.application_object_id,
            service_principal_object_id=component.service_principal_object_id,
            job_id=component.job_id,
            portal_url=component.portal_url,
            test_connection=component.test_connection,
            provisioning_status=component.provisioning_status,
            provisioning_attention=component.provisioning_attention,
        ).apply(outputs.update)

    engine.run(program)
    return Deployment(engine, mocks, outputs)


def args_for(**overrides: Any) -> EntraProvisioningArgs:
    base = EntraProvisioningArgs(
        tenant_url=TENANT_URL,
        secret_token=TOKEN,
        application=NewApplication(display_name="Dashboard SCIM"),
        assigned_group_ids=[GROUP_A, GROUP_B],
    )
    return replace(base, **overrides)


EXISTING = ExistingApplication(client_id=EXISTING_CLIENT_ID)


# --- the application -------------------------------------------------------------------------


def test_new_application_is_instantiated_from_the_non_gallery_template(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for())

    app = pulumi_engine.one(APP_FROM_TEMPLATE)
    assert app.inputs == {"displayName": "Dashboard SCIM", "templateId": NON_GALLERY_TEMPLATE}
    assert [(c.token, c.args) for c in azure.calls] == [
        (GET_APPLICATION, {"objectId": NEW_APP_OBJECT_ID})
    ]
    assert deployed.outputs["client_id"] == NEW_CLIENT_ID
    assert deployed.outputs["application_object_id"] == NEW_APP_OBJECT_ID
    assert deployed.outputs["service_principal_object_id"] == NEW_SP_OBJECT_ID


@pytest.mark.parametrize(
    ("existing", "lookup"),
    [
        (ExistingApplication(client_id=EXISTING_CLIENT_ID), {"clientId": EXISTING_CLIENT_ID}),
        (ExistingApplication(object_id=EXISTING_SP_OBJECT_ID), {"objectId": EXISTING_SP_OBJECT_ID}),
        (ExistingApplication(display_name="Dashboard SSO"), {"displayName": "Dashboard SSO"}),
    ],
)
def test_existing_application_is_only_looked_up_so_destroy_leaves_it(
    pulumi_engine, azure, existing, lookup
):
    deployed = deploy(pulumi_engine, azure, args_for(application=existing))

    assert [(c.token, c.args) for c in azure.calls] == [(GET_SERVICE_PRINCIPAL, lookup)]
    assert {r.type for r in pulumi_engine.registrations} == {
        COMPONENT,
        SECRET,
        JOB,
        ASSIGNMENT,
        ENTRA_TEST,
        JOB_CONTROL,
        JOB_STATUS,
    }
    assert deployed.outputs["client_id"] == EXISTING_CLIENT_ID
    assert deployed.outputs["application_object_id"] is None
    assert deployed.outputs["service_principal_object_id"] == EXISTING_SP_OBJECT_ID


# --- the provisioning secret -----------------------------------------------------------------


def test_secret_saves_tenant_url_token_and_assigned_only_scope(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for(application=EXISTING))

    assert deployed.secret.plain("servicePrincipalId") == (
        f"/servicePrincipals/{EXISTING_SP_OBJECT_ID}"
    )
    assert deployed.secret.plain("credentials") == [
        {"key": "BaseAddress", "value": TENANT_URL},
        {"key": "SecretToken", "value": TOKEN},
        {"key": "SyncAll", "value": "false"},
        {"key": "SyncNotificationSettings", "value": DISABLED_NOTIFICATIONS},
    ]


def test_new_application_secret_targets_the_new_service_principal(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for())

    assert deployed.secret.plain("servicePrincipalId") == f"/servicePrincipals/{NEW_SP_OBJECT_ID}"


@pytest.mark.parametrize(
    "token",
    [TOKEN, pulumi.Output.from_input(TOKEN)],
    ids=["plain-string", "non-secret-output"],
)
def test_token_is_sent_as_secret_and_credentials_stay_secret_in_state(pulumi_engine, azure, token):
    deployed = deploy(pulumi_engine, azure, args_for(secret_token=token))

    assert deployed.secret.is_secret("credentials")
    assert deployed.secret.additional_secret_outputs == ["credentials"]
    assert deployed.credentials["SecretToken"] == TOKEN


def test_sync_all_widens_scope_to_every_user_and_group(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for(sync_all=True))

    assert deployed.credentials["SyncAll"] == "true"


@pytest.mark.parametrize(
    ("email", "threshold", "expected"),
    [
        (
            "ops@example.com",
            None,
            {"Enabled": True, "Recipients": "ops@example.com", "DeleteThresholdEnabled": False},
        ),
        (
            None,
            250,
            {
                "Enabled": False,
                "Recipients": "",
                "DeleteThresholdEnabled": True,
                "DeleteThresholdValue": 250,
            },
        ),
        (
            "ops@example.com",
            500,
            {
                "Enabled": True,
                "Recipients": "ops@example.com",
                "DeleteThresholdEnabled": True,
                "DeleteThresholdValue": 500,
            },
        ),
    ],
    ids=["email-only", "threshold-only", "both"],
)
def test_notification_settings_carry_email_and_deletion_threshold(
    pulumi_engine, azure, email, threshold, expected
):
    args = args_for(notification_email=email, delete_threshold=threshold)
    deployed = deploy(pulumi_engine, azure, args)

    settings = deployed.credentials["SyncNotificationSettings"]
    assert json.loads(settings) == expected
    assert list(json.loads(settings)) == list(expected)  # key order as the portal writes it
    assert " " not in settings


DISABLED_NOTIFICATIONS = '{"Enabled":false,"Recipients":"","DeleteThresholdEnabled":false}'


def test_every_key_the_portal_saves_is_sent_with_explicit_defaults(pulumi_engine, azure):
    """Upstream `synchronizationSecretResourceCreate` (update alike) waits until Graph lists as
    many keys as it sent, and Graph merges keys on PUT: a key the portal's *Save* stored and we
    left out would make that wait time out, so the notification settings are always sent."""
    deployed = deploy(pulumi_engine, azure, args_for())

    assert list(deployed.credentials) == [
        "BaseAddress",
        "SecretToken",
        "SyncAll",
        "SyncNotificationSettings",
    ]
    assert deployed.credentials["SyncNotificationSettings"] == DISABLED_NOTIFICATIONS
    assert deployed.credentials["SyncAll"] == "false"


@pytest.mark.parametrize(
    ("tenant_url", "base_address"),
    [
        (TENANT_URL, f"{TENANT_URL}?aadOptscim062020"),
        (f"{TENANT_URL}/", f"{TENANT_URL}/?aadOptscim062020"),
        (f"{TENANT_URL}?", f"{TENANT_URL}?aadOptscim062020"),
        (f"{TENANT_URL}?tenant=42", f"{TENANT_URL}?tenant=42&aadOptscim062020"),
        (f"{TENANT_URL}?aadOptscim062020", f"{TENANT_URL}?aadOptscim062020"),
        (f"{TENANT_URL}?a=1&aadOptscim062020=true", f"{TENANT_URL}?a=1&aadOptscim062020=true"),
    ],
    ids=["no-query", "trailing-slash", "empty-query", "query", "flag-present", "flag-with-value"],
)
def test_compliant_patch_adds_flag_once_with_the_right_separator(tenant_url, base_address):
    assert with_compliant_patch_flag(tenant_url) == base_address


@pytest.mark.parametrize(
    "tenant_url",
    [f"{TENANT_URL}?tenant=42", pulumi.Output.from_input(f"{TENANT_URL}?tenant=42")],
    ids=["plain-string", "output"],
)
def test_compliant_patch_flag_reaches_base_address(pulumi_engine, azure, tenant_url):
    deployed = deploy(pulumi_engine, azure, args_for(tenant_url=tenant_url, compliant_patch=True))

    assert deployed.credentials["BaseAddress"] == f"{TENANT_URL}?tenant=42&aadOptscim062020"


def test_base_address_is_the_tenant_url_as_given_without_compliant_patch(pulumi_engine, azure):
    url = f"{TENANT_URL}?tenant=42"
    deployed = deploy(pulumi_engine, azure, args_for(tenant_url=url))

    assert deployed.credentials["BaseAddress"] == url


# --- the job ---------------------------------------------------------------------------------


def test_job_uses_scim_template_and_starts_after_secret_and_assignments(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for(application=EXISTING))

    assert deployed.job.inputs == {
        "servicePrincipalId": f"/servicePrincipals/{EXISTING_SP_OBJECT_ID}",
        "templateId": "scim",
        "enabled": True,
    }
    assert deployed.job.dependencies == {
        deployed.secret.urn,
        *(a.urn for a in deployed.assignments),
    }


def test_job_is_created_paused_when_provisioning_is_not_started(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for(start_provisioning=False))

    assert deployed.job.inputs["enabled"] is False


def test_job_waits_for_secret_even_without_groups(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for(application=EXISTING, assigned_group_ids=[]))

    assert deployed.assignments == []
    assert deployed.job.dependencies == {deployed.secret.urn}


# --- Entra's Test Connection and the job's status ---------------------------------------------


def test_entra_test_connection_validates_the_saved_credentials_of_the_job(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for())

    test = deployed.entra_test
    assert test.inputs["job_id"] == deployed.outputs["job_id"]
    assert test.dependencies >= {deployed.job_control.urn, deployed.job.urn}
    assert test.plain("token") == TOKEN
    assert test.is_secret("token")
    assert test.additional_secret_outputs == ["token"]
    assert deployed.outputs["test_connection"]["result"] == "passed"


def test_job_status_is_read_after_entra_test_connection(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for(fail_when_quarantined=True))

    status = deployed.job_status
    assert status.inputs["job_id"] == deployed.outputs["job_id"]
    assert status.inputs["fail_when_quarantined"] is True
    assert status.dependencies >= {deployed.job.urn, deployed.entra_test.urn}
    assert deployed.outputs["provisioning_status"] == ACTIVE_STATUS


def test_entra_test_connection_can_be_switched_off(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for(test_connection=False))

    assert pulumi_engine.of_type(ENTRA_TEST) == []
    assert deployed.outputs["test_connection"] is None
    assert deployed.job_status.inputs["fail_when_quarantined"] is False


# --- group assignments -----------------------------------------------------------------------


def test_each_group_is_assigned_the_user_role_under_a_name_of_its_own(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for())

    assert [(a.name, a.inputs) for a in deployed.assignments] == [
        (
            f"scim-group-{group}",
            {
                "appRoleId": USER_ROLE_ID,
                "principalObjectId": group,
                "resourceObjectId": NEW_SP_OBJECT_ID,
            },
        )
        for group in (GROUP_A, GROUP_B)
    ]


def test_removing_a_group_keeps_the_other_assignment_names(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for(assigned_group_ids=[GROUP_A, GROUP_C]))

    assert [a.name for a in deployed.assignments] == [
        f"scim-group-{GROUP_A}",
        f"scim-group-{GROUP_C}",
    ]


def test_group_ids_typed_in_upper_case_are_assigned_in_lower_case(pulumi_engine, azure):
    """pulumi-azuread's Read stores the lower-case ids Graph returns, and every input of the
    assignment forces replacement (`app_role_assignment_resource.go`): an upper-case id would
    plan a replace on every `up`, whose create Graph refuses with 400 "Permission being assigned
    already exists". The upper-case name such a stack used is kept as an alias."""
    deployed = deploy(pulumi_engine, azure, args_for(assigned_group_ids=[GROUP_A.upper()]))

    (assignment,) = deployed.assignments
    assert assignment.name == f"scim-group-{GROUP_A}"
    assert assignment.inputs["principalObjectId"] == GROUP_A
    assert assignment.alias_names == [f"scim-group-{GROUP_A.upper()}"]


def test_an_upper_case_existing_application_id_is_looked_up_in_lower_case(pulumi_engine, azure):
    app = ExistingApplication(object_id=EXISTING_SP_OBJECT_ID.upper())
    deployed = deploy(pulumi_engine, azure, args_for(application=app))

    assert deployed.secret.plain("servicePrincipalId") == (
        f"/servicePrincipals/{EXISTING_SP_OBJECT_ID}"
    )
    (lookup,) = [c for c in azure.calls if c.token == GET_SERVICE_PRINCIPAL]
    assert lookup.args["objectId"] == EXISTING_SP_OBJECT_ID


def test_group_ids_known_only_at_deploy_time_are_named_by_position(pulumi_engine, azure):
    groups = [pulumi.Output.from_input(GROUP_A), pulumi.Output.from_input(GROUP_B)]
    deployed = deploy(pulumi_engine, azure, args_for(assigned_group_ids=groups))

    assert [a.name for a in deployed.assignments] == ["scim-group-0", "scim-group-1"]
    assert [a.inputs["principalObjectId"] for a in deployed.assignments] == [GROUP_A, GROUP_B]


def test_existing_app_with_a_user_role_value_assigns_that_role(pulumi_engine, azure):
    azure.existing_app_roles = [
        role("Admin", "99999999-0000-4000-8000-000000000001", "Admin"),
        role("Member", "99999999-0000-4000-8000-000000000002", "User"),
    ]
    deployed = deploy(pulumi_engine, azure, args_for(application=EXISTING))

    assert {a.inputs["appRoleId"] for a in deployed.assignments} == {
        "99999999-0000-4000-8000-000000000002"
    }


def test_existing_app_without_roles_assigns_default_access(pulumi_engine, azure):
    azure.existing_app_roles = []
    deployed = deploy(pulumi_engine, azure, args_for(application=EXISTING))

    assert {a.inputs["appRoleId"] for a in deployed.assignments} == {DEFAULT_ACCESS}


def test_existing_app_with_roles_but_no_user_role_fails_the_deployment(pulumi_engine, azure):
    azure.existing_app_roles = [role("Admin", "99999999-0000-4000-8000-000000000001", "Admin")]

    with pytest.raises(Exception, match="no enabled 'User' role"):
        deploy(pulumi_engine, azure, args_for(application=EXISTING))


# --- the component ---------------------------------------------------------------------------


def test_children_belong_to_the_component(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for())

    children = [r for r in pulumi_engine.registrations if r.type != COMPONENT]
    assert {r.type for r in children} == {
        APP_FROM_TEMPLATE,
        SECRET,
        JOB,
        ASSIGNMENT,
        ENTRA_TEST,
        JOB_CONTROL,
        JOB_STATUS,
        SP_READY,
    }
    assert {r.parent for r in children} == {deployed.component.urn}
    assert deployed.component.inputs == {}  # the token must not land in the component's state


def test_outputs_link_the_job_and_the_provisioning_page(pulumi_engine, azure):
    deployed = deploy(pulumi_engine, azure, args_for())

    assert deployed.outputs["job_id"] == (
        f"/servicePrincipals/{NEW_SP_OBJECT_ID}/synchronization/jobs/{JOB_ID}"
    )
    assert deployed.outputs["portal_url"] == (
        "https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade"
        f"/~/ProvisioningManagement/appId/{NEW_CLIENT_ID}/objectId/{NEW_SP_OBJECT_ID}"
    )


# --- bad arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"application": None}, "application: choose exactly one app"),
        ({"application": "Dashboard SCIM"}, "application: choose exactly one app"),
        ({"application": ExistingApplication()}, "exactly one of client_id, object_id or"),
        (
            {"application": ExistingApplication(client_id=EXISTING_CLIENT_ID, display_name="x")},
            "(given: client_id, display_name)",
        ),
        ({"application": ExistingApplication(client_id="my-app")}, "application.client_id: must"),
        ({"application": NewApplication(display_name=" ")}, "application.display_name: must not"),
        ({"assigned_group_ids": [GROUP_A, ""]}, "assigned_group_ids[1]: is blank"),
        ({"assigned_group_ids": ["Sales"]}, "assigned_group_ids[0]: 'Sales' is not a group"),
        ({"assigned_group_ids": [GROUP_A, GROUP_A.upper()]}, "assigned_group_ids[1]: "),
        ({"assigned_group_ids": GROUP_A}, "assigned_group_ids: must be a list"),
        ({"delete_threshold": 0}, "delete_threshold: 0 must be a whole number above 0"),
        ({"delete_threshold": -5}, "delete_threshold: -5 must be"),
        ({"delete_threshold": 2.5}, "delete_threshold: 2.5 must be"),
        ({"delete_threshold": True}, "delete_threshold: True must be"),
        ({"notification_email": "ops"}, "notification_email: 'ops' is not an e-mail address"),
        ({"notification_email": "a@b.com; c@d.com"}, "notification_email: 'a@b.com; c@d.com'"),
        ({"tenant_url": "dashboard.example.com/scim"}, "tenant_url: must be the Dashboard's"),
        ({"secret_token": ""}, "secret_token: must not be blank"),
        ({"sync_all": "false"}, "sync_all: must be True or False"),
        ({"fail_when_quarantined": "yes"}, "fail_when_quarantined: must be True or False"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_arguments_raise_one_clear_error_before_anything_is_registered(
    pulumi_engine, azure, overrides, problem
):
    args = args_for(**overrides)

    with pytest.raises(EntraProvisioningArgsError) as raised:
        pulumi_engine.run(lambda: EntraProvisioning("scim", args))

    assert isinstance(raised.value, ValueError)
    assert len(raised.value.problems) == 1
    assert problem in raised.value.problems[0]
    assert pulumi_engine.registrations == []
    assert azure.calls == []


def test_every_problem_is_reported_at_once(pulumi_engine, azure):
    args = args_for(
        application=ExistingApplication(),
        assigned_group_ids=[""],
        delete_threshold=0,
        notification_email="nobody",
    )

    with pytest.raises(EntraProvisioningArgsError) as raised:
        pulumi_engine.run(lambda: EntraProvisioning("scim", args))

    message = str(raised.value)
    assert message.startswith("EntraProvisioning 'scim' has invalid arguments:\n")
    for argument in ("application", "assigned_group_ids[0]", "delete_threshold", "notification"):
        assert f"\n  - {argument}" in message
    assert pulumi_engine.registrations == []
