"""The one HTTP transport of this package: every call to the Dashboard (its admin API and its SCIM
endpoint) and to Microsoft Graph goes through `HttpTransport.exchange`.

What it guarantees, so that no client has to:

- A deadline. An operation (its attempts, retries and waits) ends within its deadline by the
  transport's `Clock`. Each attempt runs in a daemon thread that is abandoned at the deadline,
  because a server that drips its answer restarts the socket's read timeout with every byte.
- Retries where safe. The caller names the statuses worth another try and how often
  (`RetryPolicy`, waits from `providers.http_retry`); a lost answer is resent under the same
  policy, and a success whose body is malformed only when the caller says resending is safe.
- Bodies that are not JSON. `json_body` turns an HTML login page or a proxy's error page into
  `Malformed` with the content type and size (never the body), and the exchange into `Unreadable`.
- Redaction. The bearer tokens it sent, and any secret it was told of, never appear in text it
  hands back (`redact`).

Failures are `TransportFailure`s with what the clients need to write their one-line errors (the
call, what came back, how often it was retried, and the wait the deadline ruled out). The timeouts
of every server this package calls are defined here (`DASHBOARD`, `SCIM_ENDPOINT`, `GRAPH`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from providers.error_reporting import OneLineError
from providers.http_retry import RetryPolicy

if TYPE_CHECKING:
    # Imported where a call is made: the program and a provider that makes no call (preview of
    # new resources) never load requests and urllib3 (~40 ms CPU per process).
    import requests

T = TypeVar("T")


@dataclass(frozen=True)
class Timeouts:
    """How long one server may take: to connect, per read, and for a whole operation."""

    connect_s: float
    read_s: float
    deadline_s: float

    @property
    def attempt(self) -> tuple[float, float]:
        return (self.connect_s, self.read_s)


DASHBOARD = Timeouts(connect_s=5.0, read_s=20.0, deadline_s=60.0)
"""The Dashboard admin API; the deadline is `dashboard:timeoutSeconds`' default."""
SCIM_ENDPOINT = Timeouts(connect_s=5.0, read_s=15.0, deadline_s=20.0)
"""The Dashboard's SCIM endpoint (Test Connection, `/Schemas`): Entra gives up on a slow one too."""
GRAPH = Timeouts(connect_s=5.0, read_s=30.0, deadline_s=180.0)
"""Microsoft Graph: room for throttling (`Retry-After`) and its lag after a write."""

NO_RETRY = RetryPolicy(statuses=frozenset(), max_retries=0)
NOT_CARRIED_OUT = frozenset({429, 503})
"""Statuses that say the server did not act on the request (throttled, unavailable)."""


def _wait_for(done: threading.Event, seconds: float) -> bool:
    return done.wait(seconds)


@dataclass(frozen=True)
class Clock:
    """The transport's time: `now` (monotonic seconds), `sleep` between retries, and `wait` for
    an attempt to finish (False when `seconds` passed first). Tests pass a clock that does not wait
    in real time."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    wait: Callable[[threading.Event, float], bool] = _wait_for


REAL_CLOCK = Clock()


class Malformed(ValueError):
    """A body that is not the answer expected; the message describes it, never quotes it."""


class TransportFailure(OneLineError):
    """An exchange that got no usable answer. Clients turn it into their own one-line error."""

    def __init__(
        self,
        method: str,
        url: str,
        what: str,
        retries: int,
        lost: int = 0,
        ruled_out_wait: float | None = None,
    ) -> None:
        super().__init__(f"{method} {url}: {what}{retried(retries)}")
        self.method = method
        self.url = url
        self.what = what
        self.retries = retries
        self.lost = lost
        """Attempts with no usable answer, whose request the server may have carried out."""
        self.ruled_out_wait = ruled_out_wait
        """The wait before another try that the deadline ruled out (None: retries spent)."""


class NoAnswer(TransportFailure):
    """No answer within the deadline, or the connection failed; `cause` is requests' exception
    (None when the deadline passed while the answer was still arriving)."""

    def __init__(self, *args: Any, cause: Exception | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cause = cause


class FailedStatus(TransportFailure):
    """The last answer was an error status (>= 400) that no more retries could change."""

    def __init__(self, *args: Any, response: requests.Response, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response = response
        self.status = response.status_code


class Unreadable(TransportFailure):
    """A success status whose body the caller's parser refused (`what` says why)."""

    def __init__(self, *args: Any, response: requests.Response, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response = response
        self.status = response.status_code


def retried(retries: int) -> str:
    """What the log bears out: `, after 2 retries`, or nothing when sent once."""
    return "" if retries == 0 else f", after {retries} {'retry' if retries == 1 else 'retries'}"


def one_line(text: str, limit: int = 300) -> str:
    """`text` with its whitespace collapsed, at most `limit` characters."""
    return " ".join(text.split())[:limit]


def json_body(response: requests.Response, empty: Any = None) -> Any:
    """The answer's JSON (`empty` for no body); `Malformed` for anything else (HTML, garbage)."""
    if not response.content:
        return empty
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "no content type")
        raise Malformed(
            f"a body that is not JSON ({kind}, {len(response.content)} bytes)"
        ) from None


def failure_name(exc: Exception) -> str:
    """What went wrong on the wire, in words."""
    import requests

    names = {
        requests.exceptions.SSLError: "the TLS handshake failed",
        requests.ConnectTimeout: "connection timed out",
        requests.ReadTimeout: "read timed out",
        requests.exceptions.ChunkedEncodingError: "connection lost during the answer",
        requests.ConnectionError: "connection failed or was dropped",
    }
    for kind, name in names.items():
        if isinstance(exc, kind):
            return name
    return type(exc).__name__


class HttpTransport:
    """One `requests.Session` for one server; `bearer` returns the token each attempt sends."""

    def __init__(
        self,
        timeouts: Timeouts,
        bearer: Callable[[], str] | None = None,
        headers: Mapping[str, str] | None = None,
        clock: Clock = REAL_CLOCK,
        secrets: Iterable[str] = (),
    ) -> None:
        self.timeouts = timeouts
        self.clock = clock
        self._bearer = bearer
        self._secrets = {secret for secret in secrets if secret}
        import requests

        self._session = requests.Session()
        self._session.headers.update(headers or {})

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("an HTTP transport holds credentials and must never be serialized")

    def close(self) -> None:
        self._session.close()

    def redact(self, text: str) -> str:
        """`text` without any secret this transport sent or was given."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def exchange(
        self,
        method: str,
        url: str,
        parse: Callable[[requests.Response], T],
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy = NO_RETRY,
        lag: RetryPolicy | None = None,
        resend_malformed: bool = False,
        deadline_s: float | None = None,
        verify: bool | str = True,
        allow_redirects: bool = True,
    ) -> T:
        """Send until a success is parsed; every failure is a `TransportFailure`.

        `retry`: the statuses (and lost answers) to try again, within the deadline (default: the
        timeouts' own). `lag`: statuses retried too (a server's lag right after a write), with a
        budget of their own. `parse` may raise `Malformed`; that is final unless
        `resend_malformed` (the caller knows resending is safe).
        """
        deadline = self.clock.now() + (
            self.timeouts.deadline_s if deadline_s is None else deadline_s
        )
        send = _Send(method, url, body, params, headers, verify, allow_redirects)
        retries = lags = lost = 0
        while True:
            response, cause, what = self._attempt(send, deadline)
            if response is not None and response.status_code < 400:
                try:
                    return parse(response)
                except Malformed as exc:
                    what = f"returned {response.status_code} with {exc}"
                    if not resend_malformed:
                        raise Unreadable(method, url, what, retries, response=response) from None
                    response = None
            status = None if response is None else response.status_code
            if lag is not None and status in lag.statuses:
                policy, done = lag, lags
            elif status is None or status in retry.statuses:
                policy, done = retry, retries - lags
            else:
                assert response is not None
                raise FailedStatus(method, url, what, retries, lost, response=response)
            lost += status is None or status not in NOT_CARRIED_OUT
            retry_after = None if response is None else response.headers.get("Retry-After")
            wait = policy.wait(done, retry_after)
            ruled_out = None if done >= policy.max_retries else wait
            if ruled_out is None or self.clock.now() + wait >= deadline:
                if response is None:
                    raise NoAnswer(method, url, what, retries, lost, ruled_out, cause=cause)
                raise FailedStatus(method, url, what, retries, lost, ruled_out, response=response)
            self.clock.sleep(wait)
            retries += 1
            lags += policy is lag

    def _attempt(
        self, send: _Send, deadline: float
    ) -> tuple[requests.Response | None, Exception | None, str]:
        """Send once: (response, None, its status), or (None, requests' exception or None, what
        went wrong) when no answer came in time. An abandoned thread only reads."""
        import requests

        remaining = max(deadline - self.clock.now(), 0.001)
        timeout = (min(self.timeouts.connect_s, remaining), min(self.timeouts.read_s, remaining))
        headers = dict(send.headers or {})
        if self._bearer is not None:
            token = self._bearer()
            self._secrets.add(token)
            headers["Authorization"] = f"Bearer {token}"
        outcome: list[requests.Response | Exception] = []
        done = threading.Event()

        def run() -> None:
            # Every exception is handed to the caller, never to the thread's excepthook: one
            # raised after the deadline abandoned this thread would else print a traceback into
            # the engine's output.
            try:
                outcome.append(
                    self._session.request(
                        send.method,
                        send.url,
                        json=send.body,
                        params=send.params,
                        headers=headers,
                        timeout=timeout,
                        verify=send.verify,
                        allow_redirects=send.allow_redirects,
                    )
                )
            except Exception as exc:
                outcome.append(exc)
            finally:
                done.set()

        threading.Thread(target=run, name="http-attempt", daemon=True).start()
        if not self.clock.wait(done, remaining) or not outcome:
            return None, None, f"no complete answer within {remaining:.1f} s"
        result = outcome[0]
        if isinstance(result, requests.Response):
            return result, None, f"returned {result.status_code}"
        if not isinstance(result, requests.RequestException):
            raise result
        return None, result, f"no answer ({failure_name(result)})"


@dataclass(frozen=True)
class _Send:
    method: str
    url: str
    body: Any
    params: Mapping[str, str] | None
    headers: Mapping[str, str] | None
    verify: bool | str
    allow_redirects: bool
