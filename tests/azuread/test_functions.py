"""getApplication and getServicePrincipal as upstream's data sources read them, over the
stand-in's gRPC server against the fake Graph."""

from __future__ import annotations

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.azuread.conftest import USER_ROLE_ID, new_app
from tests.support.azuread_plugin import PluginError, StandInPlugin

GET_APPLICATION = "azuread:index/getApplication:getApplication"
GET_SERVICE_PRINCIPAL = "azuread:index/getServicePrincipal:getServicePrincipal"


def test_get_application_by_object_id_gives_the_client_id_and_the_app_roles(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    app = new_app(graph, "Functions app")

    found = plugin.invoke(GET_APPLICATION, {"objectId": app["application"]})

    assert (found["clientId"], found["objectId"]) == (app["client"], app["application"])
    user = next(role for role in found["appRoles"] if role["displayName"] == "User")
    assert user == {
        "id": USER_ROLE_ID,
        "allowedMemberTypes": ["User"],
        "description": "User",
        "displayName": "User",
        "enabled": True,
        "value": "",  # null in Graph, so missing from appRoleIds
    }
    assert found["appRoleIds"] == {}
    assert found["owners"] == []


@pytest.mark.parametrize("key", ["objectId", "clientId", "displayName"])
def test_get_service_principal_finds_the_enterprise_app_by_each_key(
    graph: FakeGraphProcess, plugin: StandInPlugin, key: str
) -> None:
    app = new_app(graph, f"Lookup by {key}")
    given = {"objectId": app["sp"], "clientId": app["client"], "displayName": f"Lookup by {key}"}

    found = plugin.invoke(GET_SERVICE_PRINCIPAL, {key: given[key]})

    assert (found["objectId"], found["clientId"]) == (app["sp"], app["client"])
    assert {role["displayName"] for role in found["appRoles"]} == {"User", "msiam_access"}
    assert found["featureTags"] == [
        {"customSingleSignOn": False, "enterprise": True, "gallery": False, "hide": False}
    ]


def test_a_service_principal_that_is_not_there_fails_in_one_line(plugin: StandInPlugin) -> None:
    missing = "00000000-1111-2222-3333-444444444444"
    with pytest.raises(PluginError) as failed:
        plugin.invoke(GET_SERVICE_PRINCIPAL, {"objectId": missing})
    assert str(failed.value) == f"object_id: /servicePrincipals/{missing} was not found"


def test_two_apps_with_one_display_name_fail_as_upstream(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    new_app(graph, "Twice")
    new_app(graph, "Twice")
    with pytest.raises(PluginError) as failed:
        plugin.invoke(GET_SERVICE_PRINCIPAL, {"displayName": "Twice"})
    assert str(failed.value).startswith("Multiple service principals found")
