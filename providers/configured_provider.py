"""The base of every dynamic provider here: credentials through `configure()`, never through state.

The engine serializes the provider object into state (`__provider`) when a resource is constructed
and unpickles it in the provider process, which then calls `configure()` with the stack config.
So a provider reads its credentials (who calls where: the Dashboard's URL and admin token, or the
Graph identity and cloud) there, builds its HTTP client on first use, and pickles as an empty
object.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import pulumi
from pulumi.dynamic import CheckFailure, Config, ConfigureRequest, ResourceProvider

from providers.error_reporting import report_errors_in_one_line
from providers.http_transport import REAL_CLOCK, Clock

ClientT = TypeVar("ClientT")
ClientT_co = TypeVar("ClientT_co", covariant=True)


ConfigSource = Mapping[str, Any] | Config
"""The dynamic provider's `Config` (from `configure()`), or a plain mapping in tests."""


class Credentials(Protocol[ClientT_co]):
    """Who a provider calls as, and where: credentials and their endpoint (from stack config)."""

    @classmethod
    def from_config(cls, config: ConfigSource, environ: Mapping[str, str] | None = None) -> Self:
        """From stack config, else the environment (`environ`, default `os.environ`)."""
        ...

    def problems(self) -> dict[str, str]:
        """Config key → what is wrong with it and how to fix it."""
        ...

    def client(self, clock: Clock = REAL_CLOCK) -> ClientT_co:
        """The HTTP client; `clock` is its transport's time."""
        ...


CredentialsT = TypeVar("CredentialsT", bound=Credentials[Any])


class ConfiguredProvider(ResourceProvider, Generic[CredentialsT, ClientT]):
    """`clock`: the time of the provider's HTTP client; only tests pass one (it is not pickled:
    the provider the engine unpickles has the real clock)."""

    credentials_type: ClassVar[type[Credentials[Any]]]
    clock: Clock = REAL_CLOCK
    _credentials: CredentialsT | None = None
    _client: ClientT | None = None

    def __init__(self, clock: Clock = REAL_CLOCK) -> None:
        super().__init__()
        self.clock = clock

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def configure(self, req: ConfigureRequest) -> None:
        report_errors_in_one_line()
        self._credentials = self.credentials_type.from_config(req.config)  # type: ignore[assignment]
        self._client = None

    def credentials(self) -> CredentialsT:
        """The configured credentials; unconfigured (every key missing) before `configure()`."""
        if self._credentials is None:
            return self.credentials_type.from_config({}, {})  # type: ignore[return-value,call-arg]
        return self._credentials

    def client(self) -> ClientT:
        client = self._client
        if client is None:
            client = self._client = self.credentials().client(self.clock)
        return client

    def config_failures(self) -> list[CheckFailure]:
        """Config problems reported from `check()`, so `preview` fails before any call is made."""
        return [CheckFailure(key, reason) for key, reason in self.credentials().problems().items()]


def is_known(value: Any) -> bool:
    """False for a value not known yet (during preview), or a list or map holding one.

    The SDK hands `check()` and `diff()` an unknown as `pulumi.UNKNOWN` (its dynamic provider
    server deserializes their inputs with `keep_unknowns`), as it does an `apply` that runs
    with unknowns; `pulumi.contains_unknowns` finds it, nested or not.
    """
    return not pulumi.contains_unknowns(value)


def whole_number(value: Any) -> int | None:
    """`value` as an int when it is a whole number (the engine sends numbers as floats)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value)
