"""SynchronizationJob as upstream's synchronization_job_resource.go does it, over the stand-in's
gRPC server against the fake Graph."""

from __future__ import annotations

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.azuread.conftest import calls, new_app
from tests.support.azuread_plugin import PluginError, StandInPlugin

JOB = "azuread:index/synchronizationJob:SynchronizationJob"


def job_inputs(sp: str, enabled: bool = True) -> dict[str, object]:
    return {
        "servicePrincipalId": f"/servicePrincipals/{sp}",
        "templateId": "scim",
        "enabled": enabled,
    }


def test_create_posts_the_job_waits_until_it_reads_back_and_starts_it(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    before = len(graph.requests())
    job_id, outputs = plugin.create(JOB, job_inputs(sp))

    made = calls(graph, before)
    assert made[0] == ("GET", f"/v1.0/servicePrincipals/{sp}", 200)
    assert made[1] == ("POST", f"/v1.0/servicePrincipals/{sp}/synchronization/jobs", 201)
    job_path = f"/v1.0{job_id}"
    assert made[2:7] == [("GET", job_path, 200)] * 5  # consistency.WaitForUpdate: 5 in a row
    assert made[7] == ("POST", f"{job_path}/start", 204)
    assert job_id.startswith(f"/servicePrincipals/{sp}/synchronization/jobs/scim.")
    assert outputs["enabled"] is True
    assert outputs["templateId"] == "scim"
    assert outputs["servicePrincipalId"] == f"/servicePrincipals/{sp}"
    assert outputs["schedules"][0]["state"] == "Active"


def test_a_job_created_disabled_is_not_started(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    job_id, outputs = plugin.create(JOB, job_inputs(sp, enabled=False))

    assert outputs["enabled"] is False
    assert outputs["schedules"][0]["state"] == "Disabled"
    assert not [a for a in graph.actions() if a["jobId"] == job_id.rsplit("/", 1)[1]]


def test_create_for_a_missing_service_principal_fails_naming_it(plugin: StandInPlugin) -> None:
    missing = "00000000-1111-2222-3333-444444444444"
    with pytest.raises(PluginError) as failed:
        plugin.create(JOB, job_inputs(missing))
    assert str(failed.value) == f"service_principal_id: /servicePrincipals/{missing} was not found"


def test_a_change_of_enabled_pauses_or_starts_the_job(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    job_id, state = plugin.create(JOB, job_inputs(sp))
    raw_id = job_id.rsplit("/", 1)[1]

    paused = plugin.update(JOB, job_id, state, job_inputs(sp, enabled=False))
    started = plugin.update(JOB, job_id, paused, job_inputs(sp, enabled=True))

    actions = [a["action"] for a in graph.actions() if a["jobId"] == raw_id]
    assert actions == ["start", "pause", "start"]
    assert (paused["enabled"], started["enabled"]) == (False, True)


def test_service_principal_and_template_force_replacement_enabled_does_not(
    plugin: StandInPlugin,
) -> None:
    state = job_inputs("11111111-1111-1111-1111-111111111111")
    other_sp = {
        **state,
        "servicePrincipalId": "/servicePrincipals/22222222-2222-2222-2222-222222222222",
    }

    assert list(plugin.diff(JOB, state, other_sp).replaces) == ["servicePrincipalId"]
    assert list(plugin.diff(JOB, state, {**state, "templateId": "other"}).replaces) == [
        "templateId"
    ]
    toggled = plugin.diff(JOB, state, {**state, "enabled": False})
    assert (list(toggled.diffs), list(toggled.replaces)) == (["enabled"], [])
    assert list(plugin.diff(JOB, state, dict(state)).diffs) == []


def test_read_reports_enabled_as_the_schedule_being_active(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    job_id, state = plugin.create(JOB, job_inputs(sp))
    graph.add_job(sp, job_id.rsplit("/", 1)[1], state="Paused", schedule="Paused")

    _, outputs, inputs = plugin.read(JOB, job_id, state)

    assert outputs["enabled"] is False
    assert inputs == {**job_inputs(sp, enabled=False)}


def test_delete_waits_until_the_job_reads_404_five_times_and_read_then_finds_it_gone(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    job_id, state = plugin.create(JOB, job_inputs(sp))
    before = len(graph.requests())

    plugin.delete(JOB, job_id, state)

    assert (
        calls(graph, before)
        == [("DELETE", f"/v1.0{job_id}", 204)] + [("GET", f"/v1.0{job_id}", 404)] * 5
    )
    assert plugin.read(JOB, job_id, state)[0] == ""


def test_import_reads_the_job_by_upstreams_id_and_reports_its_inputs(
    graph: FakeGraphProcess, plugin: StandInPlugin
) -> None:
    sp = new_app(graph)["sp"]
    job_id, _ = plugin.create(JOB, job_inputs(sp))

    found_id, outputs, inputs = plugin.read(JOB, job_id)

    assert found_id == job_id
    assert inputs == job_inputs(sp)
    assert outputs["schedules"][0]["interval"] == "PT40M"


@pytest.mark.parametrize(
    "bad_id",
    [
        "11111111-1111-1111-1111-111111111111/job/scim.1",
        "/servicePrincipals/11111111-1111-1111-1111-111111111111/synchronization/jobs",
        "/ServicePrincipals/11111111-1111-1111-1111-111111111111/synchronization/jobs/scim.1",
    ],
)
def test_import_refuses_ids_upstream_cannot_parse(plugin: StandInPlugin, bad_id: str) -> None:
    with pytest.raises(PluginError) as failed:
        plugin.read(JOB, bad_id)
    assert f"parsing {bad_id!r}" in str(failed.value)
    assert "\n" not in str(failed.value)
