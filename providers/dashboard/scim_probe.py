"""Entra's *Test Connection*, sent from here: a SCIM client, not the Dashboard admin API.

Entra "queries the SCIM endpoint for a user that doesn't exist, using a random GUID as the
matching property" and expects 200 with an empty ListResponse. `test_connection` sends exactly
that and turns every other outcome into one line: what was called, what came back, what to do.
No retries: Entra does not retry its Test Connection either, and a probe must answer quickly.
It goes through the package's one transport (`providers.http_transport`). The token is sent in
a header only and never appears in a result or message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests


from providers.dashboard.client import DashboardError
from providers.http_transport import (
    REAL_CLOCK,
    SCIM_ENDPOINT,
    Clock,
    FailedStatus,
    HttpTransport,
    Malformed,
    NoAnswer,
    Timeouts,
    json_body,
)

LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


@dataclass(frozen=True)
class ProbeResult:
    """The outcome of one Test Connection; `message` is one line and names no secret."""

    passed: bool
    status: int | None
    message: str


class ConnectionTestFailed(DashboardError):
    """Test Connection did not get 200 with an empty ListResponse; the message says why.

    A `DashboardError`: an expected failure whose message is the whole story (one line).
    """


def send_test_connection(
    tenant_url: str,
    token: str,
    timeout: tuple[float, float] = SCIM_ENDPOINT.attempt,
    verify: bool | str = True,
    clock: Clock = REAL_CLOCK,
) -> ProbeResult:
    """`GET {tenant_url}/Users?filter=userName eq "<random guid>"` with `token`, as Entra sends it.

    The whole probe ends within the connect plus read timeout, by `clock`.
    """
    url = f"{tenant_url.rstrip('/')}/Users"
    call = f'Test Connection (GET {url}?filter=userName eq "<random guid>")'
    transport = HttpTransport(
        Timeouts(*timeout, deadline_s=sum(timeout)), clock=clock, secrets=[token]
    )
    try:
        response = transport.exchange(
            "GET",
            url,
            lambda answer: answer,
            params={"filter": f'userName eq "{uuid.uuid4()}"'},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/scim+json"},
            verify=verify,
            allow_redirects=False,
        )
    except FailedStatus as failure:
        response = failure.response
    except NoAnswer as failure:
        return _unanswered(call, timeout, failure.cause)
    finally:
        transport.close()
    return _judge(call, response)


def _unanswered(call: str, timeout: tuple[float, float], cause: Exception | None) -> ProbeResult:
    import requests

    if isinstance(cause, requests.exceptions.SSLError):
        return _failed(
            None,
            f"{call} failed: the TLS handshake failed (certificate not trusted, expired or for "
            "another host). Fix the Dashboard's certificate or the tenant URL's host name.",
        )
    if cause is None or isinstance(cause, requests.exceptions.Timeout):
        return _failed(
            None,
            f"{call} got no answer within {timeout[0]:g}s to connect and {timeout[1]:g}s to "
            "respond; Entra gives up too. Check the Dashboard is up and not overloaded.",
        )
    return _failed(
        None,
        f"{call} failed: could not connect to the Dashboard. Check the tenant URL's host "
        "and port and that the Dashboard is up.",
    )


def _judge(call: str, response: requests.Response) -> ProbeResult:
    status = response.status_code
    returned = f"{call} returned {status}"
    if status == 200:
        problem = _list_response_problem(response)
        if problem is None:
            return ProbeResult(True, 200, f"{call}: 200 with an empty ListResponse, as Entra needs")
        return _failed(200, f"{returned} but {problem}; Entra's Test Connection fails on this")
    explanation = _EXPLANATIONS.get(status)
    if explanation is None:
        explanation = (
            "the Dashboard failed; try again later"
            if status >= 500
            else "Entra's Test Connection fails on anything but 200 with an empty ListResponse"
        )
    return _failed(status, f"{returned}: {explanation}")


_EXPLANATIONS = {
    401: "the Dashboard did not accept the SCIM token (regenerated or revoked elsewhere, e.g. in "
    "the Dashboard UI?). Run `pulumi up`: it sees the token is no longer the active one and "
    "generates a new one",
    403: "SCIM user management is switched off in the Dashboard. Set `scim:enabled` to true "
    "(or enable it in the Dashboard), then run `pulumi up`",
    404: "no SCIM endpoint at this tenant URL (wrong host, path or tenant id). Use the Tenant "
    "URL the Dashboard shows",
    301: "the tenant URL redirects; Entra does not follow redirects. Use the final URL",
    302: "the tenant URL redirects; Entra does not follow redirects. Use the final URL",
    307: "the tenant URL redirects; Entra does not follow redirects. Use the final URL",
    308: "the tenant URL redirects; Entra does not follow redirects. Use the final URL",
}


def _list_response_problem(response: requests.Response) -> str | None:
    try:
        body: Any = json_body(response)
    except Malformed:
        return "the body is not JSON"
    if not isinstance(body, dict) or LIST_RESPONSE_URN not in (body.get("schemas") or []):
        return "the body is not a SCIM ListResponse"
    if body.get("totalResults") != 0 or body.get("Resources"):
        return "a user with a random GUID as userName was found (the filter is ignored?)"
    return None


def _failed(status: int | None, message: str) -> ProbeResult:
    return ProbeResult(False, status, message)
