"""The fake Graph's backend: every object it holds, Graph's error body and the one token check.

As in moto (one backend module holds a service's state; route modules only turn HTTP into calls
on it), the route modules `fake_graph_*` import this module and nothing imports them back but
`fake_graph`, which assembles the app. All state sits behind one lock.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from scim_setup.emulator.clock import utc_now

JOB_STATES = ("Active", "Paused", "Quarantine", "NotRun")
SCHEDULE_STATES = ("Active", "Paused", "Disabled")
QUARANTINE_REASON = "EncounteredQuarantineException"
QUARANTINE_REASONS = (
    "EncounteredBaseEscrowThreshold",
    "EncounteredTotalEscrowThreshold",
    "EncounteredEscrowProportionThreshold",
    "EncounteredQuarantineException",
    "Unknown",
    "QuarantinedOnDemand",
    "TooManyDeletes",
    "IngestionInterrupted",
)
"""Graph's quarantineReason values (synchronization-synchronizationquarantine)."""

DEFAULT_REPLICATION_LAG_SECONDS = 0.5
"""How long a new service principal answers 404 (Graph's replication lag after instantiate)."""


@dataclass
class FakeJob:
    state: str = "Active"
    credentials_valid: bool = True
    quarantine_reason: str = QUARANTINE_REASON
    next_attempt: str | None = None
    schedule_state: str | None = None
    """None: Active while the job runs or sits in quarantine, else Disabled."""
    visible_at: float = 0.0
    """`time.monotonic()` before which Graph answers 404, as right after creation."""
    template_id: str = "scim"
    interval: str = "PT40M"
    """`schedule.interval`: Graph's TimeSpan.MaxValue until the job is first started."""
    last_execution: dict[str, Any] | None = None
    """The outcome of the last provisioning cycle run here; None: the made-up history."""
    last_successful_execution: dict[str, Any] | None = None
    exported: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What the cycles exported, by directory user id: `{"targetId", "values", "active"}` (the
    engine's memory of the target; a restart that resets the watermark clears it)."""
    entry_counts: list[dict[str, Any]] = field(default_factory=list)
    """`synchronizedEntryCountByType` after the cycles run here."""


@dataclass
class FakeGraphState:
    """Everything the fake Graph holds, shared by the request handlers under `lock`."""

    tenant_id: str
    client_id: str
    client_secret: str
    jobs: dict[tuple[str, str], FakeJob] = field(default_factory=dict)
    throttle_count: int = 0
    retry_after: int = 1
    requests: list[dict[str, Any]] = field(default_factory=list)
    issued_tokens: set[str] = field(default_factory=set)
    service_principals: dict[str, dict[str, Any]] = field(default_factory=dict)
    """By object id; `visibleAt` (monotonic) hides a new one, `applicationId` links its app."""
    applications: dict[str, dict[str, Any]] = field(default_factory=dict)
    """App registrations by object id."""
    assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """App role assignments by resource (service principal) object id."""
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    """Saved provisioning secrets by service principal id."""
    actions: list[dict[str, Any]] = field(default_factory=list)
    """Every start, pause and restart, in order."""
    schemas: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The fake directory's users by object id."""
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The fake directory's groups by object id: `{"id", "displayName", "members": [ids]}`."""
    replication_lag: float = DEFAULT_REPLICATION_LAG_SECONDS
    lock: threading.Lock = field(default_factory=threading.Lock)
    cycle_lock: threading.Lock = field(default_factory=threading.Lock)
    """Held while a provisioning cycle runs: one at a time."""
    clock: Callable[[], float] = time.monotonic


def graph_error(status: int, code: str, message: str) -> JSONResponse:
    """Graph's error body: `{"error": {"code", "message", "innerError"}}`."""
    inner = {"date": utc_now(), "request-id": str(uuid.uuid4())}
    body = {"error": {"code": code, "message": message, "innerError": inner}}
    return JSONResponse(body, status)


def not_found(object_id: str) -> JSONResponse:
    """Graph's 404 for a directory object that does not exist (yet)."""
    return graph_error(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property "
        "objects are not present.",
    )


def refused(state: FakeGraphState, request: Request) -> JSONResponse | None:
    """Graph's 401 unless the request carries a bearer token the fake's sign-in issued."""
    header = request.headers.get("authorization", "")
    if header.startswith("Bearer ") and header[7:] in state.issued_tokens:
        return None
    return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")


def find_job(
    state: FakeGraphState, request: Request, sp_id: str, job_id: str
) -> FakeJob | JSONResponse:
    """The job, or the error Graph answers: 401 without a token it issued, 404 while unknown
    (also during the lag after creation)."""
    if failure := refused(state, request):
        return failure
    with state.lock:
        job = state.jobs.get((sp_id.lower(), job_id))
    if job is None or state.clock() < job.visible_at:
        return graph_error(404, "Request_ResourceNotFound", f"Job '{job_id}' not found.")
    return job


def new_id() -> str:
    """A directory object id as Graph writes it: a lower-case GUID."""
    return str(uuid.uuid4())


def saved_secrets(state: FakeGraphState, service_principal_id: str) -> dict[str, str] | None:
    """A copy of the saved provisioning secrets, or None if none were ever saved."""
    with state.lock:
        saved = state.secrets.get(service_principal_id.lower())
    return dict(saved) if saved is not None else None
