"""The Graph client and the Entra-side resources against the local fake Graph (real HTTPS).

PYTEST_DONT_REWRITE: these tests hold a client secret; a failing assertion must not print it.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from providers.graph.client import GraphClient, GraphError
from providers.graph.connection_test import EntraConnectionTestProvider
from providers.graph.credentials import GraphCredentials
from providers.graph.job_status import ProvisioningJobStatusProvider, ProvisioningQuarantined
from providers.http_transport import REAL_CLOCK, Clock
from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.support.clock import SteppedClock
from tests.support.drip_server import DripServer
from tests.support.graph_config import azuread_config
from tests.support.leaks import assert_not_leaked

SP_ID = "22222222-2222-4222-8222-222222222222"
PAGE = b"<html>Proxy: please sign in</html>"
PROXY_PAGE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (
    len(PAGE),
    PAGE,
)


def client_for(graph: FakeGraphProcess, clock: Clock = REAL_CLOCK, **overrides: str) -> GraphClient:
    return GraphCredentials.from_config(azuread_config(graph, **overrides)).client(clock)


_jobs = iter(range(1_000_000))


def new_job(graph: FakeGraphProcess, state: str = "Active", valid: bool = True) -> str:
    """A job of its own for each test (the fake is shared); returns its resource id."""
    job_id = f"scim.{next(_jobs):032x}.{SP_ID}"
    graph.add_job(SP_ID, job_id, state, valid)
    return f"/servicePrincipals/{SP_ID}/synchronization/jobs/{job_id}"


def calls_to(graph: FakeGraphProcess, job_path: str) -> list[tuple[str, int]]:
    return [
        (r["method"], r["status"])
        for r in graph.requests()
        if r["path"].startswith(f"/v1.0{job_path}")
    ]


# --- the client --------------------------------------------------------------------------------


def test_validate_credentials_signs_in_and_gets_204(graph_env):
    job = new_job(graph_env)

    client_for(graph_env).validate_credentials(job)

    paths = [(r["method"], r["path"], r["status"]) for r in graph_env.requests()]
    assert ("POST", f"/{graph_env.tenant_id}/oauth2/v2.0/token", 200) in paths
    assert ("POST", f"/v1.0{job}/validateCredentials", 204) in paths


def test_rejected_credentials_surface_graphs_error_in_one_line(graph_env):
    job = new_job(graph_env, valid=False)

    with pytest.raises(GraphError) as failed:
        client_for(graph_env).validate_credentials(job)

    message = str(failed.value)
    assert failed.value.status == 400
    assert failed.value.code == "BadRequest"
    assert message.startswith(
        f"POST {graph_env.graph_url}/v1.0{job}/validateCredentials returned 400 BadRequest: "
        "You appear to have entered invalid credentials."
    )
    assert "(request-id " in message
    assert message.endswith(
        "; Entra could not use the saved Tenant URL and Secret Token (see the error)"
    )
    assert "\n" not in message


@pytest.mark.parametrize("state", ["Active", "Paused", "NotRun"])
def test_job_status_reports_the_jobs_code(graph_env, state):
    status = client_for(graph_env).job_status(new_job(graph_env, state))

    assert status.code == state
    assert status.quarantine is None
    assert status.count_successive_complete_failures == 0
    if state == "NotRun":
        assert status.last_execution is None
    else:
        assert status.last_execution is not None
        assert status.last_execution.state == "Succeeded"
        assert status.last_execution.time_ended is not None


def test_job_status_in_quarantine_carries_reason_next_attempt_and_error(graph_env):
    status = client_for(graph_env).job_status(new_job(graph_env, "Quarantine"))

    assert status.code == "Quarantine"
    assert status.quarantine is not None
    assert status.quarantine.reason == "EncounteredQuarantineException"
    assert status.quarantine.next_attempt is not None
    assert status.quarantine.error == (
        "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable: "
        "The SCIM endpoint answered 401 Unauthorized."
    )
    assert status.count_successive_complete_failures == 3
    assert status.last_execution is not None and status.last_execution.state == "Failed"


def test_throttling_is_retried_after_retry_after(graph_env):
    job = new_job(graph_env)
    stepped = SteppedClock()
    client = client_for(graph_env, stepped.clock)
    client.job_status(job)  # signed in
    graph_env.throttle(count=2, retry_after=1)

    status = client.job_status(job)

    assert status.code == "Active"
    assert calls_to(graph_env, job)[-3:] == [("GET", 429), ("GET", 429), ("GET", 200)]
    assert stepped.sleeps == [1, 1]  # two Retry-After: 1


def test_a_proxy_page_with_status_200_is_one_line_not_a_traceback(graph_env):
    """A proxy (or captive portal) in front of Graph answers its own HTML page with 200."""
    with DripServer(interval=0.0, answer=PROXY_PAGE) as proxy:
        client = GraphClient(proxy.url, lambda: "graph-token-9f3e", SteppedClock().clock)
        with pytest.raises(GraphError) as failed:
            client.job_status(f"/servicePrincipals/{SP_ID}/synchronization/jobs/scim.1")

    message = str(failed.value)
    assert message.startswith(f"GET {proxy.url}/v1.0/servicePrincipals/")
    assert "returned 200 with a body that is not JSON (text/html" in message
    assert "azuread:environment (or SCIM_SETUP_GRAPH_URL)" in message and "\n" not in message
    assert "<html>" not in message
    assert_not_leaked(message, "graph-token-9f3e", "the proxy page error")


def test_throttling_that_does_not_end_fails_honestly(graph_env):
    job = new_job(graph_env)
    graph_env.throttle(count=5, retry_after=1)

    with pytest.raises(GraphError) as failed:
        client_for(graph_env).job_status(job)

    assert failed.value.status == 429
    assert str(failed.value).endswith("after 4 retries; Graph kept throttling; try again later")
    assert calls_to(graph_env, job) == [("GET", 429)] * 5


def test_unknown_job_is_a_404_that_says_so(graph_env):
    missing = f"/servicePrincipals/{SP_ID}/synchronization/jobs/scim.missing.{SP_ID}"

    with pytest.raises(GraphError) as failed:
        client_for(graph_env).job_status(missing)

    assert failed.value.status == 404
    assert "returned 404 Request_ResourceNotFound: Job 'scim.missing." in str(failed.value)


def test_wrong_client_secret_fails_sign_in_without_printing_it(graph_env):
    wrong = "wrong-secret-" + graph_env.client_secret[:6]

    with pytest.raises(GraphError) as failed:
        client_for(graph_env, **{"azuread:clientSecret": wrong}).job_status(new_job(graph_env))

    message = str(failed.value)
    assert message.startswith("could not get a Microsoft Graph token with ClientSecretCredential")
    assert "AADSTS7000215" in message
    assert_not_leaked(message, wrong, "the sign-in error")
    assert_not_leaked(message, graph_env.client_secret, "the sign-in error")


def test_arm_environment_is_used_when_azuread_config_is_absent(graph_env):
    env = {**graph_env.environment()}

    connection = GraphCredentials.from_config({}, environ=env)

    assert (connection.tenant_id, connection.client_id) == (
        graph_env.tenant_id,
        graph_env.client_id,
    )
    assert connection.graph_url == graph_env.graph_url
    assert "client_secret" not in repr(connection) and graph_env.client_secret not in repr(
        connection
    )
    assert connection.client().job_status(new_job(graph_env)).code == "Active"


# --- the dynamic resources ---------------------------------------------------------------------


def configured(provider: Any, graph: FakeGraphProcess) -> Any:
    provider.configure(ConfigureRequest(Config(azuread_config(graph), "scim-setup")))
    return provider


def test_entra_connection_test_passes_on_204_and_fails_with_graphs_reason(graph_env):
    provider = configured(EntraConnectionTestProvider(), graph_env)
    props = {"tenant_url": "https://dashboard.example.com/scim/v2/t1", "token": "t"}

    good = provider.create({**props, "job_id": new_job(graph_env)})
    with pytest.raises(GraphError, match="returned 400 BadRequest"):
        provider.create({**props, "job_id": new_job(graph_env, valid=False)})

    assert good.outs["result"] == "passed"


def test_job_status_refresh_follows_the_job_into_quarantine(graph_env):
    provider = configured(ProvisioningJobStatusProvider(), graph_env)
    job = new_job(graph_env, "Active")
    outs = provider.create({"job_id": job, "fail_when_quarantined": False}).outs
    graph_env.add_job(SP_ID, job.rsplit("/", 1)[1], "Quarantine")

    read = provider.read(job, outs)

    assert outs["status"]["code"] == "Active"
    assert read.outs["status"]["code"] == "Quarantine"
    assert read.outs["status"]["quarantine"]["reason"] == "EncounteredQuarantineException"


def test_fail_when_quarantined_fails_every_up_while_quarantined(graph_env):
    provider = configured(ProvisioningJobStatusProvider(), graph_env)
    job = new_job(graph_env, "Quarantine")
    props = {"job_id": job, "fail_when_quarantined": True}

    with pytest.raises(ProvisioningQuarantined) as failed:
        provider.create(props)
    recheck = provider.diff(job, props, props)
    quiet = provider.diff(
        job, {**props, "fail_when_quarantined": False}, {**props, "fail_when_quarantined": False}
    )

    assert str(failed.value).startswith(
        f"provisioning job {job} is in quarantine (EncounteredQuarantineException) since "
    )
    assert str(failed.value).endswith(
        "Unavailable: The SCIM endpoint answered 401 Unauthorized. Fix the cause (run "
        "`scim-setup status`, see the portal's provisioning logs), then restart provisioning; "
        "or set entra:failWhenQuarantined to false"
    )
    assert (recheck.changes, quiet.changes) == (True, False)


def test_check_reports_a_malformed_job_id_and_sends_nothing(graph_env):
    provider = configured(ProvisioningJobStatusProvider(), graph_env)
    before = len(graph_env.requests())

    result = provider.check({}, {"job_id": "scim.123", "fail_when_quarantined": False})

    assert [f.property for f in result.failures] == ["job_id"]
    assert len(graph_env.requests()) == before


def test_providers_never_carry_credentials_into_state(graph_env):
    import pickle

    for provider in (EntraConnectionTestProvider(), ProvisioningJobStatusProvider()):
        blob = pickle.dumps(configured(provider, graph_env))
        assert graph_env.client_secret.encode() not in blob


def test_graph_failures_reach_the_engine_as_one_line_not_a_traceback():
    from providers.error_reporting import OneLineTraceback

    try:
        raise ProvisioningQuarantined("provisioning job /servicePrincipals/x is in quarantine")
    except ProvisioningQuarantined:
        reported = OneLineTraceback.format_exc()
    try:
        raise KeyError("a bug in our code")
    except KeyError:
        bug = OneLineTraceback.format_exc()

    assert reported == "provisioning job /servicePrincipals/x is in quarantine"
    assert bug.startswith("Traceback (most recent call last):")
