"""The stand-in's Graph calls: signed in as this package's Graph client is (`providers.graph`:
`azuread:*` provider config, then `ARM_*`, `SCIM_SETUP_GRAPH_URL`, `AZURE_AUTHORITY_HOST`), with
the retry rules upstream gives individual calls.

`GraphClient.request` already retries throttling (429, 503, 504) and lost answers. On top, a call
may name the failures upstream retries until the operation's deadline: go-azure-sdk's
`RetryFunc`s, e.g. `synchronizationRetryFunc` (409 and 403) in
`internal/services/synchronization/synchronization.go`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from providers.graph.client import GraphClient, GraphError
from providers.graph.connection import GraphConnection
from scim_setup.emulator.azuread.timing import Clock

RetryIf = Callable[[GraphError], bool]
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 10.0


def synchronization_retry(error: GraphError) -> bool:
    """`synchronizationRetryFunc`: Graph's 409 and 403 right after a write are retried."""
    return error.status in (409, 403)


def was_not_found(error: GraphError) -> bool:
    """`response.WasNotFound`."""
    return error.status == 404


class Graph:
    """Graph for one provider configuration; the client is built on the first call."""

    def __init__(self, config: Mapping[str, Any], clock: Clock) -> None:
        self._connection = GraphConnection.from_config(config)
        self._client: GraphClient | None = None
        self._clock = clock

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("Graph holds credentials and must never be serialized")

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        retry_if: RetryIf | None = None,
        deadline: float | None = None,
        api_version: str = "v1.0",
    ) -> Any:
        """One call; with `retry_if`, the failures it accepts are retried until `deadline`
        (waits of 1, 2, 4, 8, 10, 10… s, scaled)."""
        backoff = FIRST_BACKOFF_S
        while True:
            try:
                return self.client().request(method, path, body, api_version)
            except GraphError as error:
                if retry_if is None or deadline is None or not retry_if(error):
                    raise
                if self._clock.now() + backoff * self._clock.scale > deadline:
                    raise
            self._clock.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def client(self) -> GraphClient:
        if self._client is None:
            self._client = self._connection.client()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
