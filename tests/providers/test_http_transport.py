"""The one HTTP transport (`providers.http_transport`) on its own, against loopback servers that
answer exactly what a test needs; time is a `SteppedClock`, so nothing waits for real.

PYTEST_DONT_REWRITE: these tests hold made-up tokens; a failing assertion must not print them.
"""

from __future__ import annotations

import json
import socket

import pytest

from providers.graph.client import GraphClient, GraphError
from providers.http_retry import RetryPolicy
from providers.http_transport import (
    DASHBOARD,
    GRAPH,
    SCIM_ENDPOINT,
    FailedStatus,
    HttpTransport,
    NoAnswer,
    Unreadable,
    json_body,
)
from tests.support.clock import SteppedClock
from tests.support.drip_server import DripServer
from tests.support.leaks import assert_not_leaked

TOKEN = "bearer-5e2c-not-real"
RETRY_503 = RetryPolicy(statuses=frozenset({503}))


def answer(status: str, body: bytes, content_type: str = "application/json") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}"
    return f"{head}\r\nConnection: close\r\n\r\n".encode() + body


def served(raw: bytes) -> DripServer:
    """A server that sends `raw` to every connection at once."""
    return DripServer(interval=0.0, answer=raw)


def test_the_timeouts_are_defined_once_and_each_deadline_outlasts_an_attempt():
    for timeouts in (DASHBOARD, SCIM_ENDPOINT, GRAPH):
        assert timeouts.deadline_s >= timeouts.connect_s + timeouts.read_s


def test_a_body_that_is_not_json_is_described_never_quoted():
    page = b"<html><body>Please sign in to the proxy</body></html>"
    with served(answer("200 OK", page, "text/html")) as server:
        transport = HttpTransport(GRAPH, clock=SteppedClock().clock)
        with pytest.raises(Unreadable) as failed:
            transport.exchange("GET", f"{server.url}/x", json_body)

    assert (
        failed.value.what
        == f"returned 200 with a body that is not JSON (text/html, {len(page)} bytes)"
    )
    assert failed.value.retries == 0 and "sign in" not in str(failed.value)


def test_a_failing_server_is_retried_within_the_policy_then_given_up():
    stepped = SteppedClock()
    with served(answer("503 Service Unavailable", b"{}")) as server:
        transport = HttpTransport(GRAPH, clock=stepped.clock)
        with pytest.raises(FailedStatus) as failed:
            transport.exchange("GET", f"{server.url}/x", json_body, retry=RETRY_503)

    assert server.connections == 5 and stepped.sleeps == [0, 1, 2, 4]
    assert (failed.value.status, failed.value.retries, failed.value.ruled_out_wait) == (
        503,
        4,
        None,
    )


def test_no_wait_may_pass_the_deadline():
    stepped = SteppedClock()
    with served(answer("503 Service Unavailable", b"{}")) as server:
        transport = HttpTransport(GRAPH, clock=stepped.clock)
        with pytest.raises(FailedStatus) as failed:
            transport.exchange("GET", f"{server.url}/x", json_body, retry=RETRY_503, deadline_s=2.5)

    assert stepped.sleeps == [0, 1] and stepped.now_s <= 2.5
    assert failed.value.ruled_out_wait == 2


def test_a_dead_port_is_no_answer_with_requests_reason():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/x"
    transport = HttpTransport(GRAPH, clock=SteppedClock().clock)

    with pytest.raises(NoAnswer) as failed:
        transport.exchange("GET", url, json_body)

    assert failed.value.what == "no answer (connection failed or was dropped)"
    assert failed.value.cause is not None and failed.value.lost == 1


def test_a_token_the_server_echoes_never_reaches_the_error():
    error = {"error": {"code": "InvalidAuthenticationToken", "message": f"Token {TOKEN} expired"}}
    with served(answer("401 Unauthorized", json.dumps(error).encode())) as server:
        client = GraphClient(server.url, lambda: TOKEN, SteppedClock().clock)
        with pytest.raises(GraphError) as failed:
            client.job_status("/servicePrincipals/1/synchronization/jobs/scim.1")

    message = str(failed.value)
    assert "returned 401 InvalidAuthenticationToken: Token *** expired" in message
    assert_not_leaked(message, TOKEN, "the Graph error")


def test_a_transport_is_never_serialized():
    import pickle

    with pytest.raises(TypeError, match="never be serialized"):
        pickle.dumps(HttpTransport(GRAPH, bearer=lambda: TOKEN))
