"""The control API (`--test-hooks`): a request log, injected faults and a reset, for tests.

Tests of retrying clients need to count calls and to make the Dashboard fail
on purpose. The hooks wrap the whole application as ASGI middleware, so they
see every admin and SCIM request, including the ones that end in an error.
They are off unless asked for: without them the `/_emulator` paths are 404.

- `GET /_emulator/requests` → `{"items": [{"method", "path", "status"}]}`,
  oldest first; `DELETE` clears it. A request is logged when it arrives, with
  `status` null until it is answered; a dropped connection gets status 0. So a
  request a client gave up on (a timeout during `delaySeconds`) is counted at
  once, and the server still carries it out, as a slow real server would.
- `POST /_emulator/faults` with `{"method", "path", "count", "status",
  "retryAfter", "delaySeconds", "drop", "body", "after"}` makes the next `count`
  requests whose method and path match (fnmatch patterns) wait `delaySeconds`,
  then answer `status` (with `Retry-After` when given), answer the raw `body`
  text instead of the real one, or lose their connection. With `after: true`
  the Dashboard first carries the request out and the fault replaces its
  answer: a token generated whose answer never arrives, or arrives garbled.
  `DELETE` clears all faults.
- `POST /_emulator/reset` → 204 makes the running emulator what a fresh start
  over an empty data directory would show: no SCIM token, users, groups or
  backup accounts, default settings, an empty request log, no faults, no
  cached state. What identifies the process stays: its port, its admin and
  viewer tokens and its tenant id (kept in the data directory, so the tenant
  URL survives a reset, unlike a new data directory's). Requests still in
  progress (held by `delaySeconds`) are answered first, so none can write into
  the fresh state; when some are still running after `waitSeconds` (optional
  body `{"waitSeconds"}`, default 70, longer than any planned delay) the
  answer is 503 and nothing but the faults is reset. Tests use it to share
  one emulator process between test modules.
"""

import asyncio
import contextlib
import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scim_setup.emulator.admin_api import AdminError, json_object, validation_error

HOOKS_PREFIX = "/_emulator"
REQUEST_LOG_LIMIT = 100_000
"""The log keeps the most recent requests only, so a long benchmark cannot exhaust memory."""
DROPPED_STATUS = 0
DROP_SETTLE_SECONDS = 1.0
MAX_FAULT_BODY_CHARS = 65_536
MAX_DELAY_SECONDS = 60
RESET_WAIT_SECONDS = MAX_DELAY_SECONDS + 10.0
"""How long a reset waits for requests in progress: longer than any planned delay."""
_RESET_POLL_SECONDS = 0.01
_UNFINISHED_RESPONSE = "ASGI callable returned without completing response."
_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


@dataclass
class Fault:
    """One planned fault and how many more requests it applies to."""

    method: str
    path: str
    remaining: int
    status: int | None
    retry_after: float | None
    delay_seconds: float
    drop: bool
    body: str | None = None
    after: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Whether a request is one this fault is for."""
        return fnmatchcase(method, self.method.upper()) and fnmatchcase(path, self.path)


class EmulatorHooks:
    """The request log and the fault plan, shared by the middleware and the routes.

    `reset_state` empties the application's store and caches (`POST /_emulator/reset`).
    """

    def __init__(self, reset_state: Callable[[], None]) -> None:
        self._lock = threading.Lock()
        self._requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_LIMIT)
        self._faults: list[Fault] = []
        self._in_progress = 0
        self._reset_state = reset_state

    def record(self, method: str, path: str) -> dict[str, Any]:
        """Log an arriving request; the caller sets its `status` once it is answered."""
        entry: dict[str, Any] = {"method": method, "path": path, "status": None}
        with self._lock:
            self._requests.append(entry)
        return entry

    @contextlib.contextmanager
    def in_progress(self) -> Iterator[None]:
        """Count a request as in progress while it runs, for a reset to wait on."""
        with self._lock:
            self._in_progress += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_progress -= 1

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Return the first fault planned for this request and use up one of its count."""
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    return fault
        return None

    def routes(self) -> list[Route]:
        """The `/_emulator` routes."""
        return [
            Route(f"{HOOKS_PREFIX}/requests", self.list_requests, methods=["GET"]),
            Route(f"{HOOKS_PREFIX}/requests", self.clear_requests, methods=["DELETE"]),
            Route(f"{HOOKS_PREFIX}/faults", self.add_fault, methods=["POST"]),
            Route(f"{HOOKS_PREFIX}/faults", self.clear_faults, methods=["DELETE"]),
            Route(f"{HOOKS_PREFIX}/reset", self.reset, methods=["POST"]),
        ]

    async def list_requests(self, request: Request) -> JSONResponse:
        """`GET /_emulator/requests`."""
        with self._lock:
            return JSONResponse({"items": [dict(entry) for entry in self._requests]})

    async def clear_requests(self, request: Request) -> Response:
        """`DELETE /_emulator/requests`."""
        with self._lock:
            self._requests.clear()
        return Response(status_code=204)

    async def add_fault(self, request: Request) -> JSONResponse:
        """`POST /_emulator/faults`: plan a fault for the next matching requests."""
        fault = _fault(await json_object(request))
        with self._lock:
            self._faults.append(fault)
        return JSONResponse(_fault_json(fault), status_code=201)

    async def clear_faults(self, request: Request) -> Response:
        """`DELETE /_emulator/faults`."""
        with self._lock:
            self._faults.clear()
        return Response(status_code=204)

    async def reset(self, request: Request) -> Response:
        """`POST /_emulator/reset`: no more faults, requests in progress finished, a clean slate."""
        body = await json_object(request) if await request.body() else {}
        wait = _optional_number(body, "waitSeconds", float, 0, 600)
        with self._lock:
            self._faults.clear()
        wait = RESET_WAIT_SECONDS if wait is None else wait
        deadline = time.monotonic() + wait
        while self._in_progress and time.monotonic() < deadline:
            await asyncio.sleep(_RESET_POLL_SECONDS)
        with self._lock:
            if self._in_progress:
                raise AdminError(
                    503,
                    "service_unavailable",
                    f"requests still in progress after {wait:g} s: {self._in_progress};"
                    " only the faults were cleared",
                )
            self._reset_state()
            self._requests.clear()
        return Response(status_code=204)


class HooksMiddleware:
    """ASGI middleware that logs each request and applies the planned faults.

    It wraps the whole application, outside Starlette's error middleware, so
    that it also logs the 500s of unexpected errors and receives the server's
    own `send`, which a dropped connection needs.
    """

    def __init__(self, app: ASGIApp, hooks: EmulatorHooks) -> None:
        self.app = app
        self.hooks = hooks
        logging.getLogger("uvicorn.error").addFilter(_quiet_dropped_responses)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(HOOKS_PREFIX):
            await self.app(scope, receive, send)
            return
        entry = self.hooks.record(scope["method"], path)
        fault = self.hooks.take_fault(scope["method"], path)
        try:
            with self.hooks.in_progress():
                if fault is None:
                    entry["status"] = await self._pass_through(scope, receive, send)
                else:
                    entry["status"] = await self._inject(fault, scope, receive, send)
        except Exception:
            entry["status"] = entry["status"] or 500
            raise

    async def _pass_through(self, scope: Scope, receive: Receive, send: Send) -> int:
        """Run the request and return the status it was answered with."""
        status = 500

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watching_send)
        return status

    async def _inject(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> int:
        """Delay, then drop, answer the planned status or body, or carry on normally."""
        if fault.delay_seconds:
            await asyncio.sleep(fault.delay_seconds)
        real_status = None
        if fault.after:
            real_status = await self._pass_through(scope, receive, _discard)
        if fault.drop:
            await _drop(receive, send)
            return DROPPED_STATUS
        if fault.status is None and fault.body is None:
            if real_status is not None:
                raise RuntimeError("an `after` fault needs drop, status or body")
            return await self._pass_through(scope, receive, send)
        status = fault.status or real_status or 200
        await _fault_response(fault, scope["path"], status)(scope, receive, send)
        return status


async def _discard(_message: Message) -> None:
    """The `send` of a request whose real answer a fault replaces."""


async def _drop(receive: Receive, send: Send) -> None:
    """Close the connection without answering, as a crashed proxy or server would.

    The client sees the connection end before any response byte (`requests`
    raises `ConnectionError`, and urllib3 may retry an idempotent request).
    ASGI has no message for this, so the connection is taken from uvicorn's
    `send`; where that is not possible, a response is started and abandoned
    instead (`ChunkedEncodingError` on the client).
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        await _abandon_response(send)
        return
    transport.close()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DROP_SETTLE_SECONDS):
            while (await receive())["type"] != "http.disconnect":
                pass


async def _abandon_response(send: Send) -> None:
    """Send headers that promise a body which never comes; uvicorn then closes the connection."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"dropped": ', "more_body": True})


def _quiet_dropped_responses(record: logging.LogRecord) -> bool:
    """Keep uvicorn from logging each abandoned response as an application error."""
    return record.getMessage() != _UNFINISHED_RESPONSE


def _fault_response(fault: Fault, path: str, status: int) -> Response:
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(math.ceil(fault.retry_after))
    if fault.body is not None:
        return Response(fault.body, status, headers, "application/json")
    message = "fault injected by the emulator's test hooks"
    if path.startswith("/scim/"):
        body: dict[str, Any] = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": str(status),
            "detail": message,
        }
        return Response(json.dumps(body), status, headers, "application/scim+json")
    body = {"error": _ERROR_CODES.get(status, "injected_fault"), "message": message}
    return JSONResponse(body, status, headers)


def _fault(body: dict[str, Any]) -> Fault:
    status = _optional_number(body, "status", int, 200, 599)
    delay = _optional_number(body, "delaySeconds", float, 0, MAX_DELAY_SECONDS) or 0.0
    drop = body.get("drop", False)
    if not isinstance(drop, bool):
        raise validation_error("drop", "drop must be true or false")
    if drop and status is not None:
        raise validation_error("drop", "a dropped request gets no status: give one of them")
    body_text = body.get("body")
    if body_text is not None and (
        not isinstance(body_text, str) or len(body_text) > MAX_FAULT_BODY_CHARS or drop
    ):
        raise validation_error(
            "body", f"body must be text of at most {MAX_FAULT_BODY_CHARS} characters, without drop"
        )
    after = body.get("after", False)
    if not isinstance(after, bool):
        raise validation_error("after", "after must be true or false")
    answered = status is not None or drop or body_text is not None
    if after and not answered:
        raise validation_error("after", "after needs a status, a body or drop: true")
    if not answered and not delay:
        raise validation_error("status", "give a status, a body, a delaySeconds or drop: true")
    return Fault(
        method=_pattern(body, "method"),
        path=_pattern(body, "path"),
        remaining=int(_optional_number(body, "count", int, 1, 1_000_000) or 1),
        status=None if status is None else int(status),
        retry_after=_optional_number(body, "retryAfter", float, 0, 86_400),
        delay_seconds=float(delay),
        drop=drop,
        body=body_text,
        after=after,
    )


def _pattern(body: dict[str, Any], field: str) -> str:
    value = body.get(field, "*")
    if not isinstance(value, str) or not value:
        raise validation_error(field, f"{field} must be a non-empty glob pattern")
    return value


def _optional_number(body: dict[str, Any], field: str, kind: type, low: float, high: float) -> Any:
    value = body.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise validation_error(field, f"{field} must be a number")
    if kind is int and not float(value).is_integer():
        raise validation_error(field, f"{field} must be a whole number")
    if not low <= value <= high:
        raise validation_error(field, f"{field} must be between {low} and {high}")
    return kind(value)


def _fault_json(fault: Fault) -> dict[str, Any]:
    return {
        "method": fault.method,
        "path": fault.path,
        "count": fault.remaining,
        "status": fault.status,
        "retryAfter": fault.retry_after,
        "delaySeconds": fault.delay_seconds,
        "drop": fault.drop,
        "body": fault.body,
        "after": fault.after,
    }
