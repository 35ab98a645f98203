"""The fake Graph's app role assignments, as pulumi-azuread's AppRoleAssignment creates, reads
and deletes them."""

from collections.abc import Iterator

import pytest

from scim_setup.emulator.fake_graph_applications import USER_ROLE_ID
from scim_setup.emulator.graph_process import FakeGraphProcess

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
GROUP_ID = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess(extra_args=["--replication-lag", "0"]) as process:
        yield process


@pytest.fixture
def sp(graph: FakeGraphProcess) -> dict:
    created = graph.graph(
        "POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {"displayName": "Assigned app"}
    )
    return created.json()["servicePrincipal"]


def assign(graph: FakeGraphProcess, sp: dict, role: str = USER_ROLE_ID, principal: str = GROUP_ID):
    body = {"principalId": principal, "resourceId": sp["id"].upper(), "appRoleId": role.upper()}
    return graph.graph("POST", f"/servicePrincipals/{sp['id']}/appRoleAssignedTo", body)


def test_an_assignment_is_created_with_lower_case_ids_and_read_back(
    graph: FakeGraphProcess, sp: dict
) -> None:
    response = assign(graph, sp)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["principalId"] == GROUP_ID.lower()
    assert created["resourceId"] == sp["id"]
    assert created["appRoleId"] == USER_ROLE_ID
    assert created["principalType"] == "Group"
    assert created["resourceDisplayName"] == "Assigned app"
    path = f"/servicePrincipals/{sp['id']}/appRoleAssignedTo"
    assert graph.graph("GET", f"{path}/{created['id']}").json() == created
    assert graph.graph("GET", path).json()["value"] == [created]


def test_the_same_assignment_again_is_refused_as_graph_does(
    graph: FakeGraphProcess, sp: dict
) -> None:
    assert assign(graph, sp).status_code == 201
    again = assign(graph, sp)
    assert again.status_code == 400
    assert again.json()["error"]["message"] == (
        "Permission being assigned already exists for the object."
    )


def test_delete_removes_the_assignment(graph: FakeGraphProcess, sp: dict) -> None:
    created = assign(graph, sp).json()
    path = f"/servicePrincipals/{sp['id']}/appRoleAssignedTo/{created['id']}"
    assert graph.graph("DELETE", path).status_code == 204
    assert graph.graph("GET", path).status_code == 404
    assert graph.graph("DELETE", path).status_code == 404
    assert assign(graph, sp).status_code == 201


def test_a_role_the_app_does_not_have_is_refused(graph: FakeGraphProcess, sp: dict) -> None:
    unknown = assign(graph, sp, role="12345678-1234-4234-8234-123456789012")
    assert unknown.status_code == 400
    assert "was not found on application" in unknown.json()["error"]["message"]
    default_access = assign(graph, sp, role="00000000-0000-0000-0000-000000000000")
    assert default_access.status_code == 400


def test_a_directory_user_is_assigned_as_a_user(graph: FakeGraphProcess, sp: dict) -> None:
    user_id = "11111111-2222-4333-8444-555555555555"
    graph.add_users({"id": user_id, "userPrincipalName": "ada@example.com", "displayName": "Ada"})
    created = assign(graph, sp, principal=user_id).json()
    assert (created["principalType"], created["principalDisplayName"]) == ("User", "Ada")


def test_an_unknown_service_principal_is_not_found(graph: FakeGraphProcess) -> None:
    missing = {"id": "0badc0de-0000-4000-8000-000000000000"}
    assert assign(graph, missing).status_code == 404
