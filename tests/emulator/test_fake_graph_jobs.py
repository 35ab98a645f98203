"""The fake Graph's synchronization jobs, as pulumi-azuread's SynchronizationJob calls them:
create with a template, read, start, pause, delete."""

from collections.abc import Iterator

import pytest

from scim_setup.emulator.fake_graph_jobs import NEW_JOB_INTERVAL
from scim_setup.emulator.graph_process import FakeGraphProcess

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess(extra_args=["--replication-lag", "0"]) as process:
        yield process


@pytest.fixture
def sp_id(graph: FakeGraphProcess) -> str:
    """A new enterprise app's service principal id."""
    created = graph.graph(
        "POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {"displayName": "Jobs app"}
    )
    return created.json()["servicePrincipal"]["id"]


def create_job(graph: FakeGraphProcess, sp_id: str) -> dict:
    response = graph.graph(
        "POST", f"/servicePrincipals/{sp_id}/synchronization/jobs", {"templateId": "scim"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_new_job_is_created_disabled_and_not_run(graph: FakeGraphProcess, sp_id: str) -> None:
    job = create_job(graph, sp_id)
    assert job["templateId"] == "scim"
    assert job["id"].startswith("scim.")
    assert job["schedule"] == {
        "expiration": None,
        "interval": NEW_JOB_INTERVAL,
        "state": "Disabled",
    }
    assert job["status"]["code"] == "NotRun"
    assert job["status"]["lastExecution"] is None
    read = graph.graph("GET", f"/servicePrincipals/{sp_id}/synchronization/jobs/{job['id']}")
    assert read.json()["schedule"]["state"] == "Disabled"
    listed = graph.graph("GET", f"/servicePrincipals/{sp_id}/synchronization/jobs").json()
    assert [item["id"] for item in listed["value"]] == [job["id"]]
    schema = graph.graph(
        "GET", f"/servicePrincipals/{sp_id}/synchronization/jobs/{job['id']}/schema"
    )
    assert schema.status_code == 200
    assert schema.json()["synchronizationRules"]


def test_start_then_pause_then_start(graph: FakeGraphProcess, sp_id: str) -> None:
    job_path = f"/servicePrincipals/{sp_id}/synchronization/jobs/{create_job(graph, sp_id)['id']}"
    assert graph.graph("POST", f"{job_path}/start").status_code == 204
    started = graph.graph("GET", job_path).json()
    assert started["schedule"] == {"expiration": None, "interval": "PT40M", "state": "Active"}
    assert started["status"]["code"] == "Active"
    assert graph.graph("POST", f"{job_path}/pause").status_code == 204
    paused = graph.graph("GET", job_path).json()
    assert (paused["schedule"]["state"], paused["status"]["code"]) == ("Paused", "Paused")
    assert graph.graph("POST", f"{job_path}/start").status_code == 204
    assert graph.graph("GET", job_path).json()["schedule"]["state"] == "Active"
    assert [a["action"] for a in graph.actions() if job_path.endswith(a["jobId"])] == [
        "start",
        "pause",
        "start",
    ]


def test_delete_removes_the_job(graph: FakeGraphProcess, sp_id: str) -> None:
    job_path = f"/servicePrincipals/{sp_id}/synchronization/jobs/{create_job(graph, sp_id)['id']}"
    assert graph.graph("DELETE", job_path).status_code == 204
    gone = graph.graph("GET", job_path)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "Request_ResourceNotFound"
    assert graph.graph("DELETE", job_path).status_code == 404
    assert graph.graph("POST", f"{job_path}/start").status_code == 404


def test_a_job_needs_an_existing_service_principal_and_a_template(
    graph: FakeGraphProcess, sp_id: str
) -> None:
    missing = "0badc0de-0000-4000-8000-000000000000"
    response = graph.graph(
        "POST", f"/servicePrincipals/{missing}/synchronization/jobs", {"templateId": "scim"}
    )
    assert response.status_code == 404
    no_template = graph.graph("POST", f"/servicePrincipals/{sp_id}/synchronization/jobs", {})
    assert no_template.status_code == 400


def test_upper_case_service_principal_ids_find_the_same_job(
    graph: FakeGraphProcess, sp_id: str
) -> None:
    job = create_job(graph, sp_id.upper())
    read = graph.graph("GET", f"/servicePrincipals/{sp_id}/synchronization/jobs/{job['id']}")
    assert read.status_code == 200
