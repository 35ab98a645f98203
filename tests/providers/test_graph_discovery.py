"""GraphClient's reads for `scim-setup adopt` against the fake Graph (real HTTPS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.graph.client import GraphClient, GraphError
from providers.graph.connection import GraphConnection
from scim_setup.emulator.graph_process import FakeGraphProcess

SP_ID = "44444444-4444-4444-8444-444444444444"
APP_ID = "55555555-5555-4555-8555-555555555555"
APPLICATION_ID = "66666666-6666-4666-8666-666666666666"
GROUP = "aaaaaaaa-0000-4000-8000-00000000000a"
USER = "bbbbbbbb-0000-4000-8000-00000000000b"
USER_ROLE = "18d14569-c3bd-439b-9a66-3a2aee01d14f"
JOB = f"scim.0123456789abcdef0123456789abcdef.{SP_ID}"
NAME = "Dashboard SCIM (Tom's)"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess() as process:
        process.add_service_principal(SP_ID, APP_ID, NAME, APPLICATION_ID)
        process.add_job(SP_ID, JOB, "Paused")
        yield process


@pytest.fixture
def client(graph: FakeGraphProcess, monkeypatch: pytest.MonkeyPatch) -> GraphClient:
    for name, value in graph.environment().items():
        monkeypatch.setenv(name, value)
    return GraphConnection.from_config({}).client()


@pytest.mark.parametrize(
    "lookup", [{"object_id": SP_ID}, {"client_id": APP_ID}, {"display_name": NAME}]
)
def test_service_principal_is_found_by_each_lookup(client, lookup):
    found = client.service_principal(**lookup)

    assert (found.id, found.app_id, found.display_name) == (SP_ID, APP_ID, NAME)


def test_unknown_app_is_a_one_line_error_naming_the_fix(client):
    with pytest.raises(GraphError) as error:
        client.service_principal(display_name="No such app")

    assert "0 enterprise applications have displayName 'No such app'" in str(error.value)
    assert "entra:application.objectId" in str(error.value)


def test_application_object_id_is_read_by_client_id(client):
    assert client.application_object_id(APP_ID) == APPLICATION_ID
    assert client.application_object_id(USER) is None


def test_jobs_are_listed_with_template_and_schedule_state(client):
    (job,) = client.synchronization_jobs(SP_ID)

    assert (job.id, job.template_id, job.schedule_state) == (JOB, "scim", "Disabled")


def test_assignments_name_each_principal_and_role(client, graph):
    group = graph.assign(SP_ID, GROUP, USER_ROLE)
    graph.assign(SP_ID, USER, USER_ROLE, principal_type="User")

    found = {a.principal_id: a for a in client.app_role_assignments(SP_ID)}

    assert found[GROUP].id == group["id"]
    assert (found[GROUP].principal_type, found[GROUP].app_role_id) == ("Group", USER_ROLE)
    assert found[USER].principal_type == "User"


def test_saved_secrets_are_read_by_key_with_the_token_masked(client, graph):
    """Graph lists every saved key and masks the token as `*` (upstream
    `flattenSynchronizationSecretKeyStringValuePair` relies on it); the real token never
    reaches `scim-setup adopt`."""
    graph.overwrite_secrets(
        SP_ID,
        {
            "BaseAddress": "https://dash.example.com/scim/v2",
            "SecretToken": "tok-123",
            "SyncAll": "true",
        },
    )

    assert client.synchronization_secrets(SP_ID) == {
        "BaseAddress": "https://dash.example.com/scim/v2",
        "SecretToken": "*",
        "SyncAll": "true",
    }
