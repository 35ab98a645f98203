"""The part every Dashboard dynamic provider shares: credentials via `configure()`, input checks.

The engine serializes the provider object into state (`__provider`) when a resource is constructed
and unpickles it in the provider process. Credentials must therefore arrive only through
`configure()`, and `__getstate__` drops them in case a configured provider is ever pickled.
"""

from __future__ import annotations

import math
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from providers.dashboard_client import DashboardClient, DashboardOwnershipError, ScimSettingsState
from providers.dashboard_connection import DashboardConnection
from providers.error_reporting import report_dashboard_errors_in_one_line
from providers.exit_gc import freeze_long_lived_objects, in_provider_host

OWNER_PREFIX = "pulumi:"
ADOPT_KEY = "scim:adopt"


class DashboardProvider(ResourceProvider):
    _connection: DashboardConnection | None = None
    _client: DashboardClient | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def configure(self, req: ConfigureRequest) -> None:
        report_dashboard_errors_in_one_line()
        self._connection = DashboardConnection.from_config(req.config)
        self._client = None

    def client(self) -> DashboardClient:
        if self._client is None:
            self._client = (self._connection or DashboardConnection(None, None)).client()
            if in_provider_host():  # the first client imported `requests`: all is loaded
                freeze_long_lived_objects()
        return self._client

    def connection_failures(self) -> list[CheckFailure]:
        """Config problems reported from `check()`, so `preview` fails before any call is made."""
        connection = self._connection or DashboardConnection(None, None)
        return [CheckFailure(key, reason) for key, reason in connection.problems().items()]


def is_known(value: Any) -> bool:
    """False for a value not known yet (during preview).

    `check()` receives the engine's UNKNOWN sentinel string, `diff()` an `Unknown` object.
    """
    return not isinstance(value, Unknown) and value != UNKNOWN


def whole_number(value: Any) -> int | None:
    """`value` as an int when it is a whole number (the engine sends numbers as floats)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value)


def stack_owner() -> str:
    """This stack's mark on what it manages: `pulumi:<org>/<project>/<stack>` (no secret)."""
    organization = pulumi.get_organization() or "organization"
    return f"{OWNER_PREFIX}{organization}/{pulumi.get_project()}/{pulumi.get_stack()}"


def other_owner(state: ScimSettingsState, owner: str) -> str | None:
    """Another stack marked as managing this Dashboard's SCIM settings or token, or None.

    Unmarked settings and tokens (set up by hand in the UI) belong to no stack: they are drift this
    stack repairs. A mark of another stack means two stacks would flip each other on every run.
    """
    token_label = None if state.token is None else state.token.label
    for mark in (state.owner, token_label):
        if mark and mark.startswith(OWNER_PREFIX) and mark != owner:
            return mark
    return None


def ensure_owned(state: ScimSettingsState, props: dict[str, Any], what: str) -> None:
    """Fail, naming the other stack and the ways out, unless `adopt` takes the Dashboard over."""
    owner = str(props.get("owner") or "")
    other = other_owner(state, owner)
    if other is None or props.get("adopt"):
        return
    raise DashboardOwnershipError(
        f"The Dashboard's SCIM {what} is managed by another stack, {other}; this stack is "
        f"{owner}. Two stacks would overwrite each other on every run. Destroy it there (or "
        f"remove SCIM from that stack), or take it over here with "
        f"`pulumi config set {ADOPT_KEY} true` for one `pulumi up`."
    )
