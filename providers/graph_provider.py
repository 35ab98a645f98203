"""The part the Graph dynamic providers share: the azuread credentials via `configure()`.

As with the Dashboard providers, credentials never reach the serialized provider in state:
`configure()` reads them, `__getstate__` drops them.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider

from providers.dashboard_provider import is_known
from providers.error_reporting import report_dashboard_errors_in_one_line
from providers.graph_client import GraphClient, job_path_problem
from providers.graph_connection import GraphConnection

_NOT_CONFIGURED = GraphConnection()


class GraphProvider(ResourceProvider):
    _connection: GraphConnection | None = None
    _client: GraphClient | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def configure(self, req: ConfigureRequest) -> None:
        report_dashboard_errors_in_one_line()
        self._connection = GraphConnection.from_config(req.config)
        self._client = None

    def client(self) -> GraphClient:
        if self._client is None:
            self._client = (self._connection or _NOT_CONFIGURED).client()
        return self._client

    def input_failures(self, news: dict[str, Any]) -> list[CheckFailure]:
        """Credential problems and a malformed job id, reported before any call is made."""
        problems = (self._connection or _NOT_CONFIGURED).problems()
        failures = [CheckFailure("azuread", problem) for problem in problems]
        job_id = news.get("job_id")
        problem = job_path_problem(job_id) if isinstance(job_id, str) and is_known(job_id) else None
        if problem:
            failures.append(CheckFailure("job_id", problem))
        return failures
