"""Upstream's timeouts and waits, scaled by one environment variable for tests.

`SCIM_SETUP_AZUREAD_TIME_SCALE` (default 1) multiplies every duration the stand-in waits or
allows: the resource timeouts, the polling intervals of `waits`, the retry backoff. `0.01` turns
terraform-provider-azuread's 5-minute secret timeout into 3 s and its 5-second poll into 50 ms;
what is polled, how often in a row and in which order stays the same.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

TIME_SCALE_ENV = "SCIM_SETUP_AZUREAD_TIME_SCALE"


def time_scale(environ: Mapping[str, str] | None = None) -> float:
    raw = (os.environ if environ is None else environ).get(TIME_SCALE_ENV, "")
    try:
        scale = float(raw) if raw else 1.0
    except ValueError:
        raise ValueError(
            f"{TIME_SCALE_ENV}={raw!r} is not a number; unset it or give e.g. 0.01"
        ) from None
    if scale <= 0:
        raise ValueError(f"{TIME_SCALE_ENV}={raw!r} must be above 0")
    return scale


@dataclass(frozen=True)
class Clock:
    """Durations in upstream's seconds; `scale` shrinks them all (see the module docstring)."""

    scale: float = 1.0
    now: Callable[[], float] = time.monotonic
    sleep_for: Callable[[float], None] = time.sleep

    @classmethod
    def from_environment(cls) -> Clock:
        return cls(time_scale())

    def deadline(self, upstream_timeout_s: float, requested_s: float = 0.0) -> float:
        """When an operation must end: the engine's `customTimeouts` value if one was given
        (taken as is), else upstream's default timeout, scaled."""
        allowed = requested_s if requested_s > 0 else upstream_timeout_s * self.scale
        return self.now() + allowed

    def sleep(self, upstream_s: float) -> None:
        self.sleep_for(upstream_s * self.scale)

    def remaining(self, deadline: float) -> float:
        return deadline - self.now()
