"""The fake Graph's synchronization jobs: read, validate credentials, start, restart.

Graph calls answered here, with the shapes and state changes Microsoft documents
(learn.microsoft.com graph/api/...):

- `POST …/synchronization/jobs` `{"templateId"}` (synchronization-synchronization-post-jobs): 201
  with the new job, "created in a disabled state": status `NotRun`, schedule `Disabled` with the
  interval Graph shows before the first start (`NEW_JOB_INTERVAL`); its schema is the template's
  default. The service principal must exist (404 otherwise), as upstream's
  `synchronizationJobResourceCreate` checks first.
- `GET …/synchronization/jobs` and `GET …/jobs/{id}` (synchronization-synchronization-list-jobs,
  synchronization-synchronizationjob-get): the job with its `schedule` and `status`.
- `DELETE …/jobs/{id}` (synchronization-synchronizationjob-delete): 204; then 404, which is what
  upstream's delete waits for.
- `POST …/jobs/{id}/pause` (synchronization-synchronizationjob-pause): 204; status and schedule
  `Paused` (upstream reads `enabled` as schedule state == Active).
- `POST …/jobs/{id}/validateCredentials` `{"useSavedCredentials": true}`
  (synchronization-synchronizationjob-validatecredentials): 204, or 400 with Graph's error. With
  saved secrets it does what Entra's Test Connection does (`fake_graph_secrets`); without, the
  job's `credentialsValid` flag decides.
- `POST …/jobs/{id}/start` (204): a paused or disabled job runs again; a quarantined one leaves
  quarantine (synchronization-synchronizationjob-start); the schedule becomes `Active`, every 40
  minutes (use-scim-to-provision-users-and-groups: cycles about every 40 minutes).
- `POST …/jobs/{id}/restart` `{"criteria": {"resetScope"}}` (204): the job runs again; the
  quarantine is cleared when the scope names `QuarantineState` or `Full` or is empty (the
  portal's Restart provisioning); `Watermark`, `Full` or an empty scope reprocess every object
  (the next provisioning cycle, `fake_graph_provisioning`, exports every user in scope again).

Test-control routes:

- `PUT /_fake/jobs` `{"servicePrincipalId", "jobId", "state", "credentialsValid"}`: create or
  change a job; `state` is Active, Paused, Quarantine or NotRun. Optional: `reason` and
  `nextAttempt` of a quarantine, `schedule` (Active, Paused, Disabled: a job paused in the portal
  or disabled by Entra), `hiddenForSeconds` (Graph answers 404 for it that long, as right after
  creation).
- `GET /_fake/actions`: every start, pause and restart so far, `{"action", "jobId", "before",
  "resetScope", "reprocessesAll"}`, in order.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator.fake_graph_secrets import connection_test_passes
from scim_setup.emulator.fake_graph_state import (
    JOB_STATES,
    QUARANTINE_REASON,
    QUARANTINE_REASONS,
    SCHEDULE_STATES,
    FakeGraphState,
    FakeJob,
    find_job,
    graph_error,
    not_found,
    refused,
    saved_secrets,
)

JOB_PATH = "/v1.0/servicePrincipals/{sp_id}/synchronization/jobs/{job_id}"
NEW_JOB_INTERVAL = "P10675199DT2H48M5.4775807S"
"""`schedule.interval` of a job never started (.NET's TimeSpan.MaxValue, as Graph shows it)."""
FULL_SCOPES = frozenset({"Watermark", "Full"})
"""Restart scopes that drop the watermark: every object in scope is evaluated again."""


def job_json(job_id: str, job: FakeJob) -> dict[str, Any]:
    """A synchronizationJob as Graph returns it, its `status` filled in for `job.state`."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    def stamp(minutes_ago: float) -> str:
        return (now - datetime.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")

    succeeded = _execution("Succeeded", stamp(41), stamp(40), None)
    ran = job.state != "NotRun"
    status: dict[str, Any] = {
        "code": job.state,
        "countSuccessiveCompleteFailures": 0,
        "escrowsPruned": False,
        "lastExecution": job.last_execution or (succeeded if ran else None),
        "lastSuccessfulExecution": job.last_successful_execution
        or (None if job.last_execution else succeeded if ran else None),
        "lastSuccessfulExecutionWithExports": None,
        "quarantine": None,
        "steadyStateFirstAchievedTime": "0001-01-01T00:00:00Z",
        "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z",
        "synchronizedEntryCountByType": list(job.entry_counts),
        "troubleshootingUrl": None,
    }
    if job.state == "Quarantine":
        failed = job.last_execution if job.last_execution else None
        if failed is None or failed.get("error") is None:
            failed = _execution(
                "Failed", stamp(21), stamp(20), _quarantine_error(job.quarantine_reason)
            )
        error = failed["error"]
        status["countSuccessiveCompleteFailures"] = 3
        status["lastExecution"] = failed
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
        "templateId": job.template_id,
        "schedule": {"expiration": None, "interval": job.interval, "state": schedule_state},
        "status": status,
    }


CREDENTIALS_ERROR = "SystemForCrossDomainIdentityManagementCredentialValidationUnavailable"


def _quarantine_error(reason: str) -> dict[str, Any]:
    """The `synchronizationError` of a quarantine: a 401 for credentials, else the reason."""
    if reason == QUARANTINE_REASON:
        return {
            "code": CREDENTIALS_ERROR,
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


def _reset_scope(body: Any) -> str:
    criteria = body.get("criteria") if isinstance(body, dict) else None
    scope = criteria.get("resetScope") if isinstance(criteria, dict) else None
    return str(scope or "")


def add_job_routes(app: FastAPI, state: FakeGraphState) -> None:
    def record(job_id: str, job: FakeJob, action: str, scope: str | None = None) -> None:
        scopes = {part.strip() for part in (scope or "").split(",") if part.strip()}
        entry: dict[str, Any] = {"action": action, "jobId": job_id, "before": job.state}
        if scope is not None:
            entry["resetScope"] = scope
            entry["reprocessesAll"] = not scopes or bool(scopes & FULL_SCOPES)
        with state.lock:
            state.actions.append(entry)

    def run(job: FakeJob, clear_quarantine: bool) -> None:
        with state.lock:
            if job.state != "Quarantine" or clear_quarantine:
                job.state = "Active"
            job.schedule_state = None
            job.interval = "PT40M"

    @app.post("/v1.0/servicePrincipals/{sp_id}/synchronization/jobs")
    async def create_job(sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        body = await request.json()
        template_id = body.get("templateId") if isinstance(body, dict) else None
        if not isinstance(template_id, str) or not template_id:
            return graph_error(400, "BadRequest", "templateId is required.")
        sp_key = sp_id.lower()
        with state.lock:
            sp = state.service_principals.get(sp_key)
        if sp is None or state.clock() < sp.get("visibleAt", 0.0):
            return not_found(sp_id)
        job_id = f"{template_id}.{uuid.uuid4().hex}.{state.tenant_id}"
        job = FakeJob(
            "NotRun", template_id=template_id, schedule_state="Disabled", interval=NEW_JOB_INTERVAL
        )
        with state.lock:
            state.jobs[(sp_key, job_id)] = job
        return JSONResponse(job_json(job_id, job), 201)

    @app.delete(JOB_PATH)
    async def delete_job(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(state, request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        with state.lock:
            state.jobs.pop((sp_id.lower(), job_id), None)
            state.schemas.pop((sp_id.lower(), job_id), None)
        return Response(status_code=204)

    @app.post(JOB_PATH + "/pause")
    async def pause(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(state, request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        record(job_id, job, "pause")
        with state.lock:
            job.state = "Paused"
            job.schedule_state = "Paused"
        return Response(status_code=204)

    @app.get("/v1.0/servicePrincipals/{sp_id}/synchronization/jobs")
    async def list_jobs(sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        now = state.clock()
        with state.lock:
            jobs = [
                job_json(j, job)
                for (sp, j), job in state.jobs.items()
                if sp == sp_id.lower() and now >= job.visible_at
            ]
        return JSONResponse({"value": jobs})

    @app.get(JOB_PATH)
    async def get_job(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(state, request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        return JSONResponse(job_json(job_id, job))

    @app.post(JOB_PATH + "/validateCredentials")
    async def validate_credentials(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(state, request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        body = await request.json()
        if body.get("useSavedCredentials") is not True:
            return graph_error(400, "BadRequest", "Only useSavedCredentials is supported here.")
        saved = saved_secrets(state, sp_id)
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

    @app.post(JOB_PATH + "/start")
    async def start(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(state, request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        record(job_id, job, "start")
        run(job, clear_quarantine=True)
        return Response(status_code=204)

    @app.post(JOB_PATH + "/restart")
    async def restart(sp_id: str, job_id: str, request: Request) -> Response:
        job = find_job(state, request, sp_id, job_id)
        if isinstance(job, JSONResponse):
            return job
        scope = _reset_scope(await request.json())
        scopes = {part.strip() for part in scope.split(",") if part.strip()}
        record(job_id, job, "restart", scope)
        if not scopes or scopes & FULL_SCOPES:
            with state.lock:
                job.exported.clear()
        run(job, clear_quarantine=not scopes or bool(scopes & {"QuarantineState", "Full"}))
        return Response(status_code=204)

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
            state.clock() + hidden if hidden else 0.0,
        )
        with state.lock:
            state.jobs[(str(body["servicePrincipalId"]).lower(), body["jobId"])] = job
        return JSONResponse(job_json(body["jobId"], job))

    @app.get("/_fake/actions")
    async def list_actions() -> JSONResponse:
        with state.lock:
            return JSONResponse({"items": list(state.actions)})
