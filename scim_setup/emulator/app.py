"""The emulated Dashboard as one FastAPI application: admin API + SCIM endpoint.

`create_app` takes its store and options from the caller, so the CLI, a test
or an in-process server can build the same application.
"""

from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from scim2_models import SCIMException
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from scim_setup.emulator.admin_api import AdminApi, AdminError, admin_error_response
from scim_setup.emulator.control_api import EmulatorHooks, HooksMiddleware
from scim_setup.emulator.scim_api import ScimApi, scim_error_response
from scim_setup.emulator.store import Store

_SCIM_PREFIX = "/scim/"
_HTTP_ERROR_CODES = {404: "not_found", 405: "method_not_allowed"}
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
"""FastAPI's native OpenTelemetry, off: the emulator configures no provider.

If the environment ever configured one, its request logs would carry exception messages out of
the process.
"""


@dataclass(frozen=True)
class AppOptions:
    """How the application presents itself.

    `base_url` is the address clients use (`http://127.0.0.1:8750`); the tenant
    URL is built on it. `test_hooks` adds the `/_emulator` routes and middleware.
    """

    base_url: str
    test_hooks: bool = False


def create_app(store: Store, options: AppOptions) -> ASGIApp:
    """Build the application over `store`; with test hooks, wrapped in their middleware."""
    app = FastAPI(
        title="Dashboard emulator",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=NO_TELEMETRY,
    )
    scim = ScimApi(store, options.base_url)
    # SCIM first: routes are matched in order, and SCIM carries nearly all the traffic.
    scim.add_routes(app)
    app.include_router(AdminApi(store, scim.tenant_url).router())
    app.add_exception_handler(AdminError, _admin_error)
    app.add_exception_handler(SCIMException, _scim_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    if not options.test_hooks:
        return app
    hooks = EmulatorHooks(store.reset)
    app.include_router(hooks.router())
    return HooksMiddleware(app, hooks)


async def _admin_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, AdminError)
    return admin_error_response(error)


async def _scim_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, SCIMException)
    return scim_error_response(error)


async def _http_error(request: Request, error: Exception) -> Response:
    """Unknown paths and methods: a SCIM error under `/scim/`, the admin shape elsewhere."""
    assert isinstance(error, HTTPException)
    status = error.status_code
    if request.url.path.startswith(_SCIM_PREFIX):
        scim_error = SCIMException(detail="no such SCIM resource or method")
        scim_error.status = status
        return scim_error_response(scim_error)
    code = _HTTP_ERROR_CODES.get(status, "error")
    message = "no such path" if status == 404 else "method not allowed on this path"
    return admin_error_response(AdminError(status, code, message))


async def _unexpected_error(request: Request, error: Exception) -> Response:
    """A bug: uvicorn logs the traceback on stderr; the body carries no detail."""
    if request.url.path.startswith(_SCIM_PREFIX):
        scim_error = SCIMException(detail="internal error")
        scim_error.status = 500
        return scim_error_response(scim_error)
    return JSONResponse({"error": "internal_error", "message": "internal error"}, status_code=500)
