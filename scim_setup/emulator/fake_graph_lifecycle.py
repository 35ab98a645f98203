"""The fake Graph's job lifecycle: saved secrets, `start`, `restart` with criteria.

Graph calls answered here, with the state changes Microsoft documents:

- `PUT /v1.0/servicePrincipals/{id}/synchronization/secrets` `{"value": [{key, value}]}`: saves
  the provisioning secrets (204). From then on validateCredentials (`useSavedCredentials`) does
  what Entra's Test Connection does: it queries the saved `BaseAddress` for a user that does not
  exist, with the saved `SecretToken`, and passes only on 200. A job whose service principal has
  no saved secrets keeps the `credentialsValid` flag of `PUT /_fake/jobs`.
- `POST …/jobs/{id}/start` (204): a paused or disabled job runs again; a quarantined one leaves
  quarantine (synchronization-synchronizationjob-start).
- `POST …/jobs/{id}/restart` `{"criteria": {"resetScope"}}` (204): the job runs again; the
  quarantine is cleared when the scope names `QuarantineState` or `Full` or is empty (the
  portal's Restart provisioning); `Watermark`, `Full` or an empty scope reprocess every object.

Test-control routes:

- `PUT /_fake/secrets` `{"servicePrincipalId", "credentials": [{key, value}]}`: a person saves
  other secrets in the portal (e.g. pastes a wrong token).
- `GET /_fake/actions`: every start and restart so far, `{"action", "jobId", "before",
  "resetScope", "reprocessesAll"}`, in order.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from scim_setup.emulator.fake_graph import FakeGraphState, FakeJob

FULL_SCOPES = frozenset({"Watermark", "Full"})
"""Restart scopes that drop the watermark: every object in scope is evaluated again."""


@dataclass
class LifecycleState:
    """Saved secrets by service principal id, and the start/restart calls in order."""

    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def saved_secrets(state: LifecycleState, service_principal_id: str) -> dict[str, str] | None:
    with state.lock:
        saved = state.secrets.get(service_principal_id)
    return dict(saved) if saved is not None else None


async def connection_test_passes(secrets: dict[str, str]) -> bool:
    """Entra's Test Connection: the saved token must read the saved tenant URL's Users."""
    base, token = secrets.get("BaseAddress", ""), secrets.get("SecretToken", "")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not token:
        return False
    users = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/Users", query=""))
    query = {"filter": f'userName eq "{uuid.uuid4()}"'}

    def probe() -> int:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            return requests.get(users, params=query, headers=headers, timeout=10).status_code
        except requests.RequestException:
            return 0

    return await asyncio.to_thread(probe) == 200


def _reset_scope(body: Any) -> str:
    criteria = body.get("criteria") if isinstance(body, dict) else None
    scope = criteria.get("resetScope") if isinstance(criteria, dict) else None
    return str(scope or "")


def add_lifecycle_routes(
    app: FastAPI,
    state: FakeGraphState,
    find_job: Callable[[Request, str, str], FakeJob | JSONResponse],
) -> None:
    from scim_setup.emulator.fake_graph import graph_error

    lifecycle = state.lifecycle

    def record(job_id: str, job: FakeJob, action: str, scope: str | None = None) -> None:
        scopes = {part.strip() for part in (scope or "").split(",") if part.strip()}
        entry: dict[str, Any] = {"action": action, "jobId": job_id, "before": job.state}
        if scope is not None:
            entry["resetScope"] = scope
            entry["reprocessesAll"] = not scopes or bool(scopes & FULL_SCOPES)
        with lifecycle.lock:
            lifecycle.actions.append(entry)

    def run(job: FakeJob, clear_quarantine: bool) -> None:
        with state.lock:
            if job.state != "Quarantine" or clear_quarantine:
                job.state = "Active"
            job.schedule_state = None

    @app.post("/v1.0/servicePrincipals/{sp_id}/synchronization/jobs/{job_id}/start")
    async def start(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        record(job_id, job, "start")
        run(job, clear_quarantine=True)
        return Response(status_code=204)

    @app.post("/v1.0/servicePrincipals/{sp_id}/synchronization/jobs/{job_id}/restart")
    async def restart(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        scope = _reset_scope(await request.json())
        scopes = {part.strip() for part in scope.split(",") if part.strip()}
        record(job_id, job, "restart", scope)
        run(job, clear_quarantine=not scopes or bool(scopes & {"QuarantineState", "Full"}))
        return Response(status_code=204)

    @app.put("/v1.0/servicePrincipals/{sp_id}/synchronization/secrets")
    async def put_secrets(sp_id: str, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        if not (header.startswith("Bearer ") and header[7:] in state.issued_tokens):
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        pairs = (await request.json()).get("value")
        if not isinstance(pairs, list) or not all(isinstance(p, dict) for p in pairs):
            return graph_error(400, "BadRequest", "The request body must have a 'value' list.")
        with lifecycle.lock:
            lifecycle.secrets[sp_id] = {str(p.get("key")): str(p.get("value")) for p in pairs}
        return Response(status_code=204)

    @app.put("/_fake/secrets")
    async def overwrite_secrets(request: Request) -> Response:
        body = await request.json()
        pairs = {str(p["key"]): str(p["value"]) for p in body.get("credentials") or []}
        with lifecycle.lock:
            lifecycle.secrets[body["servicePrincipalId"]] = pairs
        return Response(status_code=204)

    @app.get("/_fake/actions")
    async def list_actions() -> JSONResponse:
        with lifecycle.lock:
            return JSONResponse({"items": list(lifecycle.actions)})
