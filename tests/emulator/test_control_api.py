"""The control API (`--test-hooks`): the request log and injected faults."""

import pytest
import requests

from scim_setup.emulator.process import EmulatorProcess

SETTINGS = "/api/v1/scim"


@pytest.fixture(autouse=True)
def clean_hooks(emulator):
    """Each test starts with an empty log and no planned fault."""
    requests.delete(f"{emulator.url}/_emulator/faults").raise_for_status()
    requests.delete(f"{emulator.url}/_emulator/requests").raise_for_status()
    yield
    requests.delete(f"{emulator.url}/_emulator/faults").raise_for_status()


def logged(emulator: EmulatorProcess) -> list[dict]:
    return requests.get(f"{emulator.url}/_emulator/requests").json()["items"]


def plan_fault(emulator: EmulatorProcess, **spec) -> requests.Response:
    return requests.post(f"{emulator.url}/_emulator/faults", json=spec)


def test_request_log_lists_admin_and_scim_requests_with_their_status(emulator, admin_session):
    admin_session.get(f"{emulator.url}{SETTINGS}")
    requests.get(f"{emulator.tenant_url}/Users")
    tenant_path = emulator.tenant_url.removeprefix(emulator.url)

    assert logged(emulator) == [
        {"method": "GET", "path": SETTINGS, "status": 200},
        {"method": "GET", "path": f"{tenant_path}/Users", "status": 401},
    ]


def test_request_log_leaves_out_the_hook_paths_and_can_be_cleared(emulator, admin_session):
    admin_session.get(f"{emulator.url}{SETTINGS}")
    logged(emulator)

    assert len(logged(emulator)) == 1
    requests.delete(f"{emulator.url}/_emulator/requests")
    assert logged(emulator) == []


def test_fault_answers_status_with_retry_after_for_the_next_n_matches(emulator, admin_session):
    plan_fault(emulator, method="GET", path=SETTINGS, count=2, status=503, retryAfter=2)

    responses = [admin_session.get(f"{emulator.url}{SETTINGS}") for _ in range(3)]

    assert [response.status_code for response in responses] == [503, 503, 200]
    assert responses[0].headers["Retry-After"] == "2"
    assert responses[0].json()["error"] == "service_unavailable"
    assert [entry["status"] for entry in logged(emulator)] == [503, 503, 200]


def test_fault_matches_method_and_path_glob_only(emulator, admin_session):
    plan_fault(emulator, method="PUT", path="/api/*", status=429)

    get = admin_session.get(f"{emulator.url}{SETTINGS}")
    put = admin_session.put(f"{emulator.url}{SETTINGS}", json={"enabled": True, "accountSizeGb": 5})

    assert get.status_code == 200
    assert put.status_code == 429
    assert put.json()["error"] == "rate_limited"


def test_fault_on_a_scim_path_answers_a_scim_error(emulator):
    plan_fault(emulator, path="/scim/*", status=500)

    response = requests.get(f"{emulator.tenant_url}/Users")

    assert response.status_code == 500
    assert response.json()["status"] == "500"
    assert response.headers["Content-Type"].startswith("application/scim+json")


def test_dropped_request_is_a_connection_error_and_logged_with_status_0(emulator, admin_session):
    plan_fault(emulator, method="PUT", path=SETTINGS, drop=True)
    body = {"enabled": True, "accountSizeGb": 5}

    with pytest.raises(requests.ConnectionError):
        admin_session.put(f"{emulator.url}{SETTINGS}", json=body)
    retried = admin_session.put(f"{emulator.url}{SETTINGS}", json=body)

    assert retried.status_code == 200
    assert [entry["status"] for entry in logged(emulator)] == [0, 200]


def test_delayed_request_outlasts_a_short_client_timeout(emulator, admin_session):
    plan_fault(emulator, method="GET", path=SETTINGS, delaySeconds=3)

    with pytest.raises(requests.Timeout):
        admin_session.get(f"{emulator.url}{SETTINGS}", timeout=0.5)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"path": SETTINGS}, "status"),
        ({"status": 199}, "status"),
        ({"status": 503, "count": 0}, "count"),
        ({"status": 503, "drop": True}, "drop"),
        ({"drop": "yes"}, "drop"),
        ({"after": True, "delaySeconds": 1}, "after"),
        ({"body": 5}, "body"),
        ({"delaySeconds": -1}, "delaySeconds"),
        ({"status": 503, "path": ""}, "path"),
    ],
)
def test_invalid_fault_is_422_naming_the_field(emulator, spec, field):
    response = plan_fault(emulator, **spec)

    assert response.status_code == 422
    assert response.json()["field"] == field


def test_after_fault_carries_the_request_out_then_drops_its_answer(emulator, admin_session):
    before = admin_session.get(f"{emulator.url}{SETTINGS}").json()["token"]
    plan_fault(emulator, method="POST", path=f"{SETTINGS}/token", drop=True, after=True)

    with pytest.raises(requests.ConnectionError):
        admin_session.post(f"{emulator.url}{SETTINGS}/token")

    after = admin_session.get(f"{emulator.url}{SETTINGS}").json()["token"]
    assert after is not None and after != before
    assert [r["status"] for r in logged(emulator)][1] == 0


def test_body_fault_replaces_the_answer_with_raw_text(emulator, admin_session):
    plan_fault(emulator, method="GET", path=SETTINGS, status=200, body="<html>login</html>")

    response = admin_session.get(f"{emulator.url}{SETTINGS}")

    assert (response.status_code, response.text) == (200, "<html>login</html>")


def test_without_test_hooks_the_hook_paths_do_not_exist(tmp_path):
    with EmulatorProcess(tmp_path) as plain:
        assert requests.get(f"{plain.url}/_emulator/requests").status_code == 404
        assert plan_fault(plain, status=503).status_code == 404
