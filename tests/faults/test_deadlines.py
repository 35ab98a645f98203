"""Issue 9, item 5: every Dashboard operation ends within `dashboard:timeoutSeconds`.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

A dripping server (one byte a second, so no read ever times out) and a dead port, each behind a
3-second deadline; after each, the stack points at the Dashboard again and one `pulumi up`
converges. The tests share `blue` and run top to bottom, each leaving it converged and pointed at
the emulator for the next; the last checks that no token any of them saw leaked.
"""

from __future__ import annotations

import socket

from tests.faults.conftest import one_line_error
from tests.support.drip_server import DripServer

DEADLINE_S = 3
ENGINE_OVERHEAD_S = 12
"""Generous room for the CLI, the language host and the provider process on a busy machine."""


def fail_then_repair(blue, emulator, url: str, fault: str, requests: str) -> str:
    blue.stack.set_config("dashboard:url", url)
    blue.stack.set_config("dashboard:timeoutSeconds", str(DEADLINE_S))

    failed, seconds = blue.timed("up")

    blue.record(fault, f"up fails within the {DEADLINE_S} s deadline", seconds, requests)
    assert failed.returncode != 0
    assert seconds < DEADLINE_S + ENGINE_OVERHEAD_S
    line = one_line_error(failed.stdout + failed.stderr)
    blue.stack.set_config("dashboard:url", emulator.url)
    blue.stack.remove_config("dashboard:timeoutSeconds")
    blue.converge("  → next `pulumi up`")
    return line


def test_a_dripping_dashboard_fails_within_the_deadline(blue, emulator, dashboard):
    with DripServer(interval=1.0) as drip:
        line = fail_then_repair(blue, emulator, drip.url, "server drips 1 byte/s", "GET (dripping)")

    assert drip.connections >= 1
    assert "no complete answer within" in line
    assert "dashboard:timeoutSeconds" in line


def test_a_dead_dashboard_fails_within_the_deadline_counting_its_retries(blue, emulator, dashboard):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"

    line = fail_then_repair(
        blue, emulator, url, "nothing listens at dashboard:url", "GET refused, retried"
    )

    assert "no answer (connection failed or was dropped)" in line
    assert "retr" in line and "dashboard:timeoutSeconds" in line


def test_no_token_or_admin_credential_leaked(blue):
    blue.assert_nothing_leaked()
