"""What Azure answers under Pulumi mocks: resource ids and state, and the two invokes.

Shared by the component and program tests; it imports no component, so a test can run the program
and see which of our modules the program itself loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

COMPONENT = "scim-setup:entra:EntraProvisioning"
APP_FROM_TEMPLATE = "azuread:index/applicationFromTemplate:ApplicationFromTemplate"
SECRET = "azuread:index/synchronizationSecret:SynchronizationSecret"
JOB = "azuread:index/synchronizationJob:SynchronizationJob"
ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"
ENTRA_TEST = "pulumi-python:dynamic/entra:ConnectionTest"
JOB_STATUS = "pulumi-python:dynamic/entra:ProvisioningJobStatus"
JOB_CONTROL = "pulumi-python:dynamic/entra:ProvisioningJobControl"
SP_READY = "pulumi-python:dynamic/entra:ServicePrincipalReady"
GET_APPLICATION = "azuread:index/getApplication:getApplication"
GET_SERVICE_PRINCIPAL = "azuread:index/getServicePrincipal:getServicePrincipal"

NON_GALLERY_TEMPLATE = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
NEW_APP_OBJECT_ID = "11111111-1111-4111-8111-111111111111"
NEW_SP_OBJECT_ID = "22222222-2222-4222-8222-222222222222"
NEW_CLIENT_ID = "33333333-3333-4333-8333-333333333333"
EXISTING_SP_OBJECT_ID = "44444444-4444-4444-8444-444444444444"
EXISTING_CLIENT_ID = "55555555-5555-4555-8555-555555555555"
GROUP_A = "aaaaaaaa-0000-4000-8000-00000000000a"
GROUP_B = "bbbbbbbb-0000-4000-8000-00000000000b"
GROUP_C = "cccccccc-0000-4000-8000-00000000000c"
USER_ROLE_ID = "18d14569-c3bd-439b-9a66-3a2aee01d14f"
DEFAULT_ACCESS = "00000000-0000-0000-0000-000000000000"
JOB_ID = "scim.0123456789abcdef0123456789abcdef.0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"
TENANT_URL = "https://dashboard.example.com/scim/v2"
TOKEN = "dashboard-scim-token"


ACTIVE_STATUS = {"code": "Active", "count_successive_complete_failures": 0}


def role(display_name: str, role_id: str, value: str = "") -> dict[str, Any]:
    return {
        "allowedMemberTypes": ["User"],
        "description": display_name,
        "displayName": display_name,
        "enabled": True,
        "id": role_id,
        "value": value,
    }


# What Graph reports for an app made from the non-gallery template: both values are null.
NON_GALLERY_APP_ROLES = [
    role("User", USER_ROLE_ID),
    role("msiam_access", "b9632174-c057-4f7e-951b-be3adc52bfe6"),
]


@dataclass
class AzureMocks(pulumi.runtime.Mocks):
    """Answers like Azure for a freshly instantiated non-gallery app and one existing app."""

    existing_app_roles: list[dict[str, Any]] = field(default_factory=lambda: NON_GALLERY_APP_ROLES)
    calls: list[MockCallArgs] = field(default_factory=list)

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        if args.typ == APP_FROM_TEMPLATE:
            state.update(
                applicationObjectId=NEW_APP_OBJECT_ID, servicePrincipalObjectId=NEW_SP_OBJECT_ID
            )
        if args.typ == JOB:
            return f"{args.inputs['servicePrincipalId']}/synchronization/jobs/{JOB_ID}", state
        if args.typ == ENTRA_TEST:
            state.update(result="passed", message="validateCredentials returned 204")
        if args.typ == JOB_STATUS:
            state.update(status=ACTIVE_STATUS)
        if args.typ == JOB_CONTROL:
            state.update(plan=[], attention=None, restart_pending=False, done=[])
        return f"{args.name}-id", state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append(args)
        if args.token == GET_APPLICATION:
            app = {"clientId": NEW_CLIENT_ID, "objectId": NEW_APP_OBJECT_ID}
            return {**app, "appRoles": NON_GALLERY_APP_ROLES}, []
        if args.token == GET_SERVICE_PRINCIPAL:
            sp = {"clientId": EXISTING_CLIENT_ID, "objectId": EXISTING_SP_OBJECT_ID}
            return {**sp, "appRoles": self.existing_app_roles}, []
        raise AssertionError(f"unexpected invoke {args.token}")
