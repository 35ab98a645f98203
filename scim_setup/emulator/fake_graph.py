"""`python -m scim_setup.emulator.fake_graph`: a local Microsoft Graph and token endpoint.

Real Graph cannot be reached from here, so this answers the few calls the package makes, with the
shapes Microsoft documents: the OAuth 2.0 client-credentials token request (with the OpenID and
instance-discovery documents MSAL reads first), `POST …/jobs/{id}/validateCredentials` (204, or
400 with Graph's error JSON) and `GET …/jobs/{id}` (the job with its `status`). It serves HTTPS
with a self-signed certificate made at start-up, because azure-identity accepts only an https
authority; clients trust it through `REQUESTS_CA_BUNDLE`.

When ready it prints one JSON line: `{"url", "authority_host", "ca_bundle", "tenant_id",
"client_id", "client_secret"}`. Tests steer it through `/_fake` routes:

- `PUT /_fake/jobs` `{"servicePrincipalId", "jobId", "state", "credentialsValid"}`: create or
  change a job; `state` is Active, Paused, Quarantine or NotRun. Optional: `reason` and
  `nextAttempt` of a quarantine, `schedule` (Active, Paused, Disabled: a job paused in the portal
  or disabled by Entra), `hiddenForSeconds` (Graph answers 404 for it that long, as right after
  creation).
- `POST /_fake/throttle` `{"count", "retryAfter"}`: the next `count` Graph calls get 429.
- `GET /_fake/requests`: every Graph and token call so far, `{"method", "path", "status"}`.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import json
import secrets
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator.clock import utc_now
from scim_setup.emulator.fake_graph_adoption import AdoptionGraph, add_adoption_routes
from scim_setup.emulator.fake_graph_lifecycle import (
    LifecycleState,
    add_lifecycle_routes,
    connection_test_passes,
    saved_secrets,
)
from scim_setup.emulator.fake_graph_mappings import FakeMappingsState, add_mappings_routes
from scim_setup.emulator.listen import base_url, bind_socket
from scim_setup.emulator.server import serve

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


@dataclass
class FakeGraphState:
    """Jobs, planned throttling and the request log, shared by the request handlers."""

    tenant_id: str
    client_id: str
    client_secret: str
    jobs: dict[tuple[str, str], FakeJob] = field(default_factory=dict)
    throttle_count: int = 0
    retry_after: int = 1
    requests: list[dict[str, Any]] = field(default_factory=list)
    issued_tokens: set[str] = field(default_factory=set)
    mappings: FakeMappingsState = field(default_factory=FakeMappingsState)
    lock: threading.Lock = field(default_factory=threading.Lock)
    lifecycle: LifecycleState = field(default_factory=LifecycleState)
    adoption: AdoptionGraph = field(default_factory=AdoptionGraph)


def graph_error(status: int, code: str, message: str) -> JSONResponse:
    """Graph's error body: `{"error": {"code", "message", "innerError"}}`."""
    inner = {"date": utc_now(), "request-id": str(uuid.uuid4())}
    body = {"error": {"code": code, "message": message, "innerError": inner}}
    return JSONResponse(body, status)


def job_json(job_id: str, job: FakeJob) -> dict[str, Any]:
    """A synchronizationJob as Graph returns it, its `status` filled in for `job.state`."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    def stamp(minutes_ago: float) -> str:
        return (now - datetime.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")

    succeeded = _execution("Succeeded", stamp(41), stamp(40), None)
    status: dict[str, Any] = {
        "code": job.state,
        "countSuccessiveCompleteFailures": 0,
        "escrowsPruned": False,
        "lastExecution": None if job.state == "NotRun" else succeeded,
        "lastSuccessfulExecution": None if job.state == "NotRun" else succeeded,
        "lastSuccessfulExecutionWithExports": None,
        "quarantine": None,
        "steadyStateFirstAchievedTime": "0001-01-01T00:00:00Z",
        "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z",
        "synchronizedEntryCountByType": [],
        "troubleshootingUrl": None,
    }
    if job.state == "Quarantine":
        error = _quarantine_error(job.quarantine_reason)
        status["countSuccessiveCompleteFailures"] = 3
        status["lastExecution"] = _execution("Failed", stamp(21), stamp(20), error)
        status["quarantine"] = {
            "currentBegan": stamp(20),
            "nextAttempt": job.next_attempt or stamp(-360),
            "reason": job.quarantine_reason,
            "seriesBegan": stamp(120),
            "seriesCount": 3,
            "error": error,
        }
    schedule_state = job.schedule_state or (
        "Active" if job.state in ("Active", "Quarantine") else "Disabled"
    )
    return {
        "id": job_id,
        "templateId": "scim",
        "schedule": {"expiration": None, "interval": "PT40M", "state": schedule_state},
        "status": status,
    }


def _quarantine_error(reason: str) -> dict[str, Any]:
    """The `synchronizationError` of a quarantine: a 401 for credentials, else the reason."""
    if reason == QUARANTINE_REASON:
        return {
            "code": "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
            "message": "The SCIM endpoint answered 401 Unauthorized.",
            "tenantActionable": True,
        }
    return {"code": reason, "message": f"Provisioning stopped: {reason}.", "tenantActionable": True}


def _execution(state: str, began: str, ended: str, error: Any) -> dict[str, Any]:
    return {
        "activityIdentifier": str(uuid.uuid4()),
        "countEntitled": 2,
        "countEscrowed": 0 if error is None else 2,
        "countExported": 2 if error is None else 0,
        "countImported": 2,
        "error": error,
        "state": state,
        "timeBegan": began,
        "timeEnded": ended,
    }


def create_fake_graph(state: FakeGraphState, url: str) -> FastAPI:
    app = FastAPI(title="Fake Microsoft Graph", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def log_requests(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if path.startswith("/_fake"):
            return await call_next(request)
        throttled = path.startswith("/v1.0/") and _take_throttle(state)
        response = (
            graph_error(429, "TooManyRequests", "Too many requests.")
            if throttled
            else await call_next(request)
        )
        if throttled:
            response.headers["Retry-After"] = str(state.retry_after)
        with state.lock:
            state.requests.append(
                {"method": request.method, "path": path, "status": response.status_code}
            )
        return response

    @app.get("/{tenant}/v2.0/.well-known/openid-configuration")
    async def openid_configuration(tenant: str) -> JSONResponse:
        return JSONResponse(
            {
                "token_endpoint": f"{url}/{tenant}/oauth2/v2.0/token",
                "authorization_endpoint": f"{url}/{tenant}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{url}/{tenant}/oauth2/v2.0/devicecode",
                "issuer": f"{url}/{tenant}/v2.0",
                "end_session_endpoint": f"{url}/{tenant}/oauth2/v2.0/logout",
            }
        )

    @app.get("/common/discovery/instance")
    async def instance_discovery() -> JSONResponse:
        host = url.removeprefix("https://")
        return JSONResponse(
            {
                "tenant_discovery_endpoint": f"{url}/common/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [
                    {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
                ],
            }
        )

    @app.post("/{tenant}/oauth2/v2.0/token")
    async def token(tenant: str, request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if (
            tenant != state.tenant_id
            or form.get("client_id") != state.client_id
            or form.get("client_secret") != state.client_secret
        ):
            return JSONResponse(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                401,
            )
        access_token = secrets.token_urlsafe(32)
        with state.lock:
            state.issued_tokens.add(access_token)
        return JSONResponse(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": access_token,
            }
        )

    def find_job(request: Request, sp_id: str, job_id: str) -> FakeJob | JSONResponse:
        """The job, or the error Graph answers: 401 without a token it issued, 404 if unknown."""
        header = request.headers.get("authorization", "")
        if not (header.startswith("Bearer ") and header[7:] in state.issued_tokens):
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        with state.lock:
            job = state.jobs.get((sp_id, job_id))
        if job is None or time.monotonic() < job.visible_at:
            return graph_error(404, "Request_ResourceNotFound", f"Job '{job_id}' not found.")
        return job

    @app.post("/v1.0/servicePrincipals/{sp_id}/synchronization/jobs/{job_id}/validateCredentials")
    async def validate_credentials(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        body = await request.json()
        if body.get("useSavedCredentials") is not True:
            return graph_error(400, "BadRequest", "Only useSavedCredentials is supported here.")
        saved = saved_secrets(state.lifecycle, sp_id)
        valid = job.credentials_valid if saved is None else await connection_test_passes(saved)
        if not valid:
            return graph_error(
                400,
                "BadRequest",
                "You appear to have entered invalid credentials. Please confirm you are using "
                "the correct information for an administrative account. Error code: "
                "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable",
            )
        return Response(status_code=204)

    @app.get("/v1.0/servicePrincipals/{sp_id}/synchronization/jobs/{job_id}")
    async def get_job(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        return JSONResponse(job_json(job_id, job))

    add_mappings_routes(app, state)
    add_adoption_routes(app, state)

    @app.put("/_fake/jobs")
    async def put_job(request: Request) -> JSONResponse:
        body = await request.json()
        job_state = body.get("state", "Active")
        if job_state not in JOB_STATES:
            return JSONResponse({"message": f"state must be one of {JOB_STATES}"}, 422)
        schedule = body.get("schedule")
        reason = body.get("reason", QUARANTINE_REASON)
        if schedule not in (None, *SCHEDULE_STATES) or reason not in QUARANTINE_REASONS:
            return JSONResponse(
                {"message": f"schedule: {SCHEDULE_STATES}; reason: {QUARANTINE_REASONS}"}, 422
            )
        hidden = float(body.get("hiddenForSeconds") or 0)
        job = FakeJob(
            job_state,
            bool(body.get("credentialsValid", True)),
            reason,
            body.get("nextAttempt"),
            schedule,
            time.monotonic() + hidden if hidden else 0.0,
        )
        with state.lock:
            state.jobs[(body["servicePrincipalId"], body["jobId"])] = job
        return JSONResponse(job_json(body["jobId"], job))

    add_lifecycle_routes(app, state, find_job)

    @app.post("/_fake/throttle")
    async def throttle(request: Request) -> Response:
        body = await request.json()
        with state.lock:
            state.throttle_count = int(body.get("count", 1))
            state.retry_after = int(body.get("retryAfter", 1))
        return Response(status_code=204)

    @app.get("/_fake/requests")
    async def list_requests() -> JSONResponse:
        with state.lock:
            return JSONResponse({"items": list(state.requests)})

    return app


def _take_throttle(state: FakeGraphState) -> bool:
    with state.lock:
        if state.throttle_count <= 0:
            return False
        state.throttle_count -= 1
        return True


def write_certificate(directory: Path, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for `host` (and localhost), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-graph.local")])
    now = datetime.datetime.now(datetime.UTC)
    alt_names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    try:
        alt_names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        alt_names.append(x509.DNSName(host))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "fake-graph-cert.pem", directory / "fake-graph-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scim_setup.emulator.fake_graph",
        description="Local fake of Microsoft Graph.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the certificate goes")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    args = parser.parse_args(argv)
    cert_path, key_path = write_certificate(args.data_dir, args.host)
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        print(f"fake graph: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    url = base_url(args.host, sock.getsockname()[1]).replace("http://", "https://", 1)
    state = FakeGraphState(str(uuid.uuid4()), str(uuid.uuid4()), secrets.token_urlsafe(24))
    ready = {
        "url": url,
        "authority_host": url,
        "ca_bundle": str(cert_path),
        "tenant_id": state.tenant_id,
        "client_id": state.client_id,
        "client_secret": state.client_secret,
    }
    serve(
        create_fake_graph(state, url),
        sock,
        lambda: print(json.dumps(ready), flush=True),
        log_level=args.log_level,
        ssl=(str(cert_path), str(key_path)),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
