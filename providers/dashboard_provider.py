"""The part every Dashboard dynamic provider shares: credentials via `configure()`, input checks.

The engine serializes the provider object into state (`__provider`) when a resource is constructed
and unpickles it in the provider process. Credentials must therefore arrive only through
`configure()`, and `__getstate__` drops them in case a configured provider is ever pickled.
"""

from __future__ import annotations

import math
from typing import Any

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider
from pulumi.runtime.rpc import UNKNOWN

from providers.dashboard_client import DashboardClient
from providers.dashboard_connection import DashboardConnection


class DashboardProvider(ResourceProvider):
    _connection: DashboardConnection | None = None
    _client: DashboardClient | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def configure(self, req: ConfigureRequest) -> None:
        self._connection = DashboardConnection.from_config(req.config)
        self._client = None

    def client(self) -> DashboardClient:
        if self._client is None:
            self._client = (self._connection or DashboardConnection(None, None)).client()
        return self._client

    def connection_failures(self) -> list[CheckFailure]:
        """Config problems reported from `check()`, so `preview` fails before any call is made."""
        connection = self._connection or DashboardConnection(None, None)
        return [CheckFailure(key, reason) for key, reason in connection.problems().items()]


def is_known(value: Any) -> bool:
    """False for the engine's placeholder of a value not known yet (during preview)."""
    return value != UNKNOWN


def whole_number(value: Any) -> int | None:
    """`value` as an int when it is a whole number (the engine sends numbers as floats)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value)
