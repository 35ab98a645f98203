"""Issue 9, item 5: every Dashboard operation ends within `dashboard:timeoutSeconds`.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

A dripping server (one byte a second, so no read ever times out) and a dead port, each behind a
3-second deadline; after each, the stack points at the Dashboard again and one `pulumi up`
converges. The tests share `blue` and run top to bottom, each leaving it converged and pointed at
the emulator for the next; the last checks that no token any of them saw leaked. How long the
failing `up` took is recorded in the fault table, never asserted: the deadline itself is proved on
the client's clock seam (a `SteppedClock`), where the time the client spent is exact.
"""

from __future__ import annotations

import socket

import pytest

from providers.dashboard.client import DashboardClient, DashboardUnavailableError
from tests.faults.conftest import one_line_error
from tests.support.clock import SteppedClock
from tests.support.drip_server import DripServer

DEADLINE_S = 3


def fail_then_repair(blue, emulator, url: str, fault: str, requests: str) -> str:
    blue.stack.set_config("dashboard:url", url)
    blue.stack.set_config("dashboard:timeoutSeconds", str(DEADLINE_S))

    failed, seconds = blue.timed("up")

    blue.record(fault, f"up fails within the {DEADLINE_S} s deadline", seconds, requests)
    assert failed.returncode != 0
    line = one_line_error(failed.stdout + failed.stderr)
    blue.stack.set_config("dashboard:url", emulator.url)
    blue.stack.remove_config("dashboard:timeoutSeconds")
    blue.converge("  → next `pulumi up`")
    return line


def dead_url() -> str:
    """A loopback port that was free a moment ago: nothing listens there."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{closed.getsockname()[1]}"


def test_the_client_abandons_a_dripping_dashboard_at_its_deadline():
    stepped = SteppedClock(answer_s=0.2)
    with DripServer(interval=0.1) as drip:
        client = DashboardClient(drip.url, "adm-2f6a", timeout_s=DEADLINE_S, clock=stepped.clock)
        with pytest.raises(DashboardUnavailableError) as failed:
            client.get_settings()

    assert stepped.now_s == DEADLINE_S
    assert f"no complete answer within {DEADLINE_S:.1f} s" in str(failed.value)


def test_the_client_stops_retrying_a_dead_dashboard_before_its_deadline():
    stepped = SteppedClock()
    client = DashboardClient(dead_url(), "adm-2f6a", timeout_s=DEADLINE_S, clock=stepped.clock)

    with pytest.raises(DashboardUnavailableError) as failed:
        client.get_settings()

    assert stepped.sleeps == [0, 1]  # the next wait (2 s) would pass the 3 s deadline
    assert stepped.now_s <= DEADLINE_S
    assert f"after 2 retries; the {DEADLINE_S} s deadline" in str(failed.value)


def test_a_dripping_dashboard_fails_within_the_deadline(blue, emulator, dashboard):
    with DripServer(interval=1.0) as drip:
        line = fail_then_repair(blue, emulator, drip.url, "server drips 1 byte/s", "GET (dripping)")

    assert drip.connections >= 1
    assert "no complete answer within" in line
    assert "dashboard:timeoutSeconds" in line


def test_a_dead_dashboard_fails_within_the_deadline_counting_its_retries(blue, emulator, dashboard):
    line = fail_then_repair(
        blue, emulator, dead_url(), "nothing listens at dashboard:url", "GET refused, retried"
    )

    assert "no answer (connection failed or was dropped)" in line
    assert "retr" in line and "dashboard:timeoutSeconds" in line


def test_no_token_or_admin_credential_leaked(blue):
    blue.assert_nothing_leaked()
