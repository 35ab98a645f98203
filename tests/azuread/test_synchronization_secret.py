"""SynchronizationSecret as upstream's synchronization_secret_resource.go does it, over the
stand-in's gRPC server against the fake Graph.

PYTEST_DONT_REWRITE: the module handles tokens; a failing assertion must not print one.
"""

from __future__ import annotations

import pytest

from scim_setup.emulator.azuread.wire import Secret, reveal
from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.azuread.conftest import calls, new_app
from tests.support.azuread_plugin import PluginError, StandInPlugin

SECRET = "azuread:index/synchronizationSecret:SynchronizationSecret"
TOKEN = "tok-standin-0123456789"


def secret_inputs(sp: str, token: str = TOKEN, **more: str) -> dict[str, object]:
    pairs: list[dict[str, object]] = [
        {"key": "BaseAddress", "value": "https://tenant.example/scim"}
    ]
    pairs.append({"key": "SecretToken", "value": Secret(token)})
    pairs.extend({"key": key, "value": value} for key, value in more.items())
    return {"servicePrincipalId": f"/servicePrincipals/{sp}", "credentials": pairs}


def saved(graph: FakeGraphProcess, sp: str) -> list[str]:
    path = f"/servicePrincipals/{sp}/synchronization/secrets"
    return [pair["key"] for pair in graph.graph("GET", path).json()["value"]]


def test_create_puts_the_keys_and_waits_for_as_many_keys_five_reads_in_a_row(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    before = len(graph.requests())

    secret_id, _ = plugin.create(SECRET, secret_inputs(sp, SyncAll="false"))

    path = f"/v1.0/servicePrincipals/{sp}/synchronization/secrets"
    assert calls(graph, before) == [("PUT", path, 204)] + [("GET", path, 200)] * 6
    assert secret_id == f"/servicePrincipals/{sp}"
    assert saved(graph, sp) == ["BaseAddress", "SecretToken", "SyncAll"]


def test_credential_values_are_secret_in_state_and_the_masked_token_keeps_its_value(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    _, outputs = plugin.create(SECRET, secret_inputs(sp))

    assert all(isinstance(pair["value"], Secret) for pair in outputs["credentials"])
    assert reveal(outputs["credentials"])[1] == {"key": "SecretToken", "value": TOKEN}


def test_read_keeps_the_state_token_over_graphs_mask_and_stores_keys_saved_elsewhere(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    secret_id, state = plugin.create(SECRET, secret_inputs(sp))
    graph.overwrite_secrets(
        sp,
        {"BaseAddress": "https://tenant.example/scim", "SecretToken": "pasted", "SyncAll": "true"},
    )

    _, outputs, inputs = plugin.read(SECRET, secret_id, state)

    assert reveal(outputs["credentials"]) == [
        {"key": "BaseAddress", "value": "https://tenant.example/scim"},
        {"key": "SecretToken", "value": TOKEN},  # the portal's paste is invisible to refresh
        {"key": "SyncAll", "value": "true"},
    ]
    assert inputs["credentials"] == outputs["credentials"]


def test_import_without_state_keeps_the_mask_so_it_cannot_match_the_program(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    secret_id, _ = plugin.create(SECRET, secret_inputs(sp))

    found_id, _, inputs = plugin.read(SECRET, secret_id)

    assert found_id == secret_id
    assert reveal(inputs["credentials"])[1] == {"key": "SecretToken", "value": "*"}
    assert list(plugin.diff(SECRET, inputs, secret_inputs(sp)).diffs) == ["credentials"]


def test_update_puts_again_and_never_ends_while_graph_holds_more_keys(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    secret_id, state = plugin.create(SECRET, secret_inputs(sp, SyncAll="false"))

    with pytest.raises(PluginError) as failed:
        plugin.update(SECRET, secret_id, state, secret_inputs(sp))

    message = str(failed.value)
    assert message.startswith(f"Waiting for synchronization secrets for /servicePrincipals/{sp}:")
    assert "timeout while waiting for state to become 'Done' (last state: 'Waiting'" in message
    assert TOKEN not in message


def test_diff_replaces_for_another_service_principal_and_updates_for_new_credentials(
    plugin: StandInPlugin,
) -> None:
    state = secret_inputs("11111111-1111-1111-1111-111111111111")
    moved = {
        **state,
        "servicePrincipalId": "/servicePrincipals/22222222-2222-2222-2222-222222222222",
    }

    assert list(plugin.diff(SECRET, state, moved).replaces) == ["servicePrincipalId"]
    rotated = plugin.diff(
        SECRET, state, secret_inputs("11111111-1111-1111-1111-111111111111", "new")
    )
    assert (list(rotated.diffs), list(rotated.replaces)) == (["credentials"], [])


def test_delete_writes_the_keys_back_empty_and_waits_until_none_is_listed(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    secret_id, state = plugin.create(SECRET, secret_inputs(sp))
    before = len(graph.requests())

    plugin.delete(SECRET, secret_id, state)

    path = f"/v1.0/servicePrincipals/{sp}/synchronization/secrets"
    assert calls(graph, before) == [("PUT", path, 204)] + [("GET", path, 200)] * 5
    assert saved(graph, sp) == []


def test_the_token_never_reaches_the_plugins_log(plugin: StandInPlugin) -> None:
    assert TOKEN not in plugin.stderr()
