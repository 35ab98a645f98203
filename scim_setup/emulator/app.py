"""The emulated Dashboard as one Starlette application: admin API + SCIM endpoint.

Plain Starlette, routes and exception handlers, as Starlette intends: every handler reads its
request itself (the SCIM body through `request_limits`, the token from its header), so FastAPI's
dependency injection and validation would only add CPU per request. `create_app` takes its store
and options from the caller, so the CLI, a test or an in-process server can build the same
application. Starlette records no telemetry unless its middleware is added, and none is.
"""

from dataclasses import dataclass

from scim2_models import SCIMException
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from scim_setup.emulator.admin_api import AdminApi, AdminError, admin_error_response
from scim_setup.emulator.control_api import EmulatorHooks, HooksMiddleware
from scim_setup.emulator.scim_api import ScimApi, scim_error_response
from scim_setup.emulator.store import Store

_SCIM_PREFIX = "/scim/"
_HTTP_ERROR_CODES = {404: "not_found", 405: "method_not_allowed"}


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
    scim = ScimApi(store, options.base_url)
    # SCIM first: routes are matched in order, and SCIM carries nearly all the traffic.
    routes = [*scim.routes(), *AdminApi(store, scim.tenant_url).routes()]
    hooks = EmulatorHooks(store.reset) if options.test_hooks else None
    if hooks is not None:
        routes += hooks.routes()
    app = Starlette(
        routes=routes,
        exception_handlers={
            AdminError: _admin_error,
            SCIMException: _scim_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
    )
    return app if hooks is None else HooksMiddleware(app, hooks)


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
