"""AppRoleAssignment as upstream's app_role_assignment_resource.go does it, over the stand-in's
gRPC server against the fake Graph."""

from __future__ import annotations

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.azuread.conftest import USER_ROLE_ID, calls, new_app
from tests.support.azuread_plugin import PluginError, StandInPlugin

ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"
GROUP = "5B1E7A52-2C7E-4D8E-8F5E-0A1B2C3D4E5F"


def assignment_inputs(sp: str, group: str = GROUP) -> dict[str, str]:
    return {"appRoleId": USER_ROLE_ID, "principalObjectId": group, "resourceObjectId": sp}


def test_create_checks_the_app_posts_the_assignment_and_stores_graphs_lower_case_ids(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    before = len(graph.requests())

    assignment_id, outputs = plugin.create(ASSIGNMENT, assignment_inputs(sp))

    assigned_to = f"/v1.0/servicePrincipals/{sp}/appRoleAssignedTo"
    made = calls(graph, before)
    assert made[:2] == [("GET", f"/v1.0/servicePrincipals/{sp}", 200), ("POST", assigned_to, 201)]
    assert assignment_id.startswith(f"/servicePrincipals/{sp}/appRoleAssignedTo/")
    assert outputs["principalObjectId"] == GROUP.lower()
    assert (outputs["principalType"], outputs["resourceObjectId"]) == ("Group", sp)
    assert outputs["resourceDisplayName"] == "Stand-in app"


def test_creating_an_assignment_that_exists_fails_with_graphs_400(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    plugin.create(ASSIGNMENT, assignment_inputs(sp))

    with pytest.raises(PluginError) as failed:
        plugin.create(ASSIGNMENT, assignment_inputs(sp))

    message = str(failed.value)
    assert message.startswith("Could not create app role assignment: POST ")
    assert "returned 400 Request_BadRequest: Permission being assigned already exists" in message
    assert "\n" not in message


def test_every_input_forces_replacement_compared_exactly(plugin: StandInPlugin) -> None:
    sp = "11111111-1111-1111-1111-111111111111"
    state = assignment_inputs(sp, GROUP.lower())

    upper = plugin.diff(ASSIGNMENT, state, assignment_inputs(sp, GROUP))
    assert list(upper.replaces) == ["principalObjectId"]  # no case-insensitive diff upstream
    for name in ("appRoleId", "resourceObjectId"):
        other = {**state, name: "22222222-2222-2222-2222-222222222222"}
        assert list(plugin.diff(ASSIGNMENT, state, other).replaces) == [name]


def test_import_reads_the_assignment_and_reports_graphs_ids_as_inputs(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    made = graph.assign(sp, GROUP.lower(), USER_ROLE_ID)
    import_id = f"/servicePrincipals/{sp}/appRoleAssignedTo/{made['id']}"

    found_id, _, inputs = plugin.read(ASSIGNMENT, import_id)

    assert found_id == import_id
    assert inputs == assignment_inputs(sp, GROUP.lower())
    assert list(plugin.diff(ASSIGNMENT, inputs, assignment_inputs(sp, GROUP)).diffs) == [
        "principalObjectId"
    ]


def test_delete_removes_the_assignment_and_read_then_finds_it_gone(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    assignment_id, state = plugin.create(ASSIGNMENT, assignment_inputs(sp))

    plugin.delete(ASSIGNMENT, assignment_id, state)

    assert plugin.read(ASSIGNMENT, assignment_id, state)[0] == ""
    listed = graph.graph("GET", f"/servicePrincipals/{sp}/appRoleAssignedTo").json()["value"]
    assert listed == []
