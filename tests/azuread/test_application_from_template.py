"""ApplicationFromTemplate as upstream's application_from_template_resource.go does it, over the
stand-in's gRPC server against the fake Graph."""

from __future__ import annotations

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.azuread.conftest import NON_GALLERY, calls
from tests.support.azuread_plugin import PluginError, StandInPlugin

APP = "azuread:index/applicationFromTemplate:ApplicationFromTemplate"


def test_create_instantiates_and_waits_for_the_application_not_the_service_principal(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    graph.set_replication_lag(30)
    try:
        before = len(graph.requests())
        app_id, outputs = plugin.create(APP, {"displayName": "Lagging", "templateId": NON_GALLERY})
    finally:
        graph.set_replication_lag(0)

    made = calls(graph, before)
    app = outputs["applicationObjectId"]
    sp = outputs["servicePrincipalObjectId"]
    assert made[0] == ("POST", f"/v1.0/applicationTemplates/{NON_GALLERY}/instantiate", 201)
    assert made[1:] == [("GET", f"/v1.0/applications/{app}", 200)] * 6  # wait 5, then read
    assert app_id == f"/applicationTemplates/{NON_GALLERY}/instantiate/{app}/{sp}"
    assert outputs["applicationId"] == f"/applications/{app}"
    assert outputs["servicePrincipalId"] == f"/servicePrincipals/{sp}"
    assert graph.graph("GET", f"/servicePrincipals/{sp}").status_code == 404  # still lagging


def test_a_new_display_name_is_patched_and_a_new_template_replaces(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    inputs = {"displayName": "Before", "templateId": NON_GALLERY}
    app_id, state = plugin.create(APP, inputs)

    renamed = {**inputs, "displayName": "After"}
    diff = plugin.diff(APP, state, renamed)
    updated = plugin.update(APP, app_id, state, renamed)

    assert (list(diff.diffs), list(diff.replaces)) == (["displayName"], [])
    assert updated["displayName"] == "After"
    other = {**inputs, "templateId": "4602d0b4-76bb-404b-bca9-2652e1a39c6d"}
    assert list(plugin.diff(APP, state, other).replaces) == ["templateId"]


def test_delete_removes_the_application_and_read_then_finds_it_gone(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    app_id, state = plugin.create(APP, {"displayName": "Gone", "templateId": NON_GALLERY})

    plugin.delete(APP, app_id, state)

    assert plugin.read(APP, app_id, state)[0] == ""


@pytest.mark.parametrize(
    "bad_id",
    [
        f"/applicationTemplates/{NON_GALLERY}/instantiate/not-a-uuid/{NON_GALLERY}",
        f"/applicationTemplates/{NON_GALLERY}/{NON_GALLERY}/{NON_GALLERY}",
    ],
)
def test_import_refuses_ids_upstream_cannot_parse(plugin: StandInPlugin, bad_id: str) -> None:
    with pytest.raises(PluginError) as failed:
        plugin.read(APP, bad_id)
    assert f"parsing {bad_id!r}" in str(failed.value)
