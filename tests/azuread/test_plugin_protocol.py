"""What the engine asks of the plugin besides resources: its version, configuration, unknown
tokens, and the waits' logic under a scaled clock."""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

import pytest

from scim_setup.emulator.azuread.timing import Clock
from scim_setup.emulator.azuread.waits import WaitTimeout, wait_for_update
from tests.support.azuread_plugin import PluginError, StandInPlugin


def test_the_plugin_reports_the_installed_sdks_plugin_version(plugin: StandInPlugin) -> None:
    spec = find_spec("pulumi_azuread")
    assert spec is not None and spec.submodule_search_locations
    manifest = Path(next(iter(spec.submodule_search_locations))) / "pulumi-plugin.json"
    assert plugin.version() == json.loads(manifest.read_text())["version"]


def test_configure_accepts_secrets_and_does_not_preview_creates(plugin: StandInPlugin) -> None:
    reply = plugin.configure()
    assert (reply.acceptSecrets, reply.supportsPreview) == (True, False)


def test_an_unknown_resource_type_fails_naming_what_is_served(plugin: StandInPlugin) -> None:
    with pytest.raises(PluginError) as failed:
        plugin.check("azuread:index/user:User", {})
    assert "unknown resource type 'azuread:index/user:User'" in str(failed.value)
    assert "azuread:index/synchronizationJob:SynchronizationJob" in str(failed.value)


class FakeTime:
    """A clock whose sleeps only move time on."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def test_a_wait_needs_five_reads_in_a_row_and_starts_over_after_a_miss() -> None:
    time = FakeTime()
    clock = Clock(1.0, time.now, time.sleep)
    answers = iter([True, True, False, True, True, True, True, True])

    wait_for_update(clock, 300.0, lambda: next(answers))

    # first read at once; 5 s between reads (MinTimeout), 10 s after the miss doubled it
    assert time.sleeps == [0.0, 5.0, 5.0, 10.0, 10.0, 10.0, 10.0, 10.0]


def test_a_wait_ends_at_the_deadline_with_upstreams_timeout_error() -> None:
    time = FakeTime()
    clock = Clock(0.01, time.now, time.sleep)

    with pytest.raises(WaitTimeout) as failed:
        wait_for_update(clock, clock.deadline(300.0), lambda: False)

    assert time.t <= 3.0
    assert str(failed.value).startswith(
        "timeout while waiting for state to become 'Done' (last state: 'Waiting'"
    )
