"""What `scim-setup adopt` refuses and keeps, from Graph's answers (no server needed)."""

from __future__ import annotations

import pytest

from components.entra_application import DEFAULT_ACCESS_ROLE_ID
from components.provisioning_credentials import saved_scope
from providers.dashboard.client import ScimSettingsState, TokenInfo
from providers.graph.discovery import AppRoleAssignmentInfo, ServicePrincipalInfo
from scim_setup.cli.adoption_discovery import (
    Discovery,
    EntraFound,
    adoption_config,
    adoption_warnings,
)
from scim_setup.cli.adoption_limits import AdoptionError, refuse_other_roles
from tests.support.app_roles import MSIAM_ACCESS, NON_GALLERY_ROLES, USER_ROLE

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


def test_an_app_without_a_user_role_is_refused_only_when_groups_are_assigned():
    admin_only = {**NON_GALLERY_ROLES[1], "displayName": "Admin"}
    app = ServicePrincipalInfo("sp", "app", "Roles", (admin_only,))
    refuse_other_roles(app, [])

    with pytest.raises(AdoptionError) as error:
        refuse_other_roles(app, [assigned(MSIAM_ACCESS)])

    assert str(error.value).startswith("the app declares app roles (Admin) but no enabled 'User'")


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


def found_with(secrets: dict[str, str]) -> Discovery:
    token = TokenInfo("tok-1", "2026-01-01T00:00:00Z", None)
    settings = ScimSettingsState(True, "https://dash.example.com/scim/v2", 50, token)
    return Discovery(settings, token, EntraFound(NON_GALLERY_APP, None, None, secrets=secrets))


def test_the_dashboards_url_with_the_flag_is_no_reason_to_warn():
    found = found_with({"BaseAddress": "https://DASH.example.com/scim/v2/?aadOptscim062020"})

    assert adoption_warnings(found) == []
    assert adoption_config(found, {})["entra:compliantPatch"] == "true"


def test_recipients_that_cannot_be_kept_are_warned_about_and_not_written():
    settings = '{"Enabled":true,"Recipients":"a@example.com;b@example.com"}'
    found = found_with(
        {"BaseAddress": "https://dash.example.com/scim/v2", "SyncNotificationSettings": settings}
    )

    (warning,) = adoption_warnings(found)
    assert warning.startswith("the saved failure-notice recipients 'a@example.com;b@example.com'")
    assert "entra:notificationEmail" not in adoption_config(found, {})


def test_an_app_without_saved_secrets_writes_no_scope():
    config = adoption_config(found_with({}), {})

    assert not [key for key in config if key.startswith("entra:")]
