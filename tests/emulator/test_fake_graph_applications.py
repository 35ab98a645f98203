"""The fake Graph's app registrations and service principals, as pulumi-azuread's
ApplicationFromTemplate and the getApplication/getServicePrincipal functions call them."""

from collections.abc import Iterator

import pytest

from scim_setup.emulator.fake_graph_applications import USER_ROLE_ID
from scim_setup.emulator.graph_process import FakeGraphProcess

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess(extra_args=["--replication-lag", "0"]) as process:
        yield process


def instantiate(graph: FakeGraphProcess, name: str) -> dict:
    response = graph.graph(
        "POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {"displayName": name}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_instantiate_makes_an_app_and_its_service_principal_with_the_non_gallery_roles(
    graph: FakeGraphProcess,
) -> None:
    created = instantiate(graph, "Dashboard SCIM")
    application, sp = created["application"], created["servicePrincipal"]
    assert application["displayName"] == sp["displayName"] == "Dashboard SCIM"
    assert application["appId"] == sp["appId"]
    for item in (application, sp):
        roles = {role["displayName"]: role for role in item["appRoles"]}
        assert set(roles) == {"User", "msiam_access"}
        assert roles["User"]["id"] == USER_ROLE_ID
        assert all(role["value"] is None and role["isEnabled"] for role in roles.values())
        assert item["id"] == item["id"].lower()
    read = graph.graph("GET", f"/applications/{application['id']}")
    assert read.status_code == 200
    assert read.json()["appRoles"] == application["appRoles"]


def test_an_unknown_template_is_not_found_and_a_missing_name_is_refused(
    graph: FakeGraphProcess,
) -> None:
    unknown = graph.graph(
        "POST",
        f"/applicationTemplates/{'1' * 8}-1111-1111-1111-{'1' * 12}/instantiate",
        {"displayName": "x"},
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "Request_ResourceNotFound"
    nameless = graph.graph("POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {})
    assert nameless.status_code == 400


def test_the_new_service_principal_answers_404_during_the_replication_lag(
    graph: FakeGraphProcess,
) -> None:
    graph.set_replication_lag(600)
    try:
        created = instantiate(graph, "Lagging app")
    finally:
        graph.set_replication_lag(0)
    sp = created["servicePrincipal"]
    read = graph.graph("GET", f"/servicePrincipals/{sp['id']}")
    assert read.status_code == 404
    assert read.json()["error"]["code"] == "Request_ResourceNotFound"
    listed = graph.graph("GET", f"/servicePrincipals?$filter=appId eq '{sp['appId']}'")
    assert listed.json()["value"] == []
    application = graph.graph("GET", f"/applications/{created['application']['id']}")
    assert application.status_code == 200


def test_reads_by_id_in_any_case_and_by_the_data_sources_filters(
    graph: FakeGraphProcess,
) -> None:
    created = instantiate(graph, "Filter O'Brien")
    application, sp = created["application"], created["servicePrincipal"]
    assert graph.graph("GET", f"/servicePrincipals/{sp['id'].upper()}").json()["id"] == sp["id"]
    assert (
        graph.graph("GET", f"/servicePrincipals/{sp['id']}", version="beta").json()[
            "samlMetadataUrl"
        ]
        is None
    )
    beta_app = graph.graph("GET", f"/applications/{application['id']}", version="beta").json()
    assert beta_app["oauth2RequirePostResponse"] is False
    assert graph.graph("GET", f"/applications/{application['id']}/owners").json() == {"value": []}
    for collection, item in (("applications", application), ("servicePrincipals", sp)):
        by_app_id = graph.graph("GET", f"/{collection}?$filter=appId eq '{item['appId']}'")
        assert [found["id"] for found in by_app_id.json()["value"]] == [item["id"]]
        by_name = graph.graph("GET", f"/{collection}?$filter=displayName eq 'Filter O''Brien'")
        assert [found["id"] for found in by_name.json()["value"]] == [item["id"]]
    unsupported = graph.graph("GET", "/applications?$filter=startswith(displayName,'F')")
    assert unsupported.status_code == 400


def test_patch_renames_the_application(graph: FakeGraphProcess) -> None:
    application = instantiate(graph, "Old name")["application"]
    patched = graph.graph("PATCH", f"/applications/{application['id']}", {"displayName": "New"})
    assert patched.status_code == 204
    assert graph.graph("GET", f"/applications/{application['id']}").json()["displayName"] == "New"


def test_deleting_the_application_deletes_its_service_principal(graph: FakeGraphProcess) -> None:
    created = instantiate(graph, "Short-lived")
    application, sp = created["application"], created["servicePrincipal"]
    assert graph.graph("DELETE", f"/applications/{application['id']}").status_code == 204
    assert graph.graph("GET", f"/applications/{application['id']}").status_code == 404
    assert graph.graph("GET", f"/servicePrincipals/{sp['id']}").status_code == 404
    assert graph.graph("DELETE", f"/applications/{application['id']}").status_code == 404


def test_deleting_a_service_principal_keeps_its_application(graph: FakeGraphProcess) -> None:
    created = instantiate(graph, "Keep the registration")
    application, sp = created["application"], created["servicePrincipal"]
    assert graph.graph("DELETE", f"/servicePrincipals/{sp['id']}").status_code == 204
    assert graph.graph("GET", f"/servicePrincipals/{sp['id']}").status_code == 404
    assert graph.graph("GET", f"/applications/{application['id']}").status_code == 200


def test_calls_without_a_token_get_401(graph: FakeGraphProcess) -> None:
    import requests

    response = requests.post(
        f"{graph.url}/v1.0/applicationTemplates/{NON_GALLERY}/instantiate",
        json={"displayName": "x"},
        verify=graph.ca_bundle,
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
