"""The fake Graph's provisioning secrets, as pulumi-azuread's SynchronizationSecret writes, reads
and deletes them."""

from collections.abc import Iterator

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess(extra_args=["--replication-lag", "0"]) as process:
        yield process


@pytest.fixture
def secrets_path(graph: FakeGraphProcess) -> str:
    created = graph.graph(
        "POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {"displayName": "Secrets app"}
    )
    return f"/servicePrincipals/{created.json()['servicePrincipal']['id']}/synchronization/secrets"


def put(graph: FakeGraphProcess, path: str, **pairs: str) -> None:
    body = {"value": [{"key": key, "value": value} for key, value in pairs.items()]}
    assert graph.graph("PUT", path, body).status_code == 204


def listed(graph: FakeGraphProcess, path: str) -> dict[str, str]:
    response = graph.graph("GET", path)
    assert response.status_code == 200
    return {pair["key"]: pair["value"] for pair in response.json()["value"]}


def test_the_token_reads_back_masked_and_the_tenant_url_in_clear(
    graph: FakeGraphProcess, secrets_path: str
) -> None:
    put(graph, secrets_path, BaseAddress="https://tenant.example/scim", SecretToken="tok-123")
    assert listed(graph, secrets_path) == {
        "BaseAddress": "https://tenant.example/scim",
        "SecretToken": "*",
    }
    assert "tok-123" not in graph.graph("GET", secrets_path).text


def test_a_put_merges_keys_and_keeps_those_not_sent(
    graph: FakeGraphProcess, secrets_path: str
) -> None:
    put(
        graph,
        secrets_path,
        BaseAddress="https://a.example/scim",
        SecretToken="one",
        SyncAll="false",
    )
    put(graph, secrets_path, BaseAddress="https://b.example/scim", SecretToken="two")
    assert listed(graph, secrets_path) == {
        "BaseAddress": "https://b.example/scim",
        "SecretToken": "*",
        "SyncAll": "false",
    }


def test_empty_values_remove_the_keys_as_the_upstream_delete_expects(
    graph: FakeGraphProcess, secrets_path: str
) -> None:
    put(
        graph, secrets_path, BaseAddress="https://a.example/scim", SecretToken="one", SyncAll="true"
    )
    put(graph, secrets_path, BaseAddress="", SecretToken="")
    assert listed(graph, secrets_path) == {"SyncAll": "true"}


def test_a_service_principal_without_secrets_lists_none(
    graph: FakeGraphProcess, secrets_path: str
) -> None:
    assert listed(graph, secrets_path) == {}


def test_a_bad_body_is_refused(graph: FakeGraphProcess, secrets_path: str) -> None:
    response = graph.graph("PUT", secrets_path, {"value": "not a list"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"
