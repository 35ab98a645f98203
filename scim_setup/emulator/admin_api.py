"""The Dashboard admin API of `docs/dashboard-api.md`: SCIM settings, token, backup accounts.

Every call needs an admin API token of a user with the administrator role
(the Dashboard's setup guide requires that role for SCIM). Errors are
`{"error", "message"}` bodies; no body ever contains a token.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scim_setup.emulator import request_limits
from scim_setup.emulator.clock import utc_now
from scim_setup.emulator.store import KEEP, ScimSettings, ScimTokenRecord, Store
from scim_setup.emulator.tokens import bearer_token, new_id, new_secret, token_hash, token_matches

MIN_ACCOUNT_SIZE_GB = 1
MAX_ACCOUNT_SIZE_GB = 10240
MAX_LABEL_LENGTH = 200
ADMIN_ROLE = "admin"
VIEWER_ROLE = "viewer"


class AdminError(Exception):
    """An admin API error; `field` names the offending field of a 422."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def admin_error_response(error: AdminError) -> JSONResponse:
    """Render an admin error as the contract's JSON body."""
    body: dict[str, Any] = {"error": error.code, "message": error.message}
    if error.field is not None:
        body["field"] = error.field
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return JSONResponse(body, status_code=error.status, headers=headers)


def validation_error(field: str, message: str) -> AdminError:
    """Return the 422 for one field."""
    return AdminError(422, "validation_failed", message, field)


async def json_object(request: Request) -> dict[str, Any]:
    """Parse a JSON object body within `scim_setup.emulator.request_limits`, or raise 400 / 413."""
    try:
        body = await request_limits.json_body(request)
    except request_limits.InputRejected as error:
        if error.problem == "too_large":
            raise AdminError(413, "payload_too_large", error.detail) from None
        raise AdminError(400, "bad_request", error.detail) from None
    if not isinstance(body, dict):
        raise AdminError(400, "bad_request", "the body must be a JSON object")
    return body


class AdminApi:
    """Routes and handlers of the admin API."""

    def __init__(self, store: Store, tenant_url: str) -> None:
        self._store = store
        self._tenant_url = tenant_url
        self._token_hashes = store.admin_token_hashes()

    def routes(self) -> list[Route]:
        """The routes under `/api/v1`."""
        return [
            Route("/api/v1/scim", self.get_settings, methods=["GET"]),
            Route("/api/v1/scim", self.put_settings, methods=["PUT"]),
            Route("/api/v1/scim/token", self.generate_token, methods=["POST"]),
            Route("/api/v1/scim/token/{token_id}", self.revoke_token, methods=["DELETE"]),
            Route("/api/v1/backup-accounts", self.backup_accounts, methods=["GET"]),
        ]

    def _require_admin(self, request: Request) -> None:
        """401 for a missing or unknown token, 403 for a user without the administrator role."""
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise AdminError(401, "unauthorized", "send 'Authorization: Bearer <admin API token>'")
        matches = {
            role for role, stored in self._token_hashes.items() if token_matches(token, stored)
        }
        if not matches:
            raise AdminError(401, "unauthorized", "the admin API token is not valid")
        if ADMIN_ROLE not in matches:
            raise AdminError(403, "forbidden", "administrator role required")

    async def get_settings(self, request: Request) -> JSONResponse:
        """`GET /api/v1/scim`."""
        self._require_admin(request)
        return JSONResponse(self._settings_json(self._store.settings()))

    async def put_settings(self, request: Request) -> JSONResponse:
        """`PUT /api/v1/scim`: both fields required; idempotent."""
        self._require_admin(request)
        body = await json_object(request)
        enabled = _enabled(body)
        size = _account_size_gb(body)
        owner = _label(body, "owner") if "owner" in body else KEEP
        return JSONResponse(self._settings_json(self._store.save_settings(enabled, size, owner)))

    async def generate_token(self, request: Request) -> JSONResponse:
        """`POST /api/v1/scim/token`: the secret is shown this once; the old token dies now."""
        self._require_admin(request)
        body = await json_object(request) if await request.body() else {}
        label = _label(body, "label")
        secret = new_secret()
        record = ScimTokenRecord(new_id("tok"), token_hash(secret), utc_now(), None, label)
        self._store.replace_scim_token(record)
        answer = {"id": record.id, "token": secret, "createdAt": record.created_at, "label": label}
        return JSONResponse(answer, status_code=201, headers={"Cache-Control": "no-store"})

    async def revoke_token(self, request: Request) -> Response:
        """`DELETE /api/v1/scim/token/{id}`: 404 unless `{id}` is the active token."""
        self._require_admin(request)
        if not self._store.revoke_scim_token(request.path_params["token_id"]):
            raise AdminError(404, "not_found", "no active SCIM token with this id")
        return Response(status_code=204)

    async def backup_accounts(self, request: Request) -> JSONResponse:
        """`GET /api/v1/backup-accounts`."""
        self._require_admin(request)
        items = [
            {
                "id": account.id,
                "userName": account.user_name,
                "externalId": account.external_id,
                "quotaGb": account.quota_gb,
                "active": account.active,
                "createdAt": account.created_at,
            }
            for account in self._store.backup_accounts()
        ]
        return JSONResponse({"items": items})

    def _settings_json(self, settings: ScimSettings) -> dict[str, Any]:
        token = self._store.scim_token()
        return {
            "enabled": settings.enabled,
            "tenantUrl": self._tenant_url,
            "accountSizeGb": settings.account_size_gb,
            "owner": settings.owner,
            "token": None
            if token is None
            else {
                "id": token.id,
                "createdAt": token.created_at,
                "lastUsedAt": token.last_used_at,
                "label": token.label,
            },
        }


def _enabled(body: dict[str, Any]) -> bool:
    if "enabled" not in body:
        raise validation_error("enabled", "enabled is required")
    value = body["enabled"]
    if not isinstance(value, bool):
        raise validation_error("enabled", "enabled must be true or false")
    return value


def _account_size_gb(body: dict[str, Any]) -> int:
    """A whole number of GB in range; 50.0 counts as 50, but not 50.5, "50" or true."""
    if "accountSizeGb" not in body:
        raise validation_error("accountSizeGb", "accountSizeGb is required")
    value = body["accountSizeGb"]
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise validation_error("accountSizeGb", "accountSizeGb must be a whole number of GB")
    size = int(value)
    if not MIN_ACCOUNT_SIZE_GB <= size <= MAX_ACCOUNT_SIZE_GB:
        raise validation_error(
            "accountSizeGb",
            f"accountSizeGb must be between {MIN_ACCOUNT_SIZE_GB} and {MAX_ACCOUNT_SIZE_GB}",
        )
    return size


def _label(body: dict[str, Any], field: str) -> str | None:
    """An optional marker of who manages the settings or token: null, or 1-200 printable chars."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_LABEL_LENGTH:
        raise validation_error(field, f"{field} must be null or 1 to {MAX_LABEL_LENGTH} characters")
    if not value.isprintable():
        raise validation_error(field, f"{field} must not contain control characters")
    return value
