"""Issue 9, item 6: malformed answers and persistent failures end in one honest line.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The other malformed bodies (`{}`, `[]`, garbage, wrong types) are covered, faster, by the client's
tests in tests/providers/test_dashboard_client.py; here the engine shows how one reaches the CLI.

The tests share `blue` and run top to bottom: the failed preview leaves it as it was, the 503s leave
a failed `up` and a 4-second deadline, which the next test removes before its `up` converges, and
the last checks that no token any of them saw leaked.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import one_line_error

SETTINGS_PATH = "/api/v1/scim"


@pytest.mark.parametrize("body", ["<html><body>Sign in</body></html>"])
def test_a_malformed_settings_body_fails_preview_in_one_line(blue, dashboard, body):
    dashboard.clear_requests()
    dashboard.fault(method="GET", path=SETTINGS_PATH, count=1, status=200, body=body)

    result, seconds = blue.timed("preview")

    blue.record(f"GET settings answers 200 {body[:12]!r}", "preview fails in one line", seconds)
    assert result.returncode != 0
    line = one_line_error(result.stdout + result.stderr)
    assert f"GET {blue.emulator.url}{SETTINGS_PATH} returned 200 with" in line
    assert "not the Dashboard admin API's answer" in line
    assert "(sent once, not retried)" in line


def test_persistent_503_names_exactly_the_retries_made(blue, dashboard):
    blue.stack.set_config("dashboard:timeoutSeconds", "4")
    dashboard.clear_requests()
    dashboard.fault(method="GET", path=SETTINGS_PATH, count=1000, status=503, retryAfter=1)

    result, seconds = blue.timed("up")

    sent = [r["status"] for r in dashboard.requests() if r["path"] == SETTINGS_PATH]
    blue.record("GET settings answers 503 + Retry-After: 1, always", "up fails", seconds)
    assert result.returncode != 0
    line = one_line_error(result.stdout + result.stderr)
    assert set(sent) == {503}
    retries = len(sent) - 1
    assert f"after {retries} retr" in line, "the message must count the retries the log shows"
    assert "returned 503 (service_unavailable)" in line


def test_the_next_up_converges(blue, dashboard):
    dashboard.clear_faults()
    blue.stack.remove_config("dashboard:timeoutSeconds")

    blue.converge("  → next `pulumi up`")


def test_no_token_or_admin_credential_leaked(blue):
    blue.assert_nothing_leaked()
