"""Providers configured exactly as the engine configures them, against the running emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from providers.configured_provider import ConfiguredProvider
from scim_setup.emulator.graph_process import FakeGraphProcess

PROJECT = "scim-setup"

P = TypeVar("P", bound=ConfiguredProvider)


def configure(provider: P, config: dict[str, Any]) -> P:
    provider.configure(ConfigureRequest(Config(config, PROJECT)))
    return provider


@pytest.fixture
def configured(emulator: Any) -> Callable[[P], P]:
    """Configure a provider with the emulator's URL and admin token, as stack config would."""
    config = {"dashboard:url": emulator.url, "dashboard:apiToken": emulator.admin_token}
    return lambda provider: configure(provider, config)


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    """A fake Graph per module; it must stop cleanly although the clients keep connections open.
    A module that needs Entra objects before its tests defines its own `graph`."""
    with FakeGraphProcess() as process:
        yield process
        assert process.stop() == 0, "the fake Graph did not stop on SIGTERM"


@pytest.fixture
def graph_env(graph: FakeGraphProcess, monkeypatch: pytest.MonkeyPatch) -> FakeGraphProcess:
    """Point this process at the fake: Graph URL, sign-in host, CA bundle; no ARM_* credentials
    (the providers get theirs from the `azuread:*` config their test passes)."""
    for name, value in graph.environment().items():
        if name.startswith("ARM_"):
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return graph
