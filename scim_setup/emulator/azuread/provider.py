"""The stand-in provider without the wire: configuration, the resource types by token and the
functions. `server` turns the engine's RPCs into calls on it; tests may call it directly.

The configuration is pulumi-azuread's (`azuread:clientId`, `azuread:tenantId`, ...), read by
`providers.graph.connection.GraphConnection` as this package's own Graph calls read it, with the
`ARM_*` environment as fallback. It lives in memory only; nothing of it reaches state.
"""

from __future__ import annotations

from typing import Any

from scim_setup.emulator.azuread.app_role_assignment import AppRoleAssignment
from scim_setup.emulator.azuread.application_from_template import ApplicationFromTemplate
from scim_setup.emulator.azuread.errors import ProviderError
from scim_setup.emulator.azuread.functions import FUNCTIONS
from scim_setup.emulator.azuread.graph import Graph
from scim_setup.emulator.azuread.locks import NamedLocks
from scim_setup.emulator.azuread.resource import Resource
from scim_setup.emulator.azuread.synchronization_job import SynchronizationJob
from scim_setup.emulator.azuread.synchronization_secret import SynchronizationSecret
from scim_setup.emulator.azuread.timing import Clock
from scim_setup.emulator.azuread.wire import Properties, reveal

RESOURCE_TYPES: tuple[type[Resource], ...] = (
    ApplicationFromTemplate,
    AppRoleAssignment,
    SynchronizationJob,
    SynchronizationSecret,
)


class AzureadProvider:
    """One configured provider: every resource type and function, on one Graph connection."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or Clock.from_environment()
        self.locks = NamedLocks()
        self.configure({})

    def configure(self, config: Properties) -> None:
        """`config`: the provider's inputs by their names (`clientId`, `tenantId`, ...)."""
        settings = {f"azuread:{key}": _setting(value) for key, value in config.items()}
        self.graph = Graph(settings, self.clock)
        self._resources = {
            kind.token: kind(self.graph, self.clock, self.locks) for kind in RESOURCE_TYPES
        }

    def resource(self, token: str) -> Resource:
        try:
            return self._resources[token]
        except KeyError:
            raise ProviderError(
                f"unknown resource type {token!r}: this azuread stand-in serves "
                f"{', '.join(sorted(self._resources))}"
            ) from None

    def invoke(self, token: str, args: Properties) -> Properties:
        function = FUNCTIONS.get(token)
        if function is None:
            raise ProviderError(
                f"unknown function {token!r}: this azuread stand-in serves "
                f"{', '.join(sorted(FUNCTIONS))}"
            )
        return function(self.graph, reveal(args))


def _setting(value: Any) -> Any:
    value = reveal(value)
    return str(value).lower() if isinstance(value, bool) else value
