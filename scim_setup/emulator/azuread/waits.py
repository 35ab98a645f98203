"""terraform-provider-azuread's consistency waits (`internal/helpers/consistency/consistency.go`:
`WaitForUpdate`, `WaitForDeletion`), on the plugin SDK's `StateChangeConf.WaitForStateContext`
(`helper/retry/state.go`, vendored upstream).

Both poll until the condition holds on `CONTINUOUS_TARGET_OCCURRENCE` (5) reads in a row. The
first read is immediate; then the wait starts at 0.1 s, doubles after every read that missed
(not while the condition keeps holding), and is kept between `MIN_TIMEOUT_S` (5 s) and 10 s. A
failed read ends the wait at once; so does the operation's deadline, with upstream's timeout
error. All durations go through `timing.Clock`, so tests can scale them down.
"""

from __future__ import annotations

from collections.abc import Callable

from scim_setup.emulator.azuread.errors import ProviderError
from scim_setup.emulator.azuread.timing import Clock

CONTINUOUS_TARGET_OCCURRENCE = 5
MIN_TIMEOUT_S = 5.0
MAX_WAIT_S = 10.0
FIRST_WAIT_S = 0.1


class WaitTimeout(ProviderError):
    """The condition did not hold 5 reads in a row before the deadline."""


def wait_for_update(clock: Clock, deadline: float, updated: Callable[[], bool]) -> None:
    """`consistency.WaitForUpdate`: until `updated()` is True 5 reads in a row."""
    _wait(clock, deadline, updated, target="Done", pending="Waiting")


def wait_for_deletion(clock: Clock, deadline: float, exists: Callable[[], bool]) -> None:
    """`consistency.WaitForDeletion`: until `exists()` is False 5 reads in a row."""
    _wait(clock, deadline, lambda: not exists(), target="Deleted", pending="Waiting")


def _wait(
    clock: Clock, deadline: float, reached: Callable[[], bool], target: str, pending: str
) -> None:
    started = clock.now()
    wait = 0.0
    in_a_row = 0
    state = ""
    while True:
        if wait and clock.now() + wait * clock.scale > deadline:
            raise WaitTimeout(_timeout_message(target, state, deadline - started))
        clock.sleep(wait)
        if wait == 0:
            wait = FIRST_WAIT_S
        if reached():
            state = target
            in_a_row += 1
            if in_a_row == CONTINUOUS_TARGET_OCCURRENCE:
                return
        else:
            state = pending
            in_a_row = 0
            wait *= 2
        wait = min(max(wait, MIN_TIMEOUT_S), MAX_WAIT_S)


def _timeout_message(target: str, last_state: str, timeout_s: float) -> str:
    """`retry.TimeoutError.Error()`: what was awaited, the last state, the timeout."""
    extra = [f"last state: '{last_state}'"] if last_state else []
    extra.append(f"timeout: {timeout_s:.3g}s")
    return f"timeout while waiting for state to become '{target}' ({', '.join(extra)})"
