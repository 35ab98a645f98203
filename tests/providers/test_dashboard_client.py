"""The Dashboard client's errors, retries and timeouts, against the emulator's fault hooks.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

from __future__ import annotations

import socket

import pytest

from providers.dashboard.client import (
    DEFAULT_TIMEOUT_S,
    RETRIES,
    DashboardAuthError,
    DashboardClient,
    DashboardNotFoundError,
    DashboardPermissionError,
    DashboardProtocolError,
    DashboardRequestError,
    DashboardUnavailableError,
)
from providers.http_transport import Clock
from tests.support.clock import SteppedClock
from tests.support.dashboard import Dashboard
from tests.support.drip_server import DripServer
from tests.support.leaks import assert_not_leaked

WAITS: list[float] = []
"""The retry waits the client asked for; tests never sleep for real."""
RECORDED = Clock(sleep=WAITS.append)


@pytest.fixture
def client(emulator, dashboard: Dashboard) -> DashboardClient:
    dashboard.clear_requests()
    WAITS.clear()
    return DashboardClient(emulator.url, emulator.admin_token, clock=RECORDED)


def calls(dashboard: Dashboard, method: str, path: str) -> list[int]:
    return [r["status"] for r in dashboard.requests() if (r["method"], r["path"]) == (method, path)]


def test_wrong_admin_token_says_which_config_key_to_fix(emulator):
    wrong = "not-the-admin-token-5f1e"

    with pytest.raises(DashboardAuthError) as caught:
        DashboardClient(emulator.url, wrong).get_settings()

    assert "dashboard:apiToken" in str(caught.value)
    assert_not_leaked(str(caught.value), wrong, "the 401 error message")


def test_non_admin_token_says_administrator_role_is_required(emulator):
    with pytest.raises(DashboardPermissionError) as caught:
        DashboardClient(emulator.url, emulator.viewer_token).get_settings()

    assert "administrator role" in str(caught.value)
    assert_not_leaked(str(caught.value), emulator.viewer_token, "the 403 error message")


def test_wrong_base_url_path_says_to_check_dashboard_url(emulator):
    with pytest.raises(DashboardNotFoundError) as caught:
        DashboardClient(f"{emulator.url}/wrong", emulator.admin_token).get_settings()

    assert "dashboard:url" in str(caught.value)


def test_out_of_range_size_names_the_field(client):
    with pytest.raises(DashboardRequestError) as caught:
        client.put_settings(enabled=True, account_size_gb=0, owner=None)

    assert caught.value.status == 422
    assert caught.value.field == "accountSizeGb"


def test_get_retries_503_honouring_retry_after_then_succeeds(client, dashboard):
    dashboard.fault(method="GET", path="/api/v1/scim", count=2, status=503, retryAfter=1)

    assert client.get_settings().tenant_url

    assert calls(dashboard, "GET", "/api/v1/scim") == [503, 503, 200]
    assert WAITS == [1, 1]


def test_put_retries_a_dropped_connection(client, dashboard):
    dashboard.fault(method="PUT", path="/api/v1/scim", count=1, drop=True)

    assert client.put_settings(enabled=True, account_size_gb=64, owner=None).account_size_gb == 64

    assert calls(dashboard, "PUT", "/api/v1/scim")[-1] == 200


def test_token_generation_retries_429_after_retry_after_because_nothing_was_generated(
    client, dashboard
):
    dashboard.fault(method="POST", path="/api/v1/scim/token", count=1, status=429, retryAfter=2)

    generated = client.generate_token()

    assert calls(dashboard, "POST", "/api/v1/scim/token") == [429, 201]
    assert WAITS == [2]
    assert dashboard.settings()["token"]["id"] == generated.id


def test_persistent_failure_ends_in_actionable_error(client, dashboard):
    dashboard.fault(method="GET", path="/api/v1/scim", count=10, status=502)

    with pytest.raises(DashboardUnavailableError) as caught:
        client.get_settings()

    assert "run the command again later" in str(caught.value)
    assert "after 4 retries" in str(caught.value)
    assert calls(dashboard, "GET", "/api/v1/scim") == [502] * 5
    assert WAITS == [0, 1, 2, 4]


def test_slow_response_times_out_and_is_retried(emulator, dashboard):
    dashboard.clear_requests()
    client = DashboardClient(emulator.url, emulator.admin_token, attempt_timeout=(2.0, 0.5))
    dashboard.fault(method="GET", path="/api/v1/scim", count=1, delaySeconds=3)

    assert client.get_settings().tenant_url

    assert len(calls(dashboard, "GET", "/api/v1/scim")) >= 2


def test_unreachable_dashboard_says_to_check_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = DashboardClient(f"http://127.0.0.1:{port}", "adm-secret-4c2d", clock=RECORDED)

    with pytest.raises(DashboardUnavailableError) as caught:
        client.get_settings()

    assert "dashboard:url" in str(caught.value)
    assert_not_leaked(str(caught.value), "adm-secret-4c2d", "the connection error message")


def test_client_refuses_to_be_serialized(emulator):
    import pickle

    with pytest.raises(TypeError, match="never be serialized"):
        pickle.dumps(DashboardClient(emulator.url, emulator.admin_token))


@pytest.mark.parametrize(
    "body", ["{}", "[]", "<html>Sign in</html>", "garbage \x01", '{"enabled": "yes"}']
)
def test_malformed_settings_body_is_one_clear_error(client, dashboard, body):
    dashboard.fault(method="GET", path="/api/v1/scim", count=1, status=200, body=body)

    with pytest.raises(DashboardProtocolError) as caught:
        client.get_settings()

    message = str(caught.value)
    assert "returned 200 with" in message and "(sent once, not retried)" in message
    assert "dashboard:url" in message and "\n" not in message
    assert body not in message or body == "{}"


def test_garbled_token_answer_is_resent_and_only_the_last_token_works(client, dashboard):
    dashboard.fault(
        method="POST", path="/api/v1/scim/token", count=2, status=201, body="{}", after=True
    )

    generated = client.generate_token(label="pulumi:o/p/s")

    assert calls(dashboard, "POST", "/api/v1/scim/token") == [201, 201, 201]
    active = dashboard.settings()["token"]
    assert (active["id"], active["label"]) == (generated.id, "pulumi:o/p/s")
    assert dashboard.scim_status(generated.secret) == 200
    assert WAITS == [0, 1]


def test_token_answer_lost_every_time_says_a_token_may_be_orphaned(client, dashboard):
    dashboard.fault(method="POST", path="/api/v1/scim/token", count=10, drop=True, after=True)

    with pytest.raises(DashboardUnavailableError) as caught:
        client.generate_token()

    assert calls(dashboard, "POST", "/api/v1/scim/token") == [0] * 5
    assert "after 4 retries" in str(caught.value)
    assert "active SCIM token that nobody has" in str(caught.value)


def test_a_dripping_server_is_abandoned_at_the_deadline():
    """The server never stops sending, so no socket timeout fires: the transport's clock ends it."""
    stepped = SteppedClock(answer_s=0.2)
    with DripServer(interval=0.1) as drip:
        client = DashboardClient(drip.url, "adm-secret-4c2d", timeout_s=1.5, clock=stepped.clock)
        with pytest.raises(DashboardUnavailableError) as caught:
            client.get_settings()

    assert stepped.now_s == 1.5 and stepped.sleeps == []
    assert "no complete answer within 1.5 s" in str(caught.value)
    assert "(sent once, not retried)" in str(caught.value)


def test_retry_after_past_the_deadline_gives_up_at_once_saying_why(emulator, dashboard):
    dashboard.clear_requests()
    client = DashboardClient(emulator.url, emulator.admin_token, timeout_s=5, clock=RECORDED)
    dashboard.fault(method="GET", path="/api/v1/scim", count=1, status=503, retryAfter=20)

    with pytest.raises(DashboardUnavailableError) as caught:
        client.get_settings()

    assert calls(dashboard, "GET", "/api/v1/scim") == [503]
    assert "(sent once, not retried)" in str(caught.value)
    assert "5 s deadline (dashboard:timeoutSeconds)" in str(caught.value)


def test_default_deadline_and_retry_budget_are_the_documented_ones():
    assert (DEFAULT_TIMEOUT_S, RETRIES.max_retries) == (60.0, 4)


def test_token_refused_with_503_every_time_does_not_claim_an_orphaned_token(client, dashboard):
    dashboard.fault(method="POST", path="/api/v1/scim/token", count=10, status=503)

    with pytest.raises(DashboardUnavailableError) as caught:
        client.generate_token()

    assert calls(dashboard, "POST", "/api/v1/scim/token") == [503] * 5
    assert "after 4 retries" in str(caught.value)
    assert "nobody has" not in str(caught.value)
