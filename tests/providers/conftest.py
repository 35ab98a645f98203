"""Providers configured exactly as the engine configures them, against the running emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from providers.configured_provider import ConfiguredProvider

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
