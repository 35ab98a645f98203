"""A fake Graph and a started stand-in plugin signed in to it, per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.support.azuread_plugin import StandInPlugin

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
USER_ROLE_ID = "18d14569-c3bd-439b-9a66-3a2aee01d14f"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess(extra_args=["--replication-lag", "0"]) as process:
        yield process


@pytest.fixture(scope="module")
def plugin(
    graph: FakeGraphProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StandInPlugin]:
    log = tmp_path_factory.mktemp("azuread") / "plugin.log"
    with StandInPlugin(graph.environment(), log) as started:
        started.configure()
        yield started


def new_app(graph: FakeGraphProcess, name: str = "Stand-in app") -> dict[str, str]:
    """A non-gallery app made in Graph: its application and service principal object ids."""
    made = graph.graph(
        "POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {"displayName": name}
    ).json()
    return {
        "application": made["application"]["id"],
        "client": made["application"]["appId"],
        "sp": made["servicePrincipal"]["id"],
    }


def calls(graph: FakeGraphProcess, since: int = 0) -> list[tuple[str, str, int]]:
    """(method, path, status) of every Graph API call after the first `since` requests (sign-ins
    left out)."""
    return [
        (r["method"], r["path"], r["status"])
        for r in graph.requests()[since:]
        if r["path"].startswith(("/v1.0/", "/beta/"))
    ]
