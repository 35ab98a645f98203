"""`ServicePrincipalReady` against the fake Graph: a new app's service principal shows up late.

PYTEST_DONT_REWRITE: these tests hold a client secret; a failing assertion must not print it.

Upstream (terraform-provider-azuread `application_from_template_resource.go`) waits for the
application only; the synchronization secret and job GET the service principal first and fail on
Graph's 404 until it has propagated. The fake Graph answers 404 for a service principal until the
test adds it (`PUT /_fake/servicePrincipals`), here when the client's clock (a
`SteppedClock`, never real time) passes the moment it appears.
"""

from __future__ import annotations

import pytest

from providers.graph.client import GraphError
from providers.graph.service_principal_ready import ServicePrincipalReadyProvider
from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.providers.conftest import configure
from tests.support.clock import SteppedClock
from tests.support.graph_config import azuread_config

_numbers = iter(range(1_000_000))


def provider(
    graph: FakeGraphProcess, clock: SteppedClock | None = None
) -> ServicePrincipalReadyProvider:
    made = (
        ServicePrincipalReadyProvider()
        if clock is None
        else ServicePrincipalReadyProvider(clock.clock)
    )
    return configure(made, azuread_config(graph))


def new_object_id() -> str:
    return f"99999999-9999-4999-8999-{next(_numbers):012d}"


def reads_of(graph: FakeGraphProcess, object_id: str) -> list[int]:
    path = f"/v1.0/servicePrincipals/{object_id}"
    return [r["status"] for r in graph.requests() if r["path"] == path]


def test_create_waits_until_graph_shows_the_new_service_principal(graph_env):
    object_id = new_object_id()
    stepped = SteppedClock()
    stepped.at(
        1.5, lambda: graph_env.add_service_principal(object_id, new_object_id(), "Backup SCIM")
    )

    created = provider(graph_env, stepped).create({"service_principal_id": object_id})

    assert created.id == object_id
    assert created.outs == {"service_principal_id": object_id}
    statuses = reads_of(graph_env, object_id)
    assert statuses[0] == 404 and statuses[-1] == 200
    assert all(r["method"] == "GET" for r in graph_env.requests() if object_id in r["path"])


def test_a_service_principal_that_never_appears_fails_in_one_line(graph_env):
    object_id = new_object_id()

    with pytest.raises(GraphError) as failed:
        provider(graph_env, SteppedClock()).client().wait_for_service_principal(object_id, 20.0)

    message = str(failed.value)
    assert failed.value.status == 404
    assert f"/servicePrincipals/{object_id} still returned 404 after 20 s" in message
    assert "run `pulumi up` again" in message and "\n" not in message
    assert len(reads_of(graph_env, object_id)) >= 2


def test_a_no_op_up_makes_no_call(graph_env):
    object_id = new_object_id()
    control = provider(graph_env)
    before = len(graph_env.requests())

    checked = control.check(
        {"service_principal_id": object_id}, {"service_principal_id": object_id}
    )
    diff = control.diff(object_id, {"service_principal_id": object_id}, checked.inputs)

    assert checked.failures == []
    assert diff.changes is False
    assert control.diff(object_id, checked.inputs, {"service_principal_id": "other"}).replaces == [
        "service_principal_id"
    ]
    assert len(graph_env.requests()) == before


def test_check_refuses_an_id_that_is_not_a_guid(graph_env):
    checked = provider(graph_env).check({}, {"service_principal_id": "Backup SCIM"})

    assert [(f.property, f.reason) for f in checked.failures] == [
        ("service_principal_id", "'Backup SCIM' is not an object id (a GUID)")
    ]
