"""The Dashboard admin API client: the only code that knows its URLs, paths and payloads.

The contract is described in `docs/dashboard-api.md`; `emulator/` implements it. Every error a
caller can see is a `DashboardError` whose message says what to do and never contains a token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

ACCOUNT_SIZE_GB_MIN = 1
ACCOUNT_SIZE_GB_MAX = 10240

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
RETRY_ATTEMPTS = 4
RETRY_AFTER_MAX_S = 30.0
RETRY_STATUSES = (429, 502, 503, 504)
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE"})


class DashboardError(Exception):
    """A Dashboard call failed; the message says what to do about it."""


class DashboardConfigError(DashboardError):
    """`dashboard:url` or `dashboard:apiToken` is missing or unusable."""


class DashboardAuthError(DashboardError):
    """401: the admin API token is missing, wrong or revoked."""


class DashboardPermissionError(DashboardError):
    """403: the token's user lacks the administrator role."""


class DashboardNotFoundError(DashboardError):
    """404: wrong base URL, or an object that no longer exists."""


class DashboardRequestError(DashboardError):
    """409/422/400: the Dashboard refused the request as given."""

    def __init__(self, message: str, status: int, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


class DashboardUnavailableError(DashboardError):
    """The Dashboard could not be reached or kept failing after retries."""


@dataclass(frozen=True)
class TokenInfo:
    """The active SCIM token as the Dashboard describes it (never the secret)."""

    id: str
    created_at: str
    last_used_at: str | None


@dataclass(frozen=True)
class ScimSettingsState:
    enabled: bool
    tenant_url: str
    account_size_gb: int
    token: TokenInfo | None


@dataclass(frozen=True)
class GeneratedToken:
    """A freshly generated SCIM token; `secret` is shown this once and never again."""

    id: str
    created_at: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class BackupAccount:
    id: str
    user_name: str
    external_id: str | None
    quota_gb: int
    active: bool
    created_at: str


class _CappedRetry(Retry):
    """urllib3 Retry that honours Retry-After but never sleeps longer than the budget allows."""

    def get_retry_after(self, response: Any) -> float | None:
        retry_after = super().get_retry_after(response)
        return None if retry_after is None else min(retry_after, RETRY_AFTER_MAX_S)


def _retry_policy() -> Retry:
    return _CappedRetry(
        total=RETRY_ATTEMPTS,
        connect=RETRY_ATTEMPTS,
        read=RETRY_ATTEMPTS,
        status=RETRY_ATTEMPTS,
        other=0,
        backoff_factor=0.5,
        backoff_max=8.0,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=IDEMPOTENT_METHODS,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class DashboardClient:
    """Admin API calls for one Dashboard account, over one `requests.Session`."""

    def __init__(
        self,
        base_url: str,
        api_token: str,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_token = api_token
        self._timeout = timeout
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {api_token}", "Accept": "application/json"}
        )
        adapter = HTTPAdapter(max_retries=_retry_policy())
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("DashboardClient holds credentials and must never be serialized")

    def close(self) -> None:
        self._session.close()

    def get_settings(self) -> ScimSettingsState:
        return _settings_from_json(self._call("GET", "/api/v1/scim"))

    def put_settings(self, enabled: bool, account_size_gb: int) -> ScimSettingsState:
        body = {"enabled": enabled, "accountSizeGb": account_size_gb}
        return _settings_from_json(self._call("PUT", "/api/v1/scim", body))

    def generate_token(self) -> GeneratedToken:
        data = self._call("POST", "/api/v1/scim/token")
        return GeneratedToken(id=data["id"], created_at=data["createdAt"], secret=data["token"])

    def revoke_token(self, token_id: str) -> bool:
        """Revoke `token_id` if it is the active token; False when it was not (already gone)."""
        try:
            self._call("DELETE", f"/api/v1/scim/token/{token_id}")
        except DashboardNotFoundError:
            return False
        return True

    def list_backup_accounts(self) -> list[BackupAccount]:
        data = self._call("GET", "/api/v1/backup-accounts")
        return [_backup_account_from_json(item) for item in data["items"]]

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self._base_url + path
        try:
            response = self._session.request(method, url, json=body, timeout=self._timeout)
        except requests.RequestException as exc:
            raise DashboardUnavailableError(
                f"{method} {url} failed: could not reach the Dashboard "
                f"({type(exc).__name__}) after {RETRY_ATTEMPTS} retries. Check `dashboard:url` "
                "and that the Dashboard is up, then run the command again."
            ) from None
        if response.status_code >= 400:
            raise self._error_for(method, url, response)
        return response.json() if response.content else None

    def _error_for(self, method: str, url: str, response: requests.Response) -> DashboardError:
        status = response.status_code
        code, detail, field_name = _error_body(response)
        detail = detail.replace(self._api_token, "***") if self._api_token else detail
        where = f"{method} {url} returned {status}"
        if status == 401:
            return DashboardAuthError(
                f"{where}: the Dashboard rejected the admin API token. Set a valid one with "
                "`pulumi config set --secret dashboard:apiToken <token>` "
                "(or DASHBOARD_API_TOKEN)."
            )
        if status == 403:
            return DashboardPermissionError(
                f"{where}: {detail or 'forbidden'}. SCIM settings need a Dashboard account with "
                "the administrator role; use an administrator's API token."
            )
        if status == 404:
            return DashboardNotFoundError(
                f"{where}: not found. Check `dashboard:url` points at the Dashboard itself "
                "(scheme and host, no path)."
            )
        if status in (400, 409, 422):
            return DashboardRequestError(
                f"{where} ({code}): {detail}", status=status, field=field_name
            )
        return DashboardUnavailableError(
            f"{where} ({code or 'server error'}) after {RETRY_ATTEMPTS} retries: {detail}. "
            "The Dashboard is failing or overloaded; run the command again later."
        )


def _error_body(response: requests.Response) -> tuple[str, str, str | None]:
    try:
        data = response.json()
    except ValueError:
        return "", response.reason or "", None
    if not isinstance(data, dict):
        return "", response.reason or "", None
    return str(data.get("error", "")), str(data.get("message", "")), data.get("field")


def _settings_from_json(data: dict[str, Any]) -> ScimSettingsState:
    token = data.get("token")
    return ScimSettingsState(
        enabled=bool(data["enabled"]),
        tenant_url=str(data["tenantUrl"]),
        account_size_gb=int(data["accountSizeGb"]),
        token=None
        if token is None
        else TokenInfo(
            id=token["id"], created_at=token["createdAt"], last_used_at=token.get("lastUsedAt")
        ),
    )


def _backup_account_from_json(item: dict[str, Any]) -> BackupAccount:
    return BackupAccount(
        id=item["id"],
        user_name=item["userName"],
        external_id=item.get("externalId"),
        quota_gb=int(item["quotaGb"]),
        active=bool(item["active"]),
        created_at=item["createdAt"],
    )
