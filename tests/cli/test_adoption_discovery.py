"""What `scim-setup adopt` refuses and keeps, from Graph's answers (no server needed)."""

from __future__ import annotations

import pytest

from components.entra_application import DEFAULT_ACCESS_ROLE_ID
from components.provisioning_credentials import saved_scope
from providers.graph.discovery import AppRoleAssignmentInfo, ServicePrincipalInfo
from scim_setup.cli.adoption_discovery import AdoptionError, refuse_other_roles
from tests.cli.test_adopt import MSIAM_ACCESS, NON_GALLERY_ROLES, USER_ROLE

GROUP = "aaaaaaaa-0000-4000-8000-00000000000a"
NON_GALLERY_APP = ServicePrincipalInfo("sp", "app", "Dashboard SCIM", tuple(NON_GALLERY_ROLES))


def assigned(role_id: str) -> AppRoleAssignmentInfo:
    return AppRoleAssignmentInfo("assignment", role_id, GROUP, "Group", "Backup users")


def test_groups_holding_the_user_role_are_adopted():
    refuse_other_roles(NON_GALLERY_APP, [assigned(USER_ROLE.upper())])


@pytest.mark.parametrize(
    ("app", "role_id", "held", "wanted"),
    [
        (NON_GALLERY_APP, MSIAM_ACCESS, "msiam_access", "User"),
        (NON_GALLERY_APP, DEFAULT_ACCESS_ROLE_ID, "Default Access", "User"),
        (ServicePrincipalInfo("sp", "app", "No roles"), USER_ROLE, USER_ROLE, "Default Access"),
    ],
    ids=["msiam_access", "default-access", "role-of-an-app-without-roles"],
)
def test_a_group_holding_another_role_is_refused_in_one_line(app, role_id, held, wanted):
    """Upstream `app_role_assignment_resource.go`: `app_role_id` forces replacement, and the
    replacement's create gets Graph's 400 "Permission being assigned already exists"."""
    with pytest.raises(AdoptionError) as error:
        refuse_other_roles(app, [assigned(role_id)])

    message = str(error.value)
    assert "\n" not in message
    assert f"Backup users ({GROUP}) hold the app role {held!r}, not {wanted!r}" in message
    assert f"edit each one's role to {wanted!r}" in message


def test_saved_keys_read_back_as_config_values():
    scope = saved_scope(
        {
            "BaseAddress": "https://dash.example.com/scim/v2?tenant=1&aadOptscim062020",
            "SecretToken": "*",
            "SyncAll": "True",
            "SyncNotificationSettings": '{"Enabled":true,"Recipients":"ops@example.com",'
            '"DeleteThresholdEnabled":true,"DeleteThresholdValue":"500"}',
        }
    )

    assert scope.tenant_url == "https://dash.example.com/scim/v2?tenant=1"
    assert (scope.compliant_patch, scope.sync_all) == (True, True)
    assert (scope.notification_email, scope.delete_threshold) == ("ops@example.com", 500)
    assert scope.unkept_recipients is None


def test_disabled_notices_and_several_recipients_are_not_kept():
    scope = saved_scope(
        {
            "BaseAddress": "https://dash.example.com/scim/v2",
            "SyncNotificationSettings": '{"Enabled":true,"Recipients":"a@example.com;b@example.com"'
            ',"DeleteThresholdEnabled":false,"DeleteThresholdValue":500}',
        }
    )

    assert (scope.compliant_patch, scope.sync_all) == (False, False)
    assert (scope.notification_email, scope.delete_threshold) == (None, None)
    assert scope.unkept_recipients == "a@example.com;b@example.com"
