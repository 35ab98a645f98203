"""Check, as pulumi-terraform-bridge derives it from upstream's schemas: defaults applied,
required inputs and each input's ValidateFunc reported before anything is called."""

from __future__ import annotations

from scim_setup.emulator.azuread.wire import UNKNOWN
from tests.support.azuread_plugin import StandInPlugin

JOB = "azuread:index/synchronizationJob:SynchronizationJob"
ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"
APP = "azuread:index/applicationFromTemplate:ApplicationFromTemplate"


def test_enabled_defaults_to_true(plugin: StandInPlugin) -> None:
    inputs, failures = plugin.check(
        JOB,
        {
            "servicePrincipalId": "/servicePrincipals/11111111-1111-1111-1111-111111111111",
            "templateId": "scim",
        },
    )
    assert (inputs["enabled"], failures) == (True, [])


def test_a_bare_object_id_is_not_a_service_principal_id(plugin: StandInPlugin) -> None:
    _, failures = plugin.check(
        JOB, {"servicePrincipalId": "11111111-1111-1111-1111-111111111111", "templateId": "scim"}
    )
    assert [f.property for f in failures] == ["servicePrincipalId"]
    assert "/servicePrincipals/{servicePrincipalId}" in failures[0].reason


def test_missing_and_malformed_inputs_are_each_reported(plugin: StandInPlugin) -> None:
    _, failures = plugin.check(ASSIGNMENT, {"appRoleId": "User", "principalObjectId": UNKNOWN})
    reasons = {f.property: f.reason for f in failures}
    assert reasons == {
        "appRoleId": 'expected "appRoleId" to be a valid UUID, got User',
        "resourceObjectId": "Missing required property 'resourceObjectId'",
    }


def test_a_blank_display_name_is_refused(plugin: StandInPlugin) -> None:
    _, failures = plugin.check(
        APP, {"displayName": "", "templateId": "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"}
    )
    assert [f.property for f in failures] == ["displayName"]
