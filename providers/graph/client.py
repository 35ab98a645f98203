"""The Microsoft Graph calls of this package: Entra's Test Connection, the provisioning job, its
synchronization schema (attribute mappings) and provisioning on demand.

All on the package's one transport (`providers.http_transport`, `GRAPH` timeouts) whose bearer
token comes from an azure-identity credential (see `providers.graph.credentials`). Graph
throttling (429, 503, 504) and lost answers are retried with the waits of `providers.http_retry`,
within the 180 s deadline; every other failure is a `GraphError` built from Graph's error JSON
(`{"error": {"code", "message", "innerError": {"request-id"}}}`), one line naming the call; a
success whose body is not JSON (a proxy's HTML page) is one too.
Permissions: `providers.graph.permissions` (each call, and the permission that covers it).

Graph is eventually consistent: right after a service principal, secret or job is created or
written it may answer 404, or a transient 400/401, for a few seconds (terraform-provider-azuread
issue 1013). Only the calls made right after such a write (`just_written=True`) retry those
answers (`LAG_RETRIES`), within the same deadline; everywhere else they fail at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pulumi.dynamic import CheckFailure

from providers.configured_provider import is_known
from providers.error_reporting import OneLineError
from providers.graph.discovery import (
    AppRoleAssignmentInfo,
    ServicePrincipalInfo,
    SynchronizationJobInfo,
    assignment_from_json,
    job_from_json,
    odata_string,
    secrets_from_json,
    service_principal_from_json,
)
from providers.graph.permissions import missing_permissions_advice, unavailable
from providers.http_retry import RetryPolicy
from providers.http_transport import (
    GRAPH,
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
    retried,
)

if TYPE_CHECKING:
    import requests

GRAPH_API_VERSION = "v1.0"
GRAPH_URL_HINT = "azuread:environment (or SCIM_SETUP_GRAPH_URL)"
RETRIES = RetryPolicy(statuses=frozenset({429, 503, 504}), retry_after_max_s=60.0)
LAG_RETRIES = RetryPolicy(statuses=frozenset({400, 401, 404}), max_retries=5)
"""Waits 0, 1, 2, 4, 8 s (15 s in all): Graph's lag after a write lasts a few seconds."""
SERVICE_PRINCIPAL_WAIT_S = 120.0
"""How long a new application's service principal may stay invisible (Graph answers 404)."""
OBJECT_ID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
JOB_PATH = re.compile(r"^/servicePrincipals/[0-9A-Za-z-]+/synchronization/jobs/[^/\s]+$")
_CALL_PATH = re.compile(
    r"^(?P<job>/servicePrincipals/[^/]+/synchronization/jobs/[^/]+)"
    r"(?:/(?:validateCredentials|start|pause|restart|schema(?:/parseExpression)?|provisionOnDemand))?$"
    r"|^/servicePrincipals/[0-9A-Za-z-]+/synchronization/secrets$"
    r"|^/users/[^/?]+(?:\?[^/]*)?$"
)

TokenSource = Callable[[], str]
"""Returns a current Graph access token (azure-identity caches and renews it)."""


class GraphError(OneLineError):
    """A Graph call failed; the message is one line and says what to do."""

    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def job_path_problem(job_path: str) -> str | None:
    """Why `job_path` is not a synchronization job id as pulumi-azuread writes it, or None."""
    if JOB_PATH.match(job_path):
        return None
    return (
        f"{job_path!r} is not a synchronization job id; expected "
        "/servicePrincipals/{objectId}/synchronization/jobs/{jobId} (SynchronizationJob.id)"
    )


def job_id_failures(news: dict[str, Any]) -> list[CheckFailure]:
    """A malformed `job_id` input, reported from `check()` before any call is made."""
    job_id = news.get("job_id")
    problem = job_path_problem(job_id) if isinstance(job_id, str) and is_known(job_id) else None
    return [CheckFailure("job_id", problem)] if problem else []


@dataclass(frozen=True)
class QuarantineInfo:
    reason: str | None
    current_began: str | None
    next_attempt: str | None
    series_count: int | None
    error: str | None


@dataclass(frozen=True)
class ExecutionInfo:
    state: str | None
    time_began: str | None
    time_ended: str | None
    count_exported: int | None
    count_escrowed: int | None
    error: str | None


@dataclass(frozen=True)
class JobStatus:
    """A synchronization job's `status`, as operators need it (Graph `synchronizationStatus`)."""

    code: str
    quarantine: QuarantineInfo | None
    last_execution: ExecutionInfo | None
    last_successful_execution: ExecutionInfo | None
    count_successive_complete_failures: int
    troubleshooting_url: str | None


@dataclass(frozen=True)
class ProvisioningJob:
    """A synchronization job's schedule state (Active, Paused, Disabled) and its status."""

    schedule_state: str
    status: JobStatus


class GraphClient:
    """Graph calls on one session; `graph_url` is e.g. `https://graph.microsoft.com`."""

    def __init__(
        self,
        graph_url: str,
        access_token: TokenSource,
        clock: Clock = REAL_CLOCK,
        timeouts: Timeouts = GRAPH,
        environment: str = "public",
    ) -> None:
        self._base = f"{graph_url.rstrip('/')}/{GRAPH_API_VERSION}"
        self.environment = environment
        """The cloud (`azuread:environment`): some calls are missing in some clouds."""
        self._clock = clock
        self._transport = HttpTransport(
            timeouts, bearer=access_token, headers={"Accept": "application/json"}, clock=clock
        )

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("GraphClient holds credentials and must never be serialized")

    def close(self) -> None:
        self._transport.close()

    def unavailable(self, call: str) -> str | None:
        """Why this cloud has no `call` (`validateCredentials`, `start`), or None where it has."""
        return unavailable(self.environment, call)

    def validate_credentials(self, job_path: str, just_written: bool = False) -> None:
        """Entra's Test Connection with the saved Tenant URL and Secret Token (204: passed)."""
        body = {"useSavedCredentials": True}
        self._call("POST", f"{job_path}/validateCredentials", body, just_written)

    def job_status(self, job_path: str) -> JobStatus:
        return _job_status(self._call("GET", job_path).get("status") or {})

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        just_written: bool = False,
    ) -> Any:
        """One call, retried on throttling and lost answers within `timeout_s`.

        Every call here is safe to repeat: validateCredentials and parseExpression only check, a
        GET only reads, start, the secrets PUT and a schema PUT or DELETE end in the same state,
        a restart resends the same criteria, and provisionOnDemand matches what a first attempt
        created. With `just_written`, Graph's lag after a write (`LAG_RETRIES`) is waited out too.
        """
        if problem := _path_problem(path):
            raise GraphError(problem)
        return self._send(method, path, body, just_written)

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        api_version: str = GRAPH_API_VERSION,
    ) -> Any:
        """Any Graph call (`path` after the version), for the azuread stand-in's resources.

        Throttling and lost answers are retried as in `_call`; a failure is a `GraphError`
        saying what was called and what came back, without this package's advice (the caller
        knows what it was doing).
        """
        base = f"{self._base.rsplit('/', 1)[0]}/{api_version}"
        return self._send(method, path, body, advise=False, base=base)

    def _send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        just_written: bool = False,
        advise: bool = True,
        base: str | None = None,
    ) -> Any:
        """`_call` without the path check, for the collection reads of `scim-setup adopt`."""
        url = (base or self._base) + path
        try:
            return self._transport.exchange(
                method,
                url,
                lambda response: json_body(response, empty={}),
                body=body,
                retry=RETRIES,
                lag=LAG_RETRIES if just_written else None,
            )
        except FailedStatus as failure:
            raise _error(method, url, failure, self._transport.redact, advise) from None
        except Unreadable as failure:
            raise GraphError(
                f"{method} {url} {failure.what}{retried(failure.retries)}, not Microsoft Graph's "
                f"answer; check that {GRAPH_URL_HINT} reaches Graph itself (not a proxy's or "
                "sign-in page), then try again",
                failure.status,
            ) from None
        except NoAnswer as failure:
            raise GraphError(
                f"{method} {url} failed: could not reach Microsoft Graph ({failure.what}"
                f"{retried(failure.retries)}); check the network and try again"
            ) from None

    def schema(self, job_path: str) -> dict[str, Any]:
        """The job's `synchronizationSchema` (directories and synchronization rules)."""
        return self._call("GET", f"{job_path}/schema")

    def put_schema(self, job_path: str, schema: dict[str, Any]) -> None:
        """Replace the whole schema (204); safe to repeat."""
        self._call("PUT", f"{job_path}/schema", schema)

    def reset_schema(self, job_path: str) -> None:
        """`DELETE .../schema`: back to the template's default schema (204); safe to repeat."""
        self._call("DELETE", f"{job_path}/schema")

    def parse_expression(self, job_path: str, expression: str) -> dict[str, Any]:
        """Graph's `attributeMappingSource` tree for a mapping expression (`parseExpression`)."""
        body = {"expression": expression}
        answer = self._call("POST", f"{job_path}/schema/parseExpression", body)
        parsed = answer.get("parsedExpression")
        if not answer.get("parsingSucceeded") or not isinstance(parsed, dict):
            error = answer.get("error") or {}
            reason = error.get("message") if isinstance(error, dict) else error
            raise GraphError(
                f"Graph could not parse the mapping expression {expression!r}"
                f"{f' ({reason})' if reason else ''}; fix it in entra:attributeMappings"
            )
        return parsed

    def provision_on_demand(self, job_path: str, rule_id: str, object_id: str) -> dict[str, Any]:
        """`provisionOnDemand` for one user: Graph's `{key, value}` pair, both JSON text.

        Repeating it is harmless: a second run matches the account the first one created.
        """
        subject = {"objectId": object_id, "objectTypeName": "User"}
        body = {"parameters": [{"ruleId": rule_id, "subjects": [subject]}]}
        return self._call("POST", f"{job_path}/provisionOnDemand", body)

    def user_object_id(self, user: str) -> str:
        """The object id of a user given by object id or user principal name."""
        answer = self._call("GET", f"/users/{quote(user, safe='@')}?$select=id")
        return str(answer["id"])

    def job(self, job_path: str, just_written: bool = False) -> ProvisioningJob:
        """The job's schedule and status (`GET …/jobs/{id}`); Active schedule = running."""
        job = self._call("GET", job_path, just_written=just_written)
        schedule = job.get("schedule") or {}
        return ProvisioningJob(
            str(schedule.get("state") or "Disabled"), _job_status(job.get("status") or {})
        )

    def start_job(self, job_path: str, just_written: bool = False) -> None:
        """`POST …/start`: a paused job continues, a quarantined one leaves quarantine (204)."""
        self._call("POST", f"{job_path}/start", just_written=just_written)

    def pause_job(self, job_path: str) -> None:
        """`POST …/pause`: the job stops after its current cycle, keeping its progress (204)."""
        self._call("POST", f"{job_path}/pause")

    def restart_job(self, job_path: str, reset_scope: str, just_written: bool = False) -> None:
        """`POST …/restart` with `criteria.resetScope` (a comma-separated list; 204)."""
        body = {"criteria": {"resetScope": reset_scope}}
        self._call("POST", f"{job_path}/restart", body, just_written)

    def save_credentials(self, job_path: str, credentials: list[dict[str, str]]) -> None:
        """`PUT /servicePrincipals/{id}/synchronization/secrets`: the provisioning secrets."""
        service_principal = job_path.split("/synchronization/", 1)[0]
        self._call("PUT", f"{service_principal}/synchronization/secrets", {"value": credentials})

    def wait_for_service_principal(
        self, object_id: str, wait_s: float = SERVICE_PRINCIPAL_WAIT_S
    ) -> None:
        """Return once Graph shows the service principal (`GET /servicePrincipals/{id}`: 200).

        A new application's service principal can answer 404 for a while after the application
        itself is readable (terraform-provider-azuread's application-from-template create waits
        for the application only). Polls with the usual backoff (at most 8 s apart) for `wait_s`;
        any answer but 404 fails at once.
        """
        if not OBJECT_ID.match(object_id):
            raise GraphError(f"{object_id!r} is not a service principal object id (a GUID)")
        path = f"/servicePrincipals/{object_id}"
        give_up = self._clock.now() + wait_s
        tries = 0
        while True:
            try:
                self._send("GET", path)
                return
            except GraphError as error:
                wait = LAG_RETRIES.wait(tries, None)
                if error.status != 404 or self._clock.now() + wait >= give_up:
                    if error.status == 404:
                        raise GraphError(
                            f"GET {self._base}{path} still returned 404 after {wait_s:.0f} s: the "
                            "new application's service principal has not appeared in Graph; run "
                            "`pulumi up` again in a few minutes",
                            404,
                            error.code,
                        ) from None
                    raise
            self._clock.sleep(wait)
            tries += 1

    # Reads of `scim-setup adopt` (providers.graph.discovery): the app, its service principal,
    # the synchronization jobs and the group assignments of a setup made in the portal.
    # Permissions: `providers.graph.permissions.READ_ONLY`.

    def service_principal(
        self,
        client_id: str | None = None,
        object_id: str | None = None,
        display_name: str | None = None,
    ) -> ServicePrincipalInfo:
        """The enterprise app by object id, client id (appId) or exact display name."""
        if object_id:
            return service_principal_from_json(self._send("GET", f"/servicePrincipals/{object_id}"))
        key, value = ("appId", client_id) if client_id else ("displayName", display_name or "")
        found = self._list(f"/servicePrincipals?$filter={key} eq {odata_string(value)}")
        if len(found) != 1:
            raise GraphError(
                f"{len(found)} enterprise applications have {key} {value!r}; name exactly one "
                "with entra:application.objectId (its Overview page shows the Object ID)"
            )
        return service_principal_from_json(found[0])

    def application_object_id(self, client_id: str) -> str | None:
        """The app registration's object id, or None when the tenant has none (gallery apps)."""
        found = self._list(f"/applications?$filter=appId eq {odata_string(client_id)}")
        return str(found[0].get("id")) if found else None

    def synchronization_jobs(self, service_principal_id: str) -> list[SynchronizationJobInfo]:
        path = f"/servicePrincipals/{service_principal_id}/synchronization/jobs"
        return [job_from_json(job) for job in self._list(path)]

    def app_role_assignments(self, service_principal_id: str) -> list[AppRoleAssignmentInfo]:
        """Who is assigned to the app: users, groups and service principals."""
        path = f"/servicePrincipals/{service_principal_id}/appRoleAssignedTo"
        return [assignment_from_json(item) for item in self._list(path)]

    def synchronization_secrets(self, service_principal_id: str) -> dict[str, str]:
        """The saved provisioning secrets by key; Graph masks the token (and passwords) as `*`."""
        path = f"/servicePrincipals/{service_principal_id}/synchronization/secrets"
        return secrets_from_json(self._send("GET", path))

    def _list(self, path: str) -> list[dict[str, Any]]:
        """Every item of a collection, following `@odata.nextLink` within this Graph."""
        items: list[dict[str, Any]] = []
        next_path: str | None = path
        while next_path is not None:
            page = self._send("GET", next_path)
            items += [item for item in page.get("value") or [] if isinstance(item, dict)]
            link = page.get("@odata.nextLink")
            next_path = link.removeprefix(self._base) if isinstance(link, str) else None
            if next_path is not None and next_path == link:
                raise GraphError(f"GET {link}: a next page outside {self._base}; not followed")
        return items


def _path_problem(path: str) -> str | None:
    """Why `path` is none of the job and secrets paths this client calls, or None."""
    match = _CALL_PATH.match(path)
    if match is None or match.group("job") is None:
        return None if match else job_path_problem(path)
    return job_path_problem(match.group("job"))


_ADVICE = {
    401: "the Graph access token was refused; check the azuread:* credentials (or ARM_*)",
    403: missing_permissions_advice(),
    404: "no such service principal or job; was it deleted outside Pulumi? Run `pulumi refresh`",
    429: "Graph kept throttling; try again later",
}


def _error(
    method: str,
    url: str,
    failure: FailedStatus,
    redact: Callable[[str], str],
    advise: bool = True,
) -> GraphError:
    status = failure.status
    code, message, request_id = _graph_error_body(failure.response)
    detail = f"{code}: {message}" if code else (message or failure.response.reason or "error")
    request = f" (request-id {request_id})" if request_id else ""
    returned = f"{method} {url} returned {status} {detail}{request}{retried(failure.retries)}"
    if not advise:
        return GraphError(redact(returned), status, code)
    advice = _ADVICE.get(status)
    if advice is None and status == 400:
        advice = "Entra could not use the saved Tenant URL and Secret Token (see the error)"
    if advice is None:
        advice = "Graph failed; try again later"
    return GraphError(redact(f"{returned}; {advice}"), status, code)


def _graph_error_body(response: requests.Response) -> tuple[str, str, str]:
    try:
        error = json_body(response, empty={}).get("error") or {}
    except (Malformed, AttributeError):
        return "", "", ""
    if not isinstance(error, dict):
        return "", one_line(str(error)), ""
    inner = error.get("innerError") or error.get("innererror") or {}
    request_id = inner.get("request-id", "") if isinstance(inner, dict) else ""
    return str(error.get("code") or ""), one_line(str(error.get("message") or "")), str(request_id)


def _job_status(status: dict[str, Any]) -> JobStatus:
    quarantine = status.get("quarantine")
    return JobStatus(
        code=str(status.get("code") or "NotConfigured"),
        quarantine=None
        if not quarantine
        else QuarantineInfo(
            reason=quarantine.get("reason"),
            current_began=quarantine.get("currentBegan"),
            next_attempt=quarantine.get("nextAttempt"),
            series_count=quarantine.get("seriesCount"),
            error=_error_text(quarantine.get("error")),
        ),
        last_execution=_execution(status.get("lastExecution")),
        last_successful_execution=_execution(status.get("lastSuccessfulExecution")),
        count_successive_complete_failures=int(status.get("countSuccessiveCompleteFailures") or 0),
        troubleshooting_url=status.get("troubleshootingUrl"),
    )


def _execution(execution: dict[str, Any] | None) -> ExecutionInfo | None:
    if not execution:
        return None
    return ExecutionInfo(
        state=execution.get("state"),
        time_began=execution.get("timeBegan"),
        time_ended=execution.get("timeEnded"),
        count_exported=execution.get("countExported"),
        count_escrowed=execution.get("countEscrowed"),
        error=_error_text(execution.get("error")),
    )


def _error_text(error: dict[str, Any] | None) -> str | None:
    """A `synchronizationError` ({code, message, tenantActionable}) as one line."""
    if not error:
        return None
    return ": ".join(str(part) for part in (error.get("code"), error.get("message")) if part)
