"""`python -m scim_setup.emulator.fake_graph`: a local Microsoft Graph and token endpoint.

Real Graph cannot be reached from here, so this answers the calls the package (and the azuread
stand-in) makes, with the shapes Microsoft documents. It serves HTTPS with a self-signed
certificate made at start-up (`fake_graph_certificate`), because azure-identity accepts only an
https authority; clients trust it through `REQUESTS_CA_BUNDLE`.

One module per Graph resource, all over one backend (`fake_graph_state`, as moto splits a
service into a backend and its responses); this module assembles them:

- `fake_graph_signin`: the OAuth 2.0 client-credentials token request and the OpenID and
  instance-discovery documents MSAL reads first.
- `fake_graph_applications`: app registrations and service principals.
- `fake_graph_assignments`: app role assignments.
- `fake_graph_jobs`: synchronization jobs (get, validateCredentials, start, restart).
- `fake_graph_secrets`: saved provisioning secrets and Test Connection.
- `fake_graph_mappings`: the job's schema (attribute mappings) and provisionOnDemand.
- `fake_graph_directory`: the users and groups provisioning reads.
- `fake_graph_provisioning`: the provisioning cycle of a started job, against the tenant URL.

When ready it prints one JSON line: `{"url", "authority_host", "ca_bundle", "tenant_id",
"client_id", "client_secret"}`. Tests steer it through `/_fake` routes (each listed in the
docstring of the module that serves it); these two are served here:

- `POST /_fake/throttle` `{"count", "retryAfter"}`: the next `count` Graph calls get 429.
- `GET /_fake/requests`: every Graph and token call so far, `{"method", "path", "status"}`.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator.fake_graph_applications import add_application_routes
from scim_setup.emulator.fake_graph_assignments import add_assignment_routes
from scim_setup.emulator.fake_graph_certificate import write_certificate
from scim_setup.emulator.fake_graph_directory import add_directory_routes
from scim_setup.emulator.fake_graph_jobs import add_job_routes
from scim_setup.emulator.fake_graph_mappings import add_mappings_routes
from scim_setup.emulator.fake_graph_provisioning import (
    add_provisioning_routes,
    start_cycle_timer,
)
from scim_setup.emulator.fake_graph_secrets import add_secret_routes
from scim_setup.emulator.fake_graph_signin import add_signin_routes
from scim_setup.emulator.fake_graph_state import (
    DEFAULT_REPLICATION_LAG_SECONDS,
    QUARANTINE_REASONS,
    FakeGraphState,
    graph_error,
)
from scim_setup.emulator.listen import base_url, bind_socket
from scim_setup.emulator.server import serve

__all__ = ["QUARANTINE_REASONS", "FakeGraphState", "create_fake_graph", "main"]


def create_fake_graph(state: FakeGraphState, url: str) -> FastAPI:
    """The fake Graph app over `state`, served at `url`."""
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

    add_signin_routes(app, state, url)
    add_job_routes(app, state)
    add_mappings_routes(app, state)
    add_secret_routes(app, state)
    add_application_routes(app, state)
    add_assignment_routes(app, state)
    add_directory_routes(app, state)
    add_provisioning_routes(app, state)

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scim_setup.emulator.fake_graph",
        description="Local fake of Microsoft Graph.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the certificate goes")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    parser.add_argument(
        "--replication-lag",
        type=float,
        default=DEFAULT_REPLICATION_LAG_SECONDS,
        help="seconds a new service principal answers 404 (Graph's replication lag)",
    )
    parser.add_argument(
        "--cycle-interval",
        type=float,
        default=0.0,
        help="run a provisioning cycle of every started job this often (seconds; 0: only on "
        "POST /_fake/jobs/{jobId}/cycle)",
    )
    args = parser.parse_args(argv)
    cert_path, key_path = write_certificate(args.data_dir, args.host)
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as error:
        print(f"fake graph: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    url = base_url(args.host, sock.getsockname()[1]).replace("http://", "https://", 1)
    state = FakeGraphState(
        str(uuid.uuid4()),
        str(uuid.uuid4()),
        secrets.token_urlsafe(24),
        replication_lag=max(args.replication_lag, 0.0),
    )
    ready = {
        "url": url,
        "authority_host": url,
        "ca_bundle": str(cert_path),
        "tenant_id": state.tenant_id,
        "client_id": state.client_id,
        "client_secret": state.client_secret,
    }
    if args.cycle_interval > 0:
        start_cycle_timer(state, args.cycle_interval)
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
