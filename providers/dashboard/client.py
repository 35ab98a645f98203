"""The Dashboard admin API client: the only code that knows its URLs, paths and payloads.

The contract is described in `docs/dashboard-api.md`; `scim_setup/emulator/` implements it. Every
error a caller can see is a `DashboardError` whose message is one line saying what was called, what
came back and what to do, and never contains a token or a response body.

Time: every operation (one method call, retries included) ends within `timeout_s` (stack config
`dashboard:timeoutSeconds`, default 60 s), on the package's one transport
(`providers.http_transport`, `DASHBOARD` timeouts): each attempt is abandoned when the deadline
passes, so a server that drips its answer byte by byte cannot stretch it. Up to four retries
follow a 429, 502, 503, 504 or a lost answer, with the waits of `providers.http_retry`
(`Retry-After` capped at 30 s, else 0, 1, 2, 4 s), and never when the wait would pass the
deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from providers.error_reporting import OneLineError
from providers.http_retry import RetryPolicy
from providers.http_transport import (
    DASHBOARD,
    REAL_CLOCK,
    Clock,
    FailedStatus,
    HttpTransport,
    Malformed,
    NoAnswer,
    Timeouts,
    Unreadable,
    json_body,
    one_line,
)

if TYPE_CHECKING:
    import requests

ACCOUNT_SIZE_GB_MIN = 1
ACCOUNT_SIZE_GB_MAX = 10240
LABEL_MAX_CHARS = 200

DEFAULT_TIMEOUT_S = DASHBOARD.deadline_s
TIMEOUT_S_MIN = 1.0
TIMEOUT_S_MAX = 3600.0
RETRIES = RetryPolicy(statuses=frozenset({429, 502, 503, 504}), retry_after_max_s=30.0)
TIMEOUT_KEY = "dashboard:timeoutSeconds"

T = TypeVar("T")


class DashboardError(OneLineError):
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
    """No usable answer: unreachable, failing, too slow, or gave up within the deadline.

    `lost_answers`: how many attempts got no usable answer (the request may have been carried out).
    """

    def __init__(self, message: str, lost_answers: int = 0) -> None:
        super().__init__(message)
        self.lost_answers = lost_answers


class DashboardProtocolError(DashboardError):
    """A success status with a body that is not the contract's answer (HTML, garbage, `{}`)."""


class DashboardOwnershipError(DashboardError):
    """The Dashboard's SCIM settings or token are managed by another stack."""


@dataclass(frozen=True)
class TokenInfo:
    """The active SCIM token as the Dashboard describes it (never the secret)."""

    id: str
    created_at: str
    last_used_at: str | None
    label: str | None = None


@dataclass(frozen=True)
class ScimSettingsState:
    enabled: bool
    tenant_url: str
    account_size_gb: int
    token: TokenInfo | None
    owner: str | None = None


@dataclass(frozen=True)
class GeneratedToken:
    """A freshly generated SCIM token; `secret` is shown this once and never again."""

    id: str
    created_at: str
    secret: str = field(repr=False)
    label: str | None = None


@dataclass(frozen=True)
class BackupAccount:
    id: str
    user_name: str
    external_id: str | None
    quota_gb: int
    active: bool
    created_at: str


class _Malformed(Malformed):
    """A body that does not have the contract's shape; the message never quotes it."""


class DashboardClient:
    """Admin API calls for one Dashboard account, over one `HttpTransport`.

    `clock` is injectable so tests of the retry policy and the deadline never wait for real.
    """

    def __init__(
        self,
        base_url: str,
        api_token: str,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        attempt_timeout: tuple[float, float] = DASHBOARD.attempt,
        clock: Clock = REAL_CLOCK,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout_s = timeout_s
        self._transport = HttpTransport(
            Timeouts(*attempt_timeout, deadline_s=timeout_s),
            headers={"Authorization": f"Bearer {api_token}", "Accept": "application/json"},
            clock=clock,
            secrets=[api_token],
        )

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("DashboardClient holds credentials and must never be serialized")

    def close(self) -> None:
        self._transport.close()

    def get_settings(self) -> ScimSettingsState:
        return self._call("GET", "/api/v1/scim", _settings_from_json)

    def put_settings(
        self, enabled: bool, account_size_gb: int, owner: str | None
    ) -> ScimSettingsState:
        """Write the settings; `owner` marks the stack that manages them (None: nobody)."""
        body = {"enabled": enabled, "accountSizeGb": account_size_gb, "owner": owner}
        return self._call("PUT", "/api/v1/scim", _settings_from_json, body)

    def generate_token(self, label: str | None = None) -> GeneratedToken:
        """Generate the account's SCIM token, labelled with the stack that owns it.

        A lost answer (dropped connection, timeout, 502/504 from a gateway, a garbled body) is
        resent as a fresh POST, although the Dashboard may already have generated a token. That is
        safe because the Dashboard keeps exactly one active token and each POST supersedes the
        previous one at once: a token whose answer was lost is never shown to anyone and dies with
        the next POST, and the token it replaced was being replaced anyway. So the last answered
        POST always returns the only token that works. When no answer arrives within the deadline,
        the error says the Dashboard may hold a token nobody has; the next `pulumi up` generates
        again (the resource is not in state, or its token is no longer the active one).
        """
        body = {} if label is None else {"label": label}
        try:
            return self._call(
                "POST", "/api/v1/scim/token", _generated_token_from_json, body, retry_malformed=True
            )
        except DashboardUnavailableError as exc:
            if not exc.lost_answers:
                raise
            raise DashboardUnavailableError(
                f"{exc} The Dashboard may now hold an active SCIM token that nobody has, and the "
                "previous token, if any, no longer works: run `pulumi up` again to generate one.",
                exc.lost_answers,
            ) from None

    def revoke_token(self, token_id: str) -> bool:
        """Revoke `token_id` if it is the active token; False when it was not (already gone)."""
        try:
            self._call("DELETE", f"/api/v1/scim/token/{token_id}", _no_body)
        except DashboardNotFoundError:
            return False
        return True

    def list_backup_accounts(self) -> list[BackupAccount]:
        return self._call("GET", "/api/v1/backup-accounts", _backup_accounts_from_json)

    def _call(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        body: dict[str, Any] | None = None,
        retry_malformed: bool = False,
    ) -> T:
        """One operation: attempts, retries and waits, all within `timeout_s`.

        A lost answer is retried like a 429/502/503/504. A success with a malformed body is final,
        unless `retry_malformed` (the caller knows the answer was lost and resending is safe).
        """
        url = self._base_url + path
        try:
            return self._transport.exchange(
                method,
                url,
                lambda response: parse(json_body(response)),
                body=body,
                retry=RETRIES,
                resend_malformed=retry_malformed,
                deadline_s=self._timeout_s,
            )
        except Unreadable as failure:
            raise DashboardProtocolError(
                f"{method} {url} {failure.what}{_retried(failure.retries)}, not the Dashboard "
                "admin API's answer. Check that `dashboard:url` is the Dashboard itself (not a "
                "login page or proxy), then run the command again."
            ) from None
        except FailedStatus as failure:
            if failure.status in RETRIES.statuses:
                raise self._gave_up(failure) from None
            raise self._error_for(method, url, failure.response, failure.retries) from None
        except NoAnswer as failure:
            raise self._gave_up(failure) from None

    def _gave_up(self, failure: FailedStatus | NoAnswer) -> DashboardError:
        """The final error of a lost answer or a failing server, after the retries it got."""
        wait = failure.ruled_out_wait
        why = (
            ""
            if wait is None
            else f"; the {self._timeout_s:g} s deadline ({TIMEOUT_KEY}) leaves no time for "
            f"another try"
        )
        where = f"{failure.method} {failure.url}"
        if isinstance(failure, NoAnswer):
            return DashboardUnavailableError(
                f"{where}: {failure.what}{_retried(failure.retries)}{why}. Check `dashboard:url` "
                "and that the Dashboard is up, then run the command again.",
                failure.lost,
            )
        code, detail, _field = self._error_body(failure.response)
        return DashboardUnavailableError(
            f"{where} returned {failure.status} ({code or 'server error'})"
            f"{_retried(failure.retries)}{why}: {detail}. The Dashboard is failing or overloaded; "
            "run the command again later.",
            failure.lost,
        )

    def _error_for(
        self, method: str, url: str, response: requests.Response, retries: int
    ) -> DashboardError:
        status = response.status_code
        code, detail, field_name = self._error_body(response)
        where = f"{method} {url} returned {status}{_retried(retries)}"
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
        if status in (400, 409, 413, 422):
            return DashboardRequestError(
                f"{where} ({code or 'refused'}): {detail}", status=status, field=field_name
            )
        return DashboardUnavailableError(
            f"{where} ({code or 'server error'}): {detail}. The Dashboard failed; run the command "
            "again later, and report it to the Dashboard's operator if it persists."
        )

    def _error_body(self, response: requests.Response) -> tuple[str, str, str | None]:
        """The contract's `{"error", "message", "field"}`, or the HTTP reason for anything else."""
        reason = response.reason or ""
        try:
            data = json_body(response)
        except Malformed:
            return "", reason, None
        if not isinstance(data, dict):
            return "", reason, None
        fields = [data.get(key) for key in ("error", "message", "field")]
        code, message, field_name = (value if isinstance(value, str) else None for value in fields)
        return code or "", self._transport.redact(one_line(message or reason)), field_name


def _retried(retries: int) -> str:
    """What the log bears out: the request was sent once, or retried this many times."""
    if retries == 0:
        return " (sent once, not retried)"
    return f" after {retries} {'retry' if retries == 1 else 'retries'}"


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _Malformed(f"{type(data).__name__ if data is not None else 'no body'} for {what}")
    return data


def _field(data: dict[str, Any], name: str, kind: type[T], what: str) -> T:
    value = data.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Malformed(f"{what} without a valid `{name}`")
    return value


def _optional(data: dict[str, Any], name: str, what: str) -> str | None:
    return None if data.get(name) is None else _field(data, name, str, what)


def _settings_from_json(data: Any) -> ScimSettingsState:
    what = "the SCIM settings"
    obj = _object(data, what)
    token = obj.get("token")
    return ScimSettingsState(
        enabled=_field(obj, "enabled", bool, what),
        tenant_url=_field(obj, "tenantUrl", str, what),
        account_size_gb=_field(obj, "accountSizeGb", int, what),
        owner=_optional(obj, "owner", what),
        token=None if token is None else _token_info(_object(token, "the active token")),
    )


def _token_info(token: dict[str, Any]) -> TokenInfo:
    what = "the active token"
    return TokenInfo(
        id=_field(token, "id", str, what),
        created_at=_field(token, "createdAt", str, what),
        last_used_at=_optional(token, "lastUsedAt", what),
        label=_optional(token, "label", what),
    )


def _generated_token_from_json(data: Any) -> GeneratedToken:
    what = "the generated token"
    obj = _object(data, what)
    return GeneratedToken(
        id=_field(obj, "id", str, what),
        created_at=_field(obj, "createdAt", str, what),
        secret=_field(obj, "token", str, what),
        label=_optional(obj, "label", what),
    )


def _no_body(_data: Any) -> None:
    return None


def _backup_accounts_from_json(data: Any) -> list[BackupAccount]:
    what = "the backup accounts"
    items = _field(_object(data, what), "items", list, what)
    return [_backup_account(_object(item, what)) for item in items]


def _backup_account(item: dict[str, Any]) -> BackupAccount:
    what = "a backup account"
    return BackupAccount(
        id=_field(item, "id", str, what),
        user_name=_field(item, "userName", str, what),
        external_id=_optional(item, "externalId", what),
        quota_gb=_field(item, "quotaGb", int, what),
        active=_field(item, "active", bool, what),
        created_at=_field(item, "createdAt", str, what),
    )
